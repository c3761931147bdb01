"""One call that evaluates a trained model with the protocol of its data."""

import numpy as np

from keras_fgan import datasets
from keras_fgan import registry


# Largest sample size (values per sample) scored in sample space when no
# feature extractor is given: the Frechet distance needs a D x D covariance
# and its square root, which grows as D^2 memory and D^3 time.
MAX_SAMPLE_SPACE_DIM = 4096
# Real samples the k-NN metrics need at least one more of (density/coverage use k=5).
MIN_REAL_SAMPLES = 5


def evaluate_model(model, data, *, num_samples=None, seed=0, feature_extractor=None, class_frequencies=False):
    """Sample-quality metrics of `model` for the data set it was trained on.

    - 2-D mixtures ("ring", "grid"): the PacGAN/VEEGAN mode-coverage protocol
      on 2,500 samples (modes captured, high-quality fraction, KL of the
      mode histogram from uniform).
    - Images ("fashion_mnist"): Frechet distance, precision/recall (k=3) and
      density/coverage (k=5) in the shipped classifier's feature space,
      against the real test split (10,000 images by default); and how
      evenly the samples cover the ten classes (`class_kl`,
      `worst_class_ratio` of `kf.evaluation.class_balance`, with the
      shipped classifier whatever `feature_extractor` is).
    - Any other data `kf.datasets.load` reads (your own folder of images,
      `.npy`/`.npz` file, "digits", "tfds:..."), or an array: the same four
      metrics against (up to 10,000 randomly chosen) real samples, in the
      space of `feature_extractor` when given, else in sample space (vectors
      as they are, images as their flattened pixels, up to
      `MAX_SAMPLE_SPACE_DIM` values per sample). Images are read at the
      model's sample size and channels. The result says which space in
      `"features"`. Sample-space figures compare models on the same data; they
      are not comparable with Inception-space FID (for that, pass
      `keras_fgan.evaluation.inception.inception_features`, which downloads
      the Inception weights once).

    Args:
        model: an adversarial model (anything with `generate(n, seed=...)`;
            for your own image data also `sample_shape`).
        data: a data set name or path (see `kf.datasets.load`), or an array
            of real samples.
        num_samples: generated samples (default 2,500 for 2-D, 10,000 for
            images, as many as the real samples used for other data).
        seed: seed of the generated samples (and of the choice of real ones).
        feature_extractor: an optional callable mapping a batch of images
            to (B, D) features, in place of the shipped classifier for
            Fashion-MNIST and of sample space for other data (not for the
            2-D mixtures).
        class_frequencies: Fashion-MNIST only: also return the class
            histograms behind `class_kl`, as `"class_frequencies"`:
            `{"fake": [10 floats], "real": [10 floats]}` in the order of
            `kf.datasets.FASHION_MNIST_CLASSES`.

    Returns:
        A dict of floats (and ints; and the feature space's name for other
        data; and the histograms asked for by `class_frequencies`).

    Raises:
        ValueError: the model's samples do not have the data's sample shape,
            the data cannot be read, samples too large for sample space
            without a `feature_extractor`, or `class_frequencies` asked for
            data other than Fashion-MNIST.
    """
    from keras_fgan import evaluation

    protocol = registry.PROTOCOLS.get(data) if isinstance(data, str) else None
    if class_frequencies and protocol != "classifier":
        raise ValueError("`class_frequencies` needs the shipped classifier's data, "
                         f"{[k for k, v in registry.PROTOCOLS.items() if v == 'classifier']}. Received: data={data!r}")
    if protocol == "mode_coverage":
        if feature_extractor is not None:
            raise ValueError(f"`feature_extractor` does not apply to {data!r}: mode coverage is measured in the plane.")
        samples = model.generate(num_samples or 2500, seed=seed)
        _check_sample_shape(samples, (2,), repr(data))
        return dict(evaluation.mode_coverage(samples, data))
    if protocol == "classifier":
        real = datasets.load(data, split="test")
        n = num_samples or len(real)
        real = real[:n]
        fake = model.generate(n, seed=seed)
        _check_sample_shape(fake, real.shape[1:], repr(data))
        features = dict(feature_extractor=feature_extractor)
        result = {"frechet_distance": evaluation.frechet_distance(real, fake, **features)}
        result.update(evaluation.precision_recall(real, fake, k=3, **features))
        result.update(evaluation.density_coverage(real, fake, k=5, **features))
        balance = evaluation.class_balance(fake, real)
        result.update(class_kl=balance["class_kl"], worst_class_ratio=balance["worst_class_ratio"])
        result = _as_python(result)
        if class_frequencies:
            result["class_frequencies"] = {kind: balance[f"{kind}_frequencies"] for kind in ("fake", "real")}
        return result
    return _own_data_metrics(model, data, num_samples, seed, feature_extractor)


def _own_data_metrics(model, data, num_samples, seed, feature_extractor):
    """The Frechet distance and k-NN metrics of `model` against real samples
    of any data set or array (see `evaluate_model`)."""
    from keras_fgan.evaluation.frechet import frechet_distance_from_features
    from keras_fgan.evaluation.knn_metrics import manifold_metrics
    from keras_fgan.evaluation.streaming import feature_statistics

    if isinstance(data, np.ndarray):
        real, name = datasets.samples.as_samples(data, "the real array"), "the real array"
    else:
        shape = tuple(getattr(model, "sample_shape", ()))
        images = {}
        if len(shape) == 3:  # read images at the model's size and channels
            images = dict(image_size=shape[:2], color_mode={1: "grayscale", 3: "rgb"}.get(shape[-1]))
        real, name = datasets.load(data, **images), repr(str(data))
    if len(real) <= MIN_REAL_SAMPLES:
        raise ValueError(
            f"{name} holds {len(real)} samples; the k-NN metrics (k up to 5) need at least "
            f"{MIN_REAL_SAMPLES + 1}."
        )
    rng = np.random.default_rng(seed)
    n_real = min(len(real), num_samples or 10_000)
    if n_real < len(real):
        real = real[np.sort(rng.choice(len(real), n_real, replace=False))]
    fake = np.asarray(model.generate(num_samples or n_real, seed=seed))
    _check_sample_shape(fake, real.shape[1:], name)
    if feature_extractor is None:
        dim = int(np.prod(real.shape[1:]))
        if dim > MAX_SAMPLE_SPACE_DIM:
            raise ValueError(
                f"{name} has {dim:,} values per sample, more than the {MAX_SAMPLE_SPACE_DIM:,} scored in sample "
                "space: pass feature_extractor (for example keras_fgan.evaluation.inception.inception_features)."
            )
        space = "samples" if real.ndim == 2 else "pixels"
        real_f, fake_f = real.reshape(len(real), -1), fake.reshape(len(fake), -1)
    else:
        space = "feature_extractor"
        real_f, fake_f = (
            feature_statistics(x, keep_features=True, feature_extractor=feature_extractor).features
            for x in (real, fake)
        )
    result = {"frechet_distance": frechet_distance_from_features(real_f, fake_f)}
    result.update(manifold_metrics(real_f, fake_f, k=3, metrics=("precision", "recall")))
    result.update(manifold_metrics(real_f, fake_f, k=5, metrics=("density", "coverage")))
    result.update(features=space, num_real=len(real_f), num_samples=len(fake_f))
    return _as_python(result)


def _as_python(result):
    return {k: float(v) if isinstance(v, (float, np.floating)) else v for k, v in result.items()}


def _check_sample_shape(samples, expected, name):
    """Raises a ValueError naming both shapes when a model's samples do not
    have the shape of the samples of the data called `name` (a model
    evaluated on the wrong data)."""
    got = tuple(np.shape(samples)[1:])
    if got != tuple(expected):
        raise ValueError(
            f"The model generates samples of shape {got}, but {name} holds samples of shape "
            f"{tuple(expected)}: evaluate a model on the data set it was trained on."
        )
