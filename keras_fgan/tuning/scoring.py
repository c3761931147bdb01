"""How a trial is scored: sample quality, never a loss (losses are not
comparable across objectives), and a trial that turns non-finite fails."""

import math

import keras_tuner
import numpy as np

from keras_fgan import evaluation


def objective(mixture):
    """The `keras_tuner.Objective` of a search: `score` (max) for mode
    coverage of `mixture`, `frechet_distance` (min) when `mixture` is None."""
    if mixture is not None:
        return keras_tuner.Objective("score", direction="max")
    return keras_tuner.Objective("frechet_distance", direction="min")


def sample_quality(model, data, *, num_samples, seed):
    """The metrics of `model.generate(num_samples, seed=seed)` against `data`.

    Args:
        model: a trained adversarial model.
        data: the search's `TuningData`.
        num_samples: generated samples scored.
        seed: seed of the generated samples and of the Frechet distance.

    Returns:
        `score` (modes / num_modes + high_quality), `modes`, `high_quality`
        and `kl` for mode coverage; `frechet_distance` otherwise.

    Raises:
        keras_tuner.errors.FailedTrialError: samples or score not finite.
    """
    samples = model.generate(num_samples, seed=seed)
    if not np.all(np.isfinite(samples)):
        bad = int(np.sum(~np.isfinite(samples).reshape(len(samples), -1).all(axis=1)))
        raise keras_tuner.errors.FailedTrialError(
            f"training diverged: {bad} of {len(samples)} generated samples are "
            "NaN or infinite."
        )
    if data.mixture is not None:
        coverage = evaluation.mode_coverage(samples, data.mixture)
        score = coverage["modes"] / coverage["num_modes"] + coverage["high_quality"]
        metrics = {
            "score": float(score),
            "modes": float(coverage["modes"]),
            "high_quality": float(coverage["high_quality"]),
            "kl": float(coverage["kl"]),
        }
    else:
        metrics = {
            "frechet_distance": float(evaluation.frechet_distance(data.x_eval, samples, seed=seed))
        }
    name = objective(data.mixture).name
    if not math.isfinite(metrics[name]):
        raise keras_tuner.errors.FailedTrialError(f"non-finite {name}: {metrics[name]}.")
    return metrics
