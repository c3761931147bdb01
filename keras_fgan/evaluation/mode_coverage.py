"""Mode coverage of 2-D Gaussian mixtures (the PacGAN / VEEGAN protocol).

Each sample is assigned to its nearest mode centre. It is *high quality* when
it lies within `num_std` (3) standard deviations of that centre. A mode is
*captured* when at least one high-quality sample is assigned to it. The
protocol uses 2,500 generated samples.

The returned `kl` is the "reverse KL" of PacGAN's tables: KL(p || u), where p
is the histogram of the high-quality samples over the modes (normalised to sum
to 1) and u is the uniform distribution of the true mixture, in nats:

    kl = sum_{i: p_i > 0} p_i * log(p_i * num_modes)

It is 0 when the high-quality samples are spread evenly over all modes and
log(num_modes) when they all fall on one mode. Edge case: with no high-quality
sample the histogram is undefined and `kl` is `inf` (worse than any collapse).

References:
    Lin, Khetan, Fanti and Oh, 2018. "PacGAN: The power of two samples in
    generative adversarial networks". https://arxiv.org/abs/1712.04086
    Srivastava, Valkov, Russell, Gutmann and Sutton, 2017. "VEEGAN: Reducing
    Mode Collapse in GANs using Implicit Variational Learning".
    https://arxiv.org/abs/1705.07761
"""

import numpy as np

from keras_fgan.datasets import mixture_modes


def mode_coverage(samples, mixture="ring", *, num_std=3.0):
    """Counts captured modes and high-quality samples of a 2-D mixture.

    Args:
        samples: array of shape (N, 2), e.g. 2,500 generated points.
        mixture: "ring" (8 modes), "grid" (25 modes), or a tuple
            `(centres, std)` with centres of shape (K, 2).
        num_std: a sample within `num_std * std` of its nearest centre is high
            quality.

    Returns:
        A dict with
        "modes" (int, modes captured),
        "num_modes" (int, 8 or 25),
        "high_quality" (float, fraction of samples that are high quality),
        "kl" (float, KL(p || uniform) of the high-quality samples' histogram
        over modes, in nats; `inf` if there is no high-quality sample),
        "num_samples" (int) and
        "counts" (list of int, high-quality samples per mode).

    Raises:
        ValueError: `samples` is not (N, 2) with N >= 1, or has NaN/inf values;
            `mixture` or `num_std` is invalid.

    References:
        Lin et al., 2018. https://arxiv.org/abs/1712.04086
    """
    if isinstance(mixture, str):
        centres, std = mixture_modes(mixture)
    else:
        try:
            centres, std = mixture
        except (TypeError, ValueError):
            raise ValueError(
                f"mixture must be 'ring', 'grid' or a (centres, std) tuple, got {mixture!r}."
            ) from None
    centres = np.asarray(centres, dtype=np.float64)
    if centres.ndim != 2 or centres.shape[1] != 2 or len(centres) == 0:
        raise ValueError(f"Mode centres must have shape (K, 2), got {centres.shape}.")
    if not np.isscalar(std) or not std > 0:
        raise ValueError(f"Mixture std must be a positive number, got std={std!r}.")
    if not np.isscalar(num_std) or not num_std > 0:
        raise ValueError(f"num_std must be a positive number, got num_std={num_std!r}.")

    samples = np.asarray(samples)
    if samples.ndim != 2 or samples.shape[1] != 2:
        raise ValueError(f"samples must have shape (N, 2), got {samples.shape}.")
    if len(samples) == 0:
        raise ValueError("samples is empty; mode coverage needs at least one sample.")
    samples = samples.astype(np.float64)
    if not np.all(np.isfinite(samples)):
        bad = int(np.sum(~np.all(np.isfinite(samples), axis=1)))
        raise ValueError(f"samples contains NaN or infinite values ({bad} of {len(samples)} rows).")

    num_modes = len(centres)
    distances = np.linalg.norm(samples[:, None, :] - centres[None, :, :], axis=-1)
    nearest = distances.argmin(axis=1)
    high_quality = distances[np.arange(len(samples)), nearest] <= num_std * float(std)
    counts = np.bincount(nearest[high_quality], minlength=num_modes)
    total = int(counts.sum())
    if total == 0:
        kl = float("inf")
    else:
        p = counts[counts > 0] / total
        kl = float(np.sum(p * np.log(p * num_modes)))
    return {
        "modes": int(np.count_nonzero(counts)),
        "num_modes": int(num_modes),
        "high_quality": float(high_quality.mean()),
        "kl": max(kl, 0.0),
        "num_samples": int(len(samples)),
        "counts": [int(c) for c in counts],
    }
