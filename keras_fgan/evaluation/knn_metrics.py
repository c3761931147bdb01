"""k-NN fidelity and diversity metrics: precision/recall and density/coverage.

Each sample's neighbourhood is a ball whose radius is the distance to its k-th
nearest neighbour within its own set (itself excluded).

- precision: fraction of fake samples inside at least one real ball;
- recall: fraction of real samples inside at least one fake ball;
- density: mean number of real balls holding a fake sample, divided by k
  (about 1 when the distributions match; above 1 when fakes crowd dense
  real regions);
- coverage: fraction of real samples whose ball holds at least one fake.

Pairwise distances are computed in row blocks (NumPy), so 10,000 x 10,000 never
materialises a full distance matrix. They are computed in the inputs' precision:
float64 inputs stay float64, anything else is float32 (the data are centred on
the real mean first, which keeps float32 accurate).

Sanity case (reproduced in tests/test_evaluation.py): two independent samples of
10,000 from N(0, I) in 1000-D with k=5 give precision ~0.477, recall ~0.471,
density ~1.056, coverage ~0.974 (the published example of Naeem et al.'s
reference code, github.com/clovaai/generative-evaluation-prdc). Coverage for
identical distributions tends to 1 - 2^-k (Naeem et al., 2020).

References:
    Kynkaanniemi, Karras, Laine, Lehtinen and Aila, 2019. "Improved Precision
    and Recall Metric for Assessing Generative Models".
    https://arxiv.org/abs/1904.06991
    Naeem, Oh, Uh, Choi and Yoo, 2020. "Reliable Fidelity and Diversity Metrics
    for Generative Models". https://arxiv.org/abs/2002.09797
"""

import numpy as np

from keras_fgan.arguments import check_integer
from keras_fgan.evaluation.streaming import feature_statistics

_BLOCK_ELEMENTS = 1 << 22  # entries of one distance block (32 MiB in float64)


def precision_recall(real, fake, k=3, *, num_samples=None, batch_size=500, seed=0, feature_extractor=None):
    """Improved precision and recall (Kynkaanniemi et al., 2019).

    A sample lies in a manifold when its distance to some reference sample is
    at most that sample's k-NN radius (`<=`, as in the paper's code).

    Args:
        real: (N, D) real features, real images (N, 28, 28, 1) in [-1, 1] (then
            the shipped classifier's features are used), or any sample source
            (see `keras_fgan.evaluation.streaming`).
        fake: the same for generated samples (a model with `generate` works).
        k: neighbourhood size (3 in the paper).
        num_samples: how many samples to draw from a model or callable; by
            default as many as `real` holds.
        batch_size: samples per batch when reading sources.
        seed: base seed for models and callables.
        feature_extractor: optional callable for image batches.

    Returns:
        A dict {"precision": float, "recall": float}.

    References:
        Kynkaanniemi et al., 2019. https://arxiv.org/abs/1904.06991
    """
    real_f, fake_f = _feature_banks(real, fake, num_samples, batch_size, seed, feature_extractor)
    out = manifold_metrics(real_f, fake_f, k, metrics=("precision", "recall"))
    return {"precision": out["precision"], "recall": out["recall"]}


def density_coverage(real, fake, k=5, *, num_samples=None, batch_size=500, seed=0, feature_extractor=None):
    """Density and coverage (Naeem et al., 2020).

    Strict comparisons (`<`), as in the paper's reference code.

    Args:
        real: (N, D) real features, real images, or a sample source (see
            `precision_recall`).
        fake: the same for generated samples.
        k: neighbourhood size (5 in the paper).
        num_samples: how many samples to draw from a model or callable.
        batch_size: samples per batch when reading sources.
        seed: base seed for models and callables.
        feature_extractor: optional callable for image batches.

    Returns:
        A dict {"density": float, "coverage": float}.

    References:
        Naeem et al., 2020. https://arxiv.org/abs/2002.09797
    """
    real_f, fake_f = _feature_banks(real, fake, num_samples, batch_size, seed, feature_extractor)
    out = manifold_metrics(real_f, fake_f, k, metrics=("density", "coverage"))
    return {"density": out["density"], "coverage": out["coverage"]}


def _feature_banks(real, fake, num_samples, batch_size, seed, feature_extractor):
    kwargs = dict(batch_size=batch_size, keep_features=True, feature_extractor=feature_extractor)
    if _is_feature_array(real) and _is_feature_array(fake):
        return np.asarray(real), np.asarray(fake)
    real_f = np.asarray(real) if _is_feature_array(real) else feature_statistics(real, seed=seed, **kwargs).features
    if num_samples is None and (callable(getattr(fake, "generate", None)) or callable(fake)):
        num_samples = len(real_f)
    if _is_feature_array(fake):
        fake_f = np.asarray(fake)
    else:
        fake_f = feature_statistics(fake, num_samples=num_samples, seed=seed, **kwargs).features
    return real_f, fake_f


def _is_feature_array(x):
    return isinstance(x, np.ndarray) and x.ndim == 2


def _check_features(x, name, k):
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"{name} must be a (N, D) feature array, got shape {x.shape}.")
    if len(x) <= k:
        raise ValueError(f"{name} needs more than k={k} samples, got {len(x)}.")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    return x


def _dtype(*arrays):
    return np.float64 if any(a.dtype == np.float64 for a in arrays) else np.float32


def _block_rows(n_cols):
    return max(1, _BLOCK_ELEMENTS // max(1, n_cols))


def _sq_dists(a, a_norms, b, b_norms):
    d = a_norms[:, None] + b_norms[None, :] - 2.0 * (a @ b.T)
    return np.maximum(d, 0.0, out=d)


def knn_radii(features, k):
    """Squared distance from each sample to its k-th nearest other sample.

    Args:
        features: (N, D) array with N > k.
        k: neighbour rank (1 = nearest other sample).

    Returns:
        A (N,) array of squared radii.
    """
    k = check_integer("k", k)
    x = _check_features(features, "features", k)
    return _knn_sq_radii(x, np.einsum("ij,ij->i", x, x), k)


def _knn_sq_radii(x, norms, k):
    n = len(x)
    radii = np.empty(n, x.dtype)
    rows = _block_rows(n)
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        d = _sq_dists(x[start:stop], norms[start:stop], x, norms)
        d[np.arange(stop - start), np.arange(start, stop)] = 0.0  # exact self-distance
        # Index 0 of the sorted row is the sample itself, index k its k-th neighbour.
        radii[start:stop] = np.partition(d, k, axis=1)[:, k]
    return radii


def manifold_metrics(real_features, fake_features, k, metrics=("precision", "recall", "density", "coverage")):
    """Computes any of precision, recall, density and coverage in one pass.

    Args:
        real_features: (N, D) array.
        fake_features: (M, D) array.
        k: neighbourhood size.
        metrics: which of "precision", "recall", "density", "coverage".

    Returns:
        A dict of the requested metrics (Python floats).

    References:
        Kynkaanniemi et al., 2019. https://arxiv.org/abs/1904.06991
        Naeem et al., 2020. https://arxiv.org/abs/2002.09797
    """
    valid = ("precision", "recall", "density", "coverage")
    unknown = [m for m in metrics if m not in valid]
    if unknown:
        raise ValueError(f"Unknown metrics {unknown}; valid: {', '.join(valid)}.")
    k = check_integer("k", k)
    real = _check_features(real_features, "real features", k)
    fake = _check_features(fake_features, "fake features", k)
    if real.shape[1] != fake.shape[1]:
        raise ValueError(
            f"Real and fake features differ in dimension ({real.shape[1]} vs {fake.shape[1]})."
        )
    dtype = _dtype(real, fake)
    centre = real.mean(axis=0, dtype=np.float64)
    real = (real - centre).astype(dtype)
    fake = (fake - centre).astype(dtype)
    real_norms = np.einsum("ij,ij->i", real, real)
    fake_norms = np.einsum("ij,ij->i", fake, fake)

    real_radii = _knn_sq_radii(real, real_norms, k)
    fake_radii = _knn_sq_radii(fake, fake_norms, k) if "recall" in metrics else None

    n, m = len(real), len(fake)
    fake_in_real = np.zeros(m, bool)  # precision
    fake_ball_count = np.zeros(m, np.int64)  # density
    real_in_fake = np.zeros(n, bool)  # recall
    real_covered = np.zeros(n, bool)  # coverage
    rows = _block_rows(m)
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        d = _sq_dists(real[start:stop], real_norms[start:stop], fake, fake_norms)
        r = real_radii[start:stop, None]
        if "precision" in metrics:
            fake_in_real |= (d <= r).any(axis=0)
        if "density" in metrics:
            fake_ball_count += (d < r).sum(axis=0)
        if "recall" in metrics:
            real_in_fake[start:stop] = (d <= fake_radii[None, :]).any(axis=1)
        if "coverage" in metrics:
            real_covered[start:stop] = d.min(axis=1) < real_radii[start:stop]

    out = {}
    if "precision" in metrics:
        out["precision"] = float(fake_in_real.mean())
    if "recall" in metrics:
        out["recall"] = float(real_in_fake.mean())
    if "density" in metrics:
        out["density"] = float(fake_ball_count.mean() / k)
    if "coverage" in metrics:
        out["coverage"] = float(real_covered.mean())
    return out
