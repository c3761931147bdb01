"""Optional Frechet Inception Distance (Keras' ImageNet Inception-v3).

Needs the ImageNet weights (about 90 MB), which Keras downloads on first use into
`$KERAS_HOME/models` (default `~/.keras/models`). Offline, and without a cached
copy, `inception_frechet_distance` raises a `RuntimeError` saying so. Images are
resized to 299x299 (bilinear) and grayscale is repeated to three channels.

Keras' Inception-v3 is not the TensorFlow graph of the original FID code
(`pt_inception-2015-12-05`), so these values are close to, but not comparable
with, published FID numbers; for Fashion-MNIST prefer `frechet_distance`, whose
domain classifier ships with the project.

References:
    Heusel et al., 2017. "GANs Trained by a Two Time-Scale Update Rule Converge
    to a Local Nash Equilibrium". https://arxiv.org/abs/1706.08500
    Szegedy et al., 2016. "Rethinking the Inception Architecture for Computer
    Vision". https://arxiv.org/abs/1512.00567
"""

import os

import numpy as np

from keras_fgan.evaluation.frechet import frechet_distance

WEIGHTS_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
INPUT_SIZE = 299

_MODEL = []


def _cached_weights_path():
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(home, "models", WEIGHTS_FILE)


def inception_available():
    """Whether the ImageNet Inception-v3 weights are already cached (no network)."""
    return os.path.exists(_cached_weights_path())


def load_inception(allow_download=True):
    """Builds Inception-v3 (ImageNet weights, 2048-d average-pool output).

    Args:
        allow_download: if False, only use a cached copy of the weights.

    Returns:
        A `keras.Model` mapping (N, 299, 299, 3) images in [-1, 1] to (N, 2048).

    Raises:
        RuntimeError: the weights are not cached and cannot be downloaded.
    """
    if _MODEL:
        return _MODEL[0]
    if not allow_download and not inception_available():
        raise RuntimeError(
            f"Inception-v3 ImageNet weights are not cached at {_cached_weights_path()} "
            "and downloading is disabled (allow_download=False). Run once with network "
            "access, or use keras_fgan.evaluation.frechet_distance (the shipped "
            "Fashion-MNIST classifier) instead."
        )
    import keras

    try:
        model = keras.applications.InceptionV3(
            include_top=False,
            weights="imagenet",
            input_shape=(INPUT_SIZE, INPUT_SIZE, 3),
            pooling="avg",
        )
    except Exception as e:  # noqa: BLE001 - download/network errors vary by platform
        raise RuntimeError(
            "Could not get the Inception-v3 ImageNet weights (no network access?): "
            f"{e.__class__.__name__}: {e}. The Inception Frechet distance needs them "
            f"once (cached at {_cached_weights_path()}); offline, use "
            "keras_fgan.evaluation.frechet_distance (the shipped Fashion-MNIST "
            "classifier) instead."
        ) from e
    _MODEL.append(model)
    return model


def inception_features(images, model=None):
    """Inception-v3 pool features of a batch of images in [-1, 1].

    Args:
        images: (N, H, W, C) with C in {1, 3}, or (N, H, W), values in [-1, 1].
        model: the model from `load_inception` (loaded when None).

    Returns:
        A float32 array (N, 2048).
    """
    import keras

    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(f"images must have shape (N, H, W, 1 or 3), got {images.shape}.")
    if images.shape[-1] == 1:
        images = np.repeat(images, 3, axis=-1)
    model = model or load_inception()
    resized = keras.ops.image.resize(images, (INPUT_SIZE, INPUT_SIZE), interpolation="bilinear")
    return np.asarray(keras.ops.convert_to_numpy(model(resized, training=False)), np.float32)


def inception_frechet_distance(real, fake, *, num_samples=None, batch_size=50, seed=0, allow_download=True):
    """Frechet distance in Keras Inception-v3 feature space (FID-like).

    Args:
        real: real images (or a sample source, see `frechet_distance`).
        fake: generated images, a model with `generate`, or a sample source.
        num_samples: how many samples to draw from a model or callable.
        batch_size: images per forward pass (299x299 inputs are large).
        seed: base seed for models and callables.
        allow_download: if False, fail instead of downloading the weights.

    Returns:
        The squared Frechet distance, a Python float.

    Raises:
        RuntimeError: the ImageNet weights are unavailable (offline).
    """
    model = load_inception(allow_download=allow_download)
    return frechet_distance(
        real,
        fake,
        num_samples=num_samples,
        batch_size=batch_size,
        seed=seed,
        feature_extractor=lambda batch: inception_features(batch, model),
    )
