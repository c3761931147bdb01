"""The 2-D Gaussian mixtures of the mode-coverage protocol ("ring", "grid").

References:
    Lin, Khetan, Fanti and Oh, 2018. "PacGAN: The power of two samples in
    generative adversarial networks". https://arxiv.org/abs/1712.04086
    Srivastava et al., 2017. "VEEGAN: Reducing Mode Collapse in GANs using
    Implicit Variational Learning". https://arxiv.org/abs/1705.07761
"""

import numpy as np

from keras_fgan.datasets.sources import splits

DEFAULT_N = 10_000


def mixture_modes(name):
    """Returns the mode centres and per-coordinate std of a 2-D mixture.

    The PacGAN/VEEGAN protocol: "ring" has 8 modes evenly spaced on a circle of
    radius 1 with std 0.01; "grid" has 25 modes at {-4, -2, 0, 2, 4}^2 with std
    0.05.

    Args:
        name: "ring" or "grid".

    Returns:
        A tuple `(centres, std)`: a float32 array of shape (num_modes, 2) and a
        float.

    References:
        Lin et al., 2018. "PacGAN". https://arxiv.org/abs/1712.04086
    """
    if name == "ring":
        angles = 2.0 * np.pi * np.arange(8) / 8.0
        centres = np.stack([np.cos(angles), np.sin(angles)], axis=1)
        return centres.astype(np.float32), 0.01
    if name == "grid":
        values = np.array([-4.0, -2.0, 0.0, 2.0, 4.0])
        centres = np.array([(x, y) for x in values for y in values])
        return centres.astype(np.float32), 0.05
    raise ValueError(f"Unknown mixture name={name!r}. Valid mixtures: ring, grid.")


def sample_mixture(name, n, seed, split):
    """`n` points (float32) and their mode indices (int64) of one split: the
    split seeds its own stream, so train and test are independent draws."""
    centres, std = mixture_modes(name)
    rng = np.random.default_rng([int(seed), splits(name).index(split)])
    labels = rng.integers(0, len(centres), size=n)
    points = centres[labels].astype(np.float64) + std * rng.standard_normal((n, 2))
    return points.astype(np.float32), labels.astype(np.int64)
