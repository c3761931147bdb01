"""The Fashion-MNIST classifier whose features define the Frechet distance.

The Inception network used by FID was trained on ImageNet and sees 28x28
grayscale clothing poorly; a small classifier trained on the domain itself gives
a feature space that separates the ten classes (Fashion-MNIST "FID" in the
GAN literature is usually computed this way). The project trains it with
`scripts/train_classifier.py` and ships it as the zoo preset
`fashion_mnist_classifier` (`zoo/fashion_mnist_classifier/`, with a model card):
`load_classifier()` takes it from the zoo's cache, where every file was checked
against the packaged registry, and checks the weights' sha256 again before
loading them. Its files come from the zoo's sources (`KERAS_FGAN_ZOO_URL`, a
local copy, the release location; see `keras_fgan.zoo`).

The features are the penultimate layer: the global average pool of the last
convolution block (like Inception-v3's `pool_3` used by FID), a vector of
`feature_dim` non-negative values per image.

References:
    Heusel et al., 2017. "GANs Trained by a Two Time-Scale Update Rule Converge
    to a Local Nash Equilibrium". https://arxiv.org/abs/1706.08500
"""

import json
from pathlib import Path

import numpy as np

from keras_fgan.arguments import check_integer
from keras_fgan.fileio import sha256_of

CLASSIFIER_DIR_NAME = "fashion_mnist_classifier"
WEIGHTS_FILE = "classifier.weights.h5"
CONFIG_FILE = "config.json"
SHA256_FILE = WEIGHTS_FILE + ".sha256"
FEATURE_LAYER = "features"
INPUT_SHAPE = (28, 28, 1)

_CACHE = {}


def build_classifier(filters=(32, 64, 128), feature_dim=128, dropout=0.3, num_classes=10):
    """Builds the (untrained) Fashion-MNIST classifier.

    Three convolution blocks of 3x3 convolutions with BatchNorm and ReLU (one
    convolution at 28x28, two at 14x14, one at 7x7; 2x2 max pooling between
    blocks), a 1x1 convolution to `feature_dim` channels, global average pooling
    (the feature layer, named "features"), dropout and a linear layer to logits.

    Args:
        filters: channels of the three blocks.
        feature_dim: width of the feature layer.
        dropout: dropout rate before the logits.
        num_classes: number of classes.

    Returns:
        A functional `keras.Model` mapping (N, 28, 28, 1) images in [-1, 1] to
        (N, num_classes) logits.
    """
    import keras
    from keras import layers

    if len(filters) != 3 or any(int(f) < 1 for f in filters):
        raise ValueError(f"filters must be three positive ints, got filters={filters!r}.")
    check_integer("feature_dim", feature_dim)

    def conv(x, channels, kernel_size, name):
        x = layers.Conv2D(channels, kernel_size, padding="same", use_bias=False, name=name)(x)
        x = layers.BatchNormalization(name=name + "_bn")(x)
        return layers.Activation("relu", name=name + "_relu")(x)

    inputs = keras.Input(INPUT_SHAPE, name="images")
    x = conv(inputs, filters[0], 3, "block1_conv1")
    x = layers.MaxPooling2D(2, name="block1_pool")(x)
    x = conv(x, filters[1], 3, "block2_conv1")
    x = conv(x, filters[1], 3, "block2_conv2")
    x = layers.MaxPooling2D(2, name="block2_pool")(x)
    x = conv(x, filters[2], 3, "block3_conv1")
    x = conv(x, int(feature_dim), 1, "block3_conv2")
    features = layers.GlobalAveragePooling2D(name=FEATURE_LAYER)(x)
    x = layers.Dropout(dropout, name="dropout")(features)
    logits = layers.Dense(num_classes, name="logits")(x)
    return keras.Model(inputs, logits, name="fashion_mnist_classifier")


def feature_model(classifier):
    """Returns a model mapping images to the classifier's feature layer.

    Args:
        classifier: a model from `build_classifier` / `load_classifier`.

    Returns:
        A `keras.Model` sharing the classifier's weights.
    """
    import keras

    return keras.Model(
        classifier.input, classifier.get_layer(FEATURE_LAYER).output, name="features"
    )


def classifier_dir():
    """Returns the folder holding the shipped classifier: the zoo preset
    `fashion_mnist_classifier`, fetched into the zoo's cache and verified
    against the packaged registry when needed (`keras_fgan.zoo.download`).

    Raises:
        keras_fgan.zoo.ZooDownloadError: no zoo source has its files; the
            message says how to get them.
    """
    from keras_fgan import zoo

    return zoo.download(CLASSIFIER_DIR_NAME)


def read_config(directory=None):
    """Reads the shipped classifier's `config.json` (architecture, metrics)."""
    directory = Path(directory) if directory is not None else classifier_dir()
    path = directory / CONFIG_FILE
    if not path.exists():
        raise FileNotFoundError(
            f"No classifier config at {path}. Pass a folder holding the classifier's "
            f"files (or none, for the zoo preset {CLASSIFIER_DIR_NAME!r}), or retrain it "
            "with scripts/train_classifier.py."
        )
    with open(path) as f:
        return json.load(f)


def _verify_weights(directory):
    weights = directory / WEIGHTS_FILE
    sha_file = directory / SHA256_FILE
    if not weights.exists():
        raise FileNotFoundError(
            f"Classifier weights {weights} are missing. Retrain them with "
            "scripts/train_classifier.py or restore the zoo folder."
        )
    if not sha_file.exists():
        raise FileNotFoundError(f"Checksum file {sha_file} is missing; refusing to load {weights}.")
    expected = sha_file.read_text().split()[0].strip().lower()
    actual = sha256_of(weights)
    if actual != expected:
        raise ValueError(
            f"Classifier weights {weights} have sha256 {actual}, but {sha_file} "
            f"expects {expected}. The file is corrupt, truncated, or a Git LFS "
            "pointer (run `git lfs pull`); refusing to load it."
        )
    return weights


def _load(directory):
    """(classifier, feature model) of a folder, loaded once per process."""
    directory = Path(directory) if directory is not None else classifier_dir()
    key = str(directory.resolve())
    if key not in _CACHE:
        config = read_config(directory)
        weights = _verify_weights(directory)
        model = build_classifier(**config["architecture"])
        model.load_weights(weights)
        _CACHE[key] = (model, feature_model(model))
    return _CACHE[key]


def load_classifier(directory=None):
    """Loads the shipped Fashion-MNIST classifier (cached per process).

    The weights' sha256 is checked against `classifier.weights.h5.sha256`
    before loading; a mismatch raises.

    Args:
        directory: folder holding `config.json`, the weights and their sha256;
            by default the zoo preset's folder (`classifier_dir()`).

    Returns:
        The classifier `keras.Model` (logits output). Use `feature_model` or
        `extract_features` for the features.

    Raises:
        FileNotFoundError: a file is missing.
        ValueError: the weights' sha256 does not match.
        keras_fgan.zoo.ZooDownloadError: (default folder) no zoo source has
            the classifier's files.
    """
    return _load(directory)[0]


def _cached_feature_model(directory=None):
    return _load(directory)[1]


def check_images(images, name="images"):
    """Validates a batch of Fashion-MNIST-shaped images; returns float32 (N, 28, 28, 1)."""
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[1:] != INPUT_SHAPE:
        raise ValueError(
            f"{name} must have shape (N, 28, 28, 1) (or (N, 28, 28)), got {images.shape}."
        )
    images = images.astype(np.float32, copy=False)
    if not np.all(np.isfinite(images)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    return images


def extract_features(images, batch_size=500, model=None):
    """Computes classifier features of images in [-1, 1], one batch at a time.

    Every batch is padded to `batch_size` so compiled backends trace one shape.

    Args:
        images: array of shape (N, 28, 28, 1) or (N, 28, 28) in [-1, 1].
        batch_size: images per forward pass.
        model: a feature model; by default the shipped classifier's.

    Returns:
        A float32 array (N, feature_dim).
    """
    images = check_images(images)
    if model is None:
        model = _cached_feature_model()
    batch_size = check_integer("batch_size", batch_size)
    out = []
    for start in range(0, len(images), batch_size):
        batch = images[start : start + batch_size]
        n = len(batch)
        if n < batch_size:
            pad = np.zeros((batch_size - n,) + batch.shape[1:], batch.dtype)
            batch = np.concatenate([batch, pad])
        out.append(np.asarray(model.predict_on_batch(batch), dtype=np.float32)[:n])
    if not out:
        dim = model.output_shape[-1]
        return np.zeros((0, dim), np.float32)
    return np.concatenate(out)
