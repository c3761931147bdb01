"""One call that evaluates a trained model with the protocol of its data."""

import numpy as np

from keras_fgan import datasets
from keras_fgan import registry


def evaluate_model(model, data, *, num_samples=None, seed=0):
    """Sample-quality metrics of `model` for the data set it was trained on.

    - 2-D mixtures ("ring", "grid"): the PacGAN/VEEGAN mode-coverage protocol
      on 2,500 samples (modes captured, high-quality fraction, KL of the
      mode histogram from uniform).
    - Images ("fashion_mnist"): Frechet distance, precision/recall (k=3) and
      density/coverage (k=5) in the shipped classifier's feature space,
      against the real test split (10,000 images by default).

    Args:
        model: an adversarial model (anything with `generate(n, seed=...)`).
        data: the data set name.
        num_samples: generated samples (default 2,500 for 2-D, 10,000 for
            images).
        seed: seed of the generated samples.

    Returns:
        A dict of floats (and ints).
    """
    from keras_fgan import evaluation

    protocol = registry.PROTOCOLS.get(data)
    if protocol == "mode_coverage":
        samples = model.generate(num_samples or 2500, seed=seed)
        _check_sample_shape(samples, (2,), data)
        return dict(evaluation.mode_coverage(samples, data))
    if protocol == "classifier":
        real = datasets.load(data, split="test")
        n = num_samples or len(real)
        real = real[:n]
        fake = model.generate(n, seed=seed)
        _check_sample_shape(fake, real.shape[1:], data)
        result = {"frechet_distance": evaluation.frechet_distance(real, fake)}
        result.update(evaluation.precision_recall(real, fake, k=3))
        result.update(evaluation.density_coverage(real, fake, k=5))
        return {k: float(v) if isinstance(v, (float, np.floating)) else v for k, v in result.items()}
    raise ValueError(
        f"No evaluation protocol for data {data!r}; valid: {', '.join(registry.PROTOCOLS)}."
    )


def _check_sample_shape(samples, expected, data):
    """Raises a ValueError naming both shapes when a model's samples do not
    have the shape of `data`'s samples (a model evaluated on the wrong data)."""
    got = tuple(np.shape(samples)[1:])
    if got != tuple(expected):
        raise ValueError(
            f"The model generates samples of shape {got}, but {data!r} holds samples of shape "
            f"{tuple(expected)}: evaluate a model on the data set it was trained on."
        )
