"""Property tests of the f-divergence table (theory.md section 3), per backend."""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import keras
from keras import ops

import keras_fgan as kf
from keras_fgan import objectives
from keras_fgan.backend import input_gradients

VARIANTS = [
    *[(name, {}) for name in kf.divergences.names() if name not in ("alpha", "jensen_shannon_weighted")],
    ("jensen_shannon_weighted", {"pi": 0.3}),
    ("jensen_shannon_weighted", {"pi": 0.8}),
    ("alpha", {"alpha": 0.5}),
    ("alpha", {"alpha": -1.0}),
    ("alpha", {"alpha": 2.0}),
    ("alpha", {"alpha": 3.5}),
]
IDS = [f"{n}{'-' + '-'.join(f'{k}{v}' for k, v in p.items()) if p else ''}" for n, p in VARIANTS]


def np32(fn, x):
    return ops.convert_to_numpy(fn(ops.convert_to_tensor(np.asarray(x, "float32")))).astype("float64")


@pytest.fixture(params=VARIANTS, ids=IDS)
def divergence(request):
    name, params = request.param
    return kf.divergences.get(name, **params)


def test_names_and_registry():
    assert kf.divergences.names() == [
        "total_variation", "kl", "reverse_kl", "pearson", "neyman", "squared_hellinger",
        "jeffrey", "jensen_shannon", "jensen_shannon_weighted", "gan", "alpha",
    ]
    d = kf.divergences.get("alpha", alpha=0.5)
    assert kf.divergences.get(kf.divergences.serialize(d)) == d


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: kf.divergences.get("kullback"), "Valid names: total_variation, kl"),
        (lambda: kf.divergences.get("alpha", alpha=1.0), "other than 0 and 1"),
        (lambda: kf.divergences.get("alpha", alpha=0), "other than 0 and 1"),
        (lambda: kf.divergences.get("jensen_shannon_weighted", pi=1.0), r"\(0, 1\)"),
        (lambda: kf.divergences.get("jensen_shannon_weighted", pi=-0.2), r"\(0, 1\)"),
        (lambda: kf.divergences.get("kl", alpha=2.0), "valid parameters: none"),
        (lambda: kf.divergences.get(3), "Unknown divergence"),
    ],
)
def test_invalid_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_f_at_one(divergence):
    assert np32(divergence.f, [1.0])[0] == pytest.approx(divergence.f_at_one, abs=1e-6)


def test_f_is_convex(divergence):
    u = np.linspace(0.05, 20.0, 2001)
    f = np32(divergence.f, u)
    second = f[2:] - 2 * f[1:-1] + f[:-2]
    assert np.all(second >= -1e-5 * (1 + np.abs(f[1:-1])))


@settings(max_examples=40, deadline=None)
@given(u=st.floats(0.01, 50.0), v=st.floats(-8.0, 8.0))
def test_fenchel_young(u, v):
    for name, params in VARIANTS:
        d = kf.divergences.get(name, **params)
        t = np32(d.activation, [v])[0]
        lhs = u * t - np32(d.f, [u])[0]
        rhs = np32(d.conjugate, [t])[0]
        assert lhs <= rhs + 1e-4 * (1 + abs(lhs) + abs(rhs)), (name, params, u, v, lhs, rhs)


def test_tightness_at_f_prime(divergence):
    u = np.concatenate([np.linspace(0.1, 0.95, 30), np.linspace(1.05, 10.0, 30)])
    t = np32(divergence.f_prime, u)
    expected = u * t - np32(divergence.f, u)
    np.testing.assert_allclose(np32(divergence.conjugate, t), expected, rtol=2e-4, atol=2e-4)


def test_activation_lands_in_conjugate_domain(divergence):
    # Beyond |v| ~ 16, 1 - exp(-v) rounds to the domain's edge in float32;
    # the fused conjugate_of_activation covers that range (see the test of
    # extreme outputs below).
    v = np.linspace(-15.0, 15.0, 3001)
    t = np32(divergence.activation, v)
    assert np.all(ops.convert_to_numpy(divergence.domain.contains(t)))


def test_fused_conjugate_matches_composition(divergence):
    v = np.linspace(-6.0, 6.0, 241)
    fused = np32(divergence.conjugate_of_activation, v)
    composed = np32(lambda x: divergence.conjugate(divergence.activation(x)), v)
    np.testing.assert_allclose(fused, composed, rtol=5e-4, atol=5e-4)


def test_bound_at_optimal_critic_recovers_divergence(divergence):
    # P = N(0, 1), Q = N(0.7, 1.2^2); T* = f'(p/q); integrate on a grid.
    x = np.linspace(-12.0, 12.0, 48001)
    p = np.exp(-x**2 / 2) / math.sqrt(2 * math.pi)
    q = np.exp(-((x - 0.7) ** 2) / (2 * 1.44)) / math.sqrt(2 * math.pi * 1.44)
    mask = (p > 1e-30) & (q > 1e-30)
    x, p, q = x[mask], p[mask], q[mask]
    u = p / q
    truth = np.trapezoid(q * np32(divergence.f, u), x)
    t_star = np32(divergence.f_prime, u)
    bound = np.trapezoid(p * t_star, x) - np.trapezoid(q * np32(divergence.conjugate, t_star), x)
    assert bound == pytest.approx(truth, rel=2e-3, abs=2e-4)


def _loss_fns(d):
    return {
        "discriminator": lambda v: objectives.f_gan_discriminator_loss(v, ops.flip(v, 0), d),
        "generator_minimax": lambda v: objectives.f_gan_generator_loss(v, d, loss="minimax"),
        "generator_heuristic": lambda v: objectives.f_gan_generator_loss(v, d, loss="heuristic"),
    }


def test_losses_and_gradients_finite_for_extreme_outputs(divergence):
    v = ops.convert_to_tensor(np.concatenate([np.linspace(-1e4, 1e4, 201), [-88.0, 88.0, 0.0]]).astype("float32"))
    for name, fn in _loss_fns(divergence).items():
        loss = ops.convert_to_numpy(fn(v))
        grad = ops.convert_to_numpy(input_gradients(fn, v))
        assert np.isfinite(loss), (name, loss)
        assert np.all(np.isfinite(grad)), (name, grad)


@pytest.mark.parametrize("variant", ["minimax", "non_saturating"])
def test_gan_and_wasserstein_losses_finite_for_extreme_outputs(variant):
    v = ops.convert_to_tensor(np.linspace(-1e4, 1e4, 201).astype("float32"))
    fns = [
        lambda x: objectives.gan_discriminator_loss(x, ops.flip(x, 0)),
        lambda x: objectives.gan_generator_loss(x, loss=variant),
        lambda x: objectives.wasserstein_critic_loss(x, ops.flip(x, 0)),
        lambda x: objectives.wasserstein_generator_loss(x),
    ]
    for fn in fns:
        assert np.isfinite(ops.convert_to_numpy(fn(v)))
        assert np.all(np.isfinite(ops.convert_to_numpy(input_gradients(fn, v))))


def test_gan_divergence_fused_form_is_softplus():
    d = kf.divergences.get("gan")
    v = np.linspace(-50, 50, 101)
    np.testing.assert_allclose(np32(d.conjugate_of_activation, v), np.logaddexp(0, v), rtol=1e-5, atol=1e-6)


def test_activation_layer_round_trip():
    layer = kf.layers.FDivergenceActivation("alpha", alpha=0.5)
    x = np.linspace(-3, 3, 12, dtype="float32").reshape(6, 2)
    out = ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(out, np32(kf.divergences.get("alpha", alpha=0.5).activation, x), atol=1e-6)
    clone = kf.layers.FDivergenceActivation.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    model = keras.Sequential([keras.Input((2,)), layer])
    restored = keras.Sequential.from_config(model.get_config())
    np.testing.assert_allclose(ops.convert_to_numpy(restored(x)), out, atol=1e-6)
    with pytest.raises(ValueError, match="Valid names"):
        kf.layers.FDivergenceActivation("nope")
