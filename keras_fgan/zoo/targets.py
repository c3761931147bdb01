"""The zoo's quality targets, in one place for the model cards, zoo/README.md,
the sweep tables (scripts/train_zoo.py, benchmarks/presets_sweep.py) and the
docs' gallery (docs/hooks.py).

2-D mixtures follow PacGAN's protocol (Lin et al. 2018, Sec. 5.1): a sample
is high quality when it lies within 3 standard deviations of its nearest
mode, and a mode is captured when it is the nearest mode of at least one
high-quality sample. Images are scored in the shipped Fashion-MNIST
classifier's features (`keras_fgan.evaluation.evaluate_model`): Frechet
distance (Heusel et al. 2017, Eq. 6) and k-NN precision and recall
(Kynkaanniemi et al. 2019).

This module imports nothing, so the docs build loads it by path without
Keras.
"""

# 2-D mixtures: every mode captured, with at least this high-quality
# fraction, on each evaluation seed.
MIXTURE_HIGH_QUALITY = 0.9
MIXTURE_TARGET = f"all modes, >= {MIXTURE_HIGH_QUALITY:.0%} high quality"

# Fashion-MNIST (5,000 samples against the test split's first 5,000 images).
IMAGE_FRECHET_DISTANCE = 2.0
IMAGE_PRECISION = 0.8
IMAGE_RECALL = 0.6
IMAGE_TARGET = (f"FD <= {IMAGE_FRECHET_DISTANCE:g}, precision >= {IMAGE_PRECISION:g}, "
                f"recall >= {IMAGE_RECALL:g}")


def meets_mixture_target(per_seed, num_modes):
    """True when every evaluation seed's `{"modes", "high_quality"}` record
    captures all `num_modes` modes at `MIXTURE_HIGH_QUALITY` or better."""
    return bool(per_seed) and all(
        s["modes"] == num_modes and s["high_quality"] >= MIXTURE_HIGH_QUALITY for s in per_seed)


def meets_image_target(metrics):
    """True when `metrics` (`frechet_distance`, `precision`, `recall`) meet
    all three image targets; a missing figure misses."""
    return (metrics.get("frechet_distance", float("inf")) <= IMAGE_FRECHET_DISTANCE
            and metrics.get("precision", 0.0) >= IMAGE_PRECISION
            and metrics.get("recall", 0.0) >= IMAGE_RECALL)
