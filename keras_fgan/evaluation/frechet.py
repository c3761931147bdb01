"""Frechet distance between Gaussians fitted to features.

Formula:

    d^2 = ||mu_1 - mu_2||^2 + Tr(S_1 + S_2 - 2 (S_1 S_2)^(1/2))

With Inception-v3 features this is FID; here the default features are the
penultimate layer of the Fashion-MNIST classifier the project trains and ships
(see `keras_fgan.evaluation.classifier` and `zoo/fashion_mnist_classifier/`, whose
model card records the real-train vs real-test floor). Distances computed with
different feature extractors, or with different sample sizes, are not comparable.

References:
    Heusel, Ramsauer, Unterthiner, Nessler and Hochreiter, 2017. "GANs Trained by
    a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium".
    https://arxiv.org/abs/1706.08500 (reference code: github.com/bioinf-jku/TTUR)
    Dowson and Landau, 1982. "The Frechet distance between multivariate normal
    distributions".
"""

import warnings

import numpy as np
from scipy import linalg

from keras_fgan.evaluation.streaming import FeatureStatistics, feature_statistics


def frechet_distance_from_stats(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """Frechet distance between N(mu1, sigma1) and N(mu2, sigma2).

    Follows the TTUR reference implementation: when the product of the
    covariances is singular (the square root is not finite), `eps` is added to
    both diagonals; an imaginary part left by round-off is dropped when it is
    small and raises otherwise. A tiny negative result from round-off is
    clamped to 0.

    Args:
        mu1: (D,) mean of the first Gaussian.
        sigma1: (D, D) covariance of the first Gaussian.
        mu2: (D,) mean of the second Gaussian.
        sigma2: (D, D) covariance of the second Gaussian.
        eps: diagonal offset used when the product is singular.

    Returns:
        The squared Frechet distance, a Python float.

    Raises:
        ValueError: shapes disagree, or the square root has a large imaginary
            component (the covariances are not valid).

    References:
        Heusel et al., 2017. https://arxiv.org/abs/1706.08500
    """
    mu1 = np.atleast_1d(np.asarray(mu1, dtype=np.float64))
    mu2 = np.atleast_1d(np.asarray(mu2, dtype=np.float64))
    sigma1 = np.atleast_2d(np.asarray(sigma1, dtype=np.float64))
    sigma2 = np.atleast_2d(np.asarray(sigma2, dtype=np.float64))
    if mu1.shape != mu2.shape or mu1.ndim != 1:
        raise ValueError(f"mu1 and mu2 must be vectors of one length, got {mu1.shape} and {mu2.shape}.")
    d = mu1.shape[0]
    if sigma1.shape != (d, d) or sigma2.shape != (d, d):
        raise ValueError(
            f"sigma1 and sigma2 must have shape ({d}, {d}), got {sigma1.shape} and {sigma2.shape}."
        )
    for name, value in (("mu1", mu1), ("sigma1", sigma1), ("mu2", mu2), ("sigma2", sigma2)):
        if not np.all(np.isfinite(value)):
            raise ValueError(f"{name} contains NaN or infinite values.")

    diff = mu1 - mu2
    covmean = linalg.sqrtm(sigma1.dot(sigma2))
    if not np.all(np.isfinite(covmean)):
        warnings.warn(
            f"Frechet distance: sigma1 @ sigma2 is singular; adding {eps} to the "
            "diagonals (as the TTUR reference does).",
            stacklevel=2,
        )
        offset = np.eye(d) * eps
        covmean = linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            largest = np.max(np.abs(covmean.imag))
            raise ValueError(
                f"Frechet distance: the matrix square root has an imaginary "
                f"component of {largest:.3g}; the covariances are not valid "
                "(too few samples for the feature dimension?)."
            )
        covmean = covmean.real
    value = diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2.0 * np.trace(covmean)
    return max(float(value), 0.0)


def frechet_distance_from_features(real_features, fake_features, eps=1e-6):
    """Frechet distance between Gaussians fitted to two feature arrays.

    Args:
        real_features: (N, D) array.
        fake_features: (M, D) array.
        eps: see `frechet_distance_from_stats`.

    Returns:
        The squared Frechet distance, a Python float.
    """
    real, fake = np.asarray(real_features), np.asarray(fake_features)
    if real.ndim == fake.ndim == 2 and real.shape[1] == fake.shape[1] and min(len(real), len(fake)) <= real.shape[1]:
        for name, x in (("real_features", real), ("fake_features", fake)):
            if len(x) < 2:
                raise ValueError(f"The Frechet distance needs at least 2 samples of {name}, got {len(x)}.")
            if not np.all(np.isfinite(x)):
                raise ValueError(f"{name} contain NaN or infinite values.")
        return _frechet_from_few_samples(real, fake)
    return _from_statistics(_stats_of_array(real, "real_features"), _stats_of_array(fake, "fake_features"), eps)


def _frechet_from_few_samples(x1, x2):
    """The Frechet distance of two sample arrays with fewer samples than
    dimensions, exactly and in O(N M D) instead of the O(D^3) of `sqrtm`.

    With centred samples X_i (N_i, D) and S_i = X_i^T X_i / (N_i - 1), the
    non-zero eigenvalues of S_1 S_2 are the squared singular values of
    M = X_1 X_2^T / sqrt((N_1 - 1)(N_2 - 1)), so Tr((S_1 S_2)^(1/2)) is M's
    nuclear norm, and Tr(S_i) = ||X_i||_F^2 / (N_i - 1). The covariances are
    singular here, so no diagonal offset is needed or added.
    """
    x1, x2 = np.asarray(x1, np.float64), np.asarray(x2, np.float64)
    mu1, mu2 = x1.mean(axis=0), x2.mean(axis=0)
    c1, c2 = x1 - mu1, x2 - mu2
    n1, n2 = len(x1) - 1, len(x2) - 1
    cross = linalg.svdvals(c1 @ c2.T).sum() / np.sqrt(n1 * n2)
    diff = mu1 - mu2
    value = diff.dot(diff) + np.sum(c1 * c1) / n1 + np.sum(c2 * c2) / n2 - 2.0 * cross
    return max(float(value), 0.0)


def frechet_distance(
    real,
    fake,
    *,
    num_samples=None,
    batch_size=500,
    seed=0,
    feature_extractor=None,
    eps=1e-6,
):
    """Frechet distance between real and generated samples in a feature space.

    Each side may be an array, a sample source read one batch at a time (a
    model with `generate(n, seed=...)`, a callable `fn(n, seed=...)`, an
    iterable of batches), or precomputed `FeatureStatistics`. Images
    ((N, 28, 28, 1) in [-1, 1]) are mapped to the shipped Fashion-MNIST
    classifier's features; 2-D arrays (N, D) are used as features directly.

    Args:
        real: real samples or their `FeatureStatistics`.
        fake: generated samples, a generator model, or `FeatureStatistics`.
        num_samples: how many samples to draw from a model or callable; by
            default as many as `real` holds (when known), else 10,000.
        batch_size: samples per batch (bounds memory).
        seed: base seed for models and callables.
        feature_extractor: optional callable mapping an image batch to (B, D)
            features, instead of the shipped classifier.
        eps: see `frechet_distance_from_stats`.

    Returns:
        The squared Frechet distance, a Python float.

    References:
        Heusel et al., 2017. https://arxiv.org/abs/1706.08500
    """
    kwargs = dict(batch_size=batch_size, feature_extractor=feature_extractor)
    real_stats = feature_statistics(real, seed=seed, **kwargs)
    if num_samples is None:
        num_samples = _default_num_samples(fake, real_stats.n)
    fake_stats = feature_statistics(fake, num_samples=num_samples, seed=seed, **kwargs)
    return _from_statistics(real_stats, fake_stats, eps)


def _default_num_samples(fake, real_n):
    """Fake sample count: all of an array/iterable, else as many as the real side."""
    if isinstance(fake, FeatureStatistics):
        return None
    if callable(getattr(fake, "generate", None)) or callable(fake):
        return real_n if real_n else 10_000
    return None


def _stats_of_array(features, name):
    features = np.asarray(features)
    if features.ndim != 2:
        raise ValueError(f"{name} must have shape (N, D), got {features.shape}.")
    return FeatureStatistics.from_features(features)


def _from_statistics(real, fake, eps):
    if real.dim != fake.dim:
        raise ValueError(
            f"Real and fake features differ in dimension ({real.dim} vs {fake.dim}); "
            "pass both as images or both as features of one extractor."
        )
    return frechet_distance_from_stats(real.mean, real.covariance, fake.mean, fake.covariance, eps)
