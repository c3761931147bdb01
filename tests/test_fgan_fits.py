"""Acceptance fits of the theory on 1-D and 2-D problems, through the public API.

Recipes found here (documented in the FGAN guide): the generator starts
narrower than the data (x = 0.3 z): for neyman this keeps D_f finite
(int (q - p)^2 / p diverges when q's tails are heavier than p's), and for
mode-seeking divergences it avoids the symmetric covering saddle.
"""

import math

import keras
import numpy as np
import pytest
from keras import ops

import keras_fgan as kf
from convergence import convergence_test

# Per-divergence training budget for the N(1.5, 0.5^2) fit (epochs of 32
# steps, learning rate, critic steps). Total variation's critic is a bounded
# sign-like function (g_f = tanh / 2) whose input gradient vanishes away from
# its decision boundary, so the generator needs a stronger critic; unchecked,
# that critic's logits grow until tanh saturates in float32 at every sample
# and both players stop dead (seen: sigma frozen at 0.34-0.44 on TF and JAX).
# An R1 penalty (Mescheder et al. 2018) keeps the critic smooth: with
# R1(0.1) all three backends end at (1.50, 0.50). Neyman's critic must
# track T* = 1 - (q/p)^2. Neyman's D_f = int (q - p)^2 / p weights the
# generator's mass by 1/p, so mass deep in the data's tail dominates its
# gradient: started 3 data standard deviations away (mean 0) the generator
# first collapses its width while moving in and recovers only slowly (fails
# for about 1 seed in 3); started inside the data's bulk (mean 1.0) it
# converged on every one of 4 seeds x 3 backends tried.
RECIPES = {
    "total_variation": dict(epochs=30, d_lr=1e-2, g_lr=2e-3, d_steps=5, r1=0.1),
    "neyman": dict(epochs=30, d_lr=5e-3, g_lr=5e-3, d_steps=1, mean=1.0),
}
DEFAULT_RECIPE = dict(epochs=20, d_lr=5e-3, g_lr=5e-3, d_steps=1)


def _fit_affine(data, divergence, recipe, mean=0.0, scale=0.3, generator_loss="auto"):
    model = kf.FGAN(
        kf.networks.affine_generator(1, 1, mean=mean, scale=scale),
        kf.networks.mlp_discriminator(1, width=32, depth=2),
        divergence=divergence,
        generator_loss=generator_loss,
        d_steps=recipe["d_steps"],
        regularizers=[kf.regularizers.R1(recipe["r1"])] if "r1" in recipe else None,
        seed=0,
    )
    # One execution per epoch (32 steps): the same updates, with Keras' per-call
    # overhead paid once per epoch (TensorFlow 5.0 -> 3.2 ms a step here).
    model.compile(
        d_optimizer=keras.optimizers.Adam(recipe["d_lr"], beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(recipe["g_lr"], beta_1=0.5),
        steps_per_execution=len(data) // 256,
    )
    model.fit(data, batch_size=256, epochs=recipe["epochs"], verbose=0)
    kernel, bias = (ops.convert_to_numpy(w) for w in model.generator.get_layer("affine").weights)
    return float(bias[0]), abs(float(kernel[0, 0]))


# JAX runs the whole sweep. TensorFlow runs one divergence per form of
# conjugate (exp, log, quadratic, Neyman's square root, Lambert W, power) and
# PyTorch two (exp and log); the rest differ only in keras.ops formulas,
# which tests/test_divergences.py checks on every backend. The whole sweep
# passed on torch on 2026-12-01 (all 11, 104 s with another test process
# sharing the 2 cores, total_variation 32 s of it) and on TensorFlow in every
# CI run up to 2026-12-01 (97 s); CI's 25 minutes do not hold it three times.
SWEEP = {
    "jax": tuple(kf.divergences.names()),
    "tensorflow": ("kl", "reverse_kl", "pearson", "neyman", "jeffrey", "alpha"),
    "torch": ("kl", "reverse_kl"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", kf.divergences.names())
def test_fgan_recovers_gaussian(name):
    sweep = SWEEP[keras.backend.backend()]
    if name not in sweep:
        pytest.skip(f"this backend runs the sweep on {', '.join(sweep)} (CI time; see SWEEP)")
    data = (1.5 + 0.5 * np.random.default_rng(0).standard_normal((8192, 1))).astype("float32")
    recipe = RECIPES.get(name, DEFAULT_RECIPE)
    mu, sigma = _fit_affine(data, name, recipe, mean=recipe.get("mean", 0.0))
    assert abs(mu - 1.5) < 0.1 and abs(sigma - 0.5) < 0.1, (name, mu, sigma)


def _mixture(n=8192):
    rng = np.random.default_rng(0)
    centres = np.where(rng.integers(0, 2, n) == 0, -2.0, 2.0)
    return (centres + 0.5 * rng.standard_normal(n)).astype("float32")[:, None]


def _exact_optimum(name):
    """argmin over (mu, sigma) of D_f(P || N(mu, sigma^2)) by quadrature."""
    from scipy.optimize import minimize

    x = np.linspace(-12, 12, 12001)

    def pdf(m, s):
        return np.exp(-((x - m) ** 2) / (2 * s * s)) / (math.sqrt(2 * math.pi) * s)

    p = 0.5 * pdf(-2.0, 0.5) + 0.5 * pdf(2.0, 0.5)
    d = kf.divergences.get(name)

    def objective(theta):
        q = pdf(theta[0], math.exp(theta[1]))
        ok = (p > 1e-300) & (q > 1e-300)
        u = ops.convert_to_tensor(p[ok] / q[ok], "float32")
        return float(np.trapezoid(q[ok] * ops.convert_to_numpy(d.f(u)), x[ok]))

    starts = ([0.0, 0.7], [2.0, -0.7])
    best = min((minimize(objective, s, method="Nelder-Mead") for s in starts), key=lambda r: r.fun)
    return best.x[0], math.exp(best.x[1])


@pytest.mark.slow
@convergence_test("jax")
def test_mode_covering_versus_mode_seeking():
    """Both with the minimax generator loss, the one whose gradient is that of
    D_f(P || Q): the heuristic loss follows -E_q[grad T*] instead, which for
    kl is the gradient of the reverse KL, so under a misspecified generator it
    does not minimise the named divergence. reverse_kl reaches its
    mode-seeking optimum from a generator started narrower than the data;
    from a wide start it stalls at the symmetric covering saddle."""
    data = _mixture()
    kl_mu, kl_sigma = _fit_affine(data, "kl", dict(epochs=30, d_lr=5e-3, g_lr=5e-3, d_steps=1),
                                  mean=0.3, scale=1.0, generator_loss="minimax")
    rkl_mu, rkl_sigma = _fit_affine(data, "reverse_kl", dict(epochs=40, d_lr=5e-3, g_lr=5e-3, d_steps=1),
                                    mean=0.3, scale=0.3, generator_loss="minimax")
    opt_kl = _exact_optimum("kl")  # moment matching: (0, 2.06)
    opt_rkl = _exact_optimum("reverse_kl")  # one mode: (+-2, ~0.5)
    assert abs(opt_kl[0]) < 0.05 and abs(opt_kl[1] - 2.06) < 0.05
    assert abs(abs(opt_rkl[0]) - 2.0) < 0.1 and abs(opt_rkl[1] - 0.5) < 0.1
    # kl (mode covering) lands near its optimum ...
    assert abs(kl_mu - opt_kl[0]) < 0.4 and abs(kl_sigma - opt_kl[1]) < 0.3, (kl_mu, kl_sigma)
    # ... reverse_kl (mode seeking) sits on one mode ...
    assert abs(abs(rkl_mu) - 2.0) < 0.35 and rkl_sigma < 1.0, (rkl_mu, rkl_sigma)
    # ... and kl ends with a clearly larger sigma.
    assert kl_sigma > 2 * rkl_sigma, (kl_sigma, rkl_sigma)


TRUE_DIVERGENCES_N01_N11 = {
    # closed forms for P = N(0, 1), Q = N(1, 1)
    "kl": 0.5,
    "reverse_kl": 0.5,
    "pearson": math.e - 1.0,
    "squared_hellinger": 2.0 * (1.0 - math.exp(-1.0 / 8.0)),
    "total_variation": math.erf(0.5 / math.sqrt(2.0)),
    "jensen_shannon": None,  # by quadrature below
}


def _quadrature(name):
    x = np.linspace(-15, 16, 62001)
    p = np.exp(-(x**2) / 2) / math.sqrt(2 * math.pi)
    q = np.exp(-((x - 1) ** 2) / 2) / math.sqrt(2 * math.pi)
    f = ops.convert_to_numpy(kf.divergences.get(name).f(ops.convert_to_tensor(p / q, "float32")))
    return float(np.trapezoid(q * f, x))


@pytest.mark.slow
@convergence_test("jax")
@pytest.mark.parametrize("name", list(TRUE_DIVERGENCES_N01_N11))
def test_estimate_divergence(name):
    rng = np.random.default_rng(0)
    p, q = rng.normal(0, 1, 10_000), rng.normal(1, 1, 10_000)
    truth = TRUE_DIVERGENCES_N01_N11[name]
    quad = _quadrature(name)
    if truth is None:
        truth = quad
    assert quad == pytest.approx(truth, rel=1e-3)
    estimate = kf.estimate_divergence(p, q, name)
    assert abs(estimate - truth) <= 0.1 * truth, (name, estimate, truth)
    # A lower bound, up to sampling noise (3 standard errors of the
    # bound's sample mean, estimated generously at 0.02 * truth + 0.01).
    assert estimate <= truth + 0.02 * truth + 0.01


def test_estimate_divergence_validates_input():
    with pytest.raises(ValueError, match="same dimension"):
        kf.estimate_divergence(np.zeros((10, 2)), np.zeros((10, 3)), "kl")
    with pytest.raises(ValueError, match="NaN or inf"):
        kf.estimate_divergence(np.array([0.0, np.nan, 1.0]), np.zeros(10), "kl")
    with pytest.raises(ValueError, match="Unknown divergence"):
        kf.estimate_divergence(np.zeros(10), np.zeros(10), "klx")
