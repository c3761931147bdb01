"""The Lipschitz constraint objects, on the current backend."""

import keras
import numpy as np
import pytest

import keras_fgan as kf
from keras_fgan import lipschitz
from test_wgan import single_threaded_torch  # noqa: F401  (autouse fixture)


def _np(x):
    return keras.ops.convert_to_numpy(x)


def _top_singular_value(w):
    w = np.asarray(w, "float64")
    return np.linalg.svd(w.reshape(-1, w.shape[-1]), compute_uv=False)[0]


# ---------------------------------------------------------------- objects --
def test_weight_clip_clips_and_serialises():
    clip = lipschitz.WeightClip(0.05)
    w = np.array([[-1.0, -0.05, 0.0], [0.01, 0.05, 3.0]], "float32")
    np.testing.assert_allclose(_np(clip(w)), np.clip(w, -0.05, 0.05))
    assert isinstance(clip, keras.constraints.Constraint)
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(clip))
    assert type(restored) is lipschitz.WeightClip and restored.clip_value == 0.05


def test_weight_clip_on_any_layer_round_trips():
    layer = keras.layers.Dense(3, kernel_constraint=lipschitz.WeightClip(0.02))
    clone = keras.layers.Dense.from_config(layer.get_config())
    assert isinstance(clone.kernel_constraint, lipschitz.WeightClip)
    assert clone.kernel_constraint.clip_value == 0.02


@pytest.mark.parametrize("shape", [(64, 32), (128, 1), (1, 7), (2, 128), (128, 128), (3, 3, 8, 16)])
def test_spectral_norm_normalises_kernels(shape):
    w = np.random.default_rng(0).standard_normal(shape).astype("float32") * 3.0
    out = _np(lipschitz.SpectralNorm()(keras.ops.convert_to_tensor(w)))
    assert out.shape == shape
    np.testing.assert_allclose(_top_singular_value(out), 1.0, atol=1e-4)
    # It rescales, nothing else.
    np.testing.assert_allclose(out / w, np.full(shape, out.flat[0] / w.flat[0]), rtol=1e-4)


def test_spectral_norm_keeps_a_zero_kernel_finite():
    out = _np(lipschitz.SpectralNorm()(keras.ops.zeros((4, 3))))
    np.testing.assert_array_equal(out, np.zeros((4, 3)))


@pytest.mark.parametrize(
    "penalty, expected",
    [
        (lipschitz.GradientPenalty(10.0), lambda n: 10.0 * np.mean((n - 1.0) ** 2)),
        (lipschitz.GradientPenalty(2.0, target=0.5), lambda n: 2.0 * np.mean((n - 0.5) ** 2)),
        (
            lipschitz.GradientPenalty(10.0, one_sided=True),
            lambda n: 10.0 * np.mean(np.maximum(n - 1.0, 0.0) ** 2),
        ),
        (lipschitz.WeightClip(), lambda n: 0.0),
        (lipschitz.SpectralNorm(), lambda n: 0.0),
    ],
)
def test_penalty_values(penalty, expected):
    norms = np.array([0.0, 0.3, 1.0, 1.7, 4.0], "float32")
    np.testing.assert_allclose(float(_np(penalty.penalty(norms))), expected(norms), rtol=1e-6)


def test_interpolates_lie_on_the_segments():
    rng = np.random.default_rng(0)
    real = rng.standard_normal((256, 3, 2)).astype("float32")
    fake = rng.standard_normal((256, 3, 2)).astype("float32") + 5.0
    x_hat = _np(lipschitz.interpolates(real, fake, seed=1))
    eps = (x_hat - fake) / (real - fake)  # one eps per sample, shared by its entries
    np.testing.assert_allclose(eps, np.broadcast_to(eps[:, :1, :1], eps.shape), atol=1e-4)
    assert eps.min() >= -1e-5 and eps.max() <= 1 + 1e-5
    assert eps[:, 0, 0].std() > 0.2  # U[0, 1] has std 0.29


# --------------------------------------------------------------- registry --
@pytest.mark.parametrize(
    "name, cls, config",
    [
        ("weight_clip", lipschitz.WeightClip, {"clip_value": 0.01}),
        ("gradient_penalty", lipschitz.GradientPenalty,
         {"weight": 10.0, "target": 1.0, "one_sided": False}),
        ("one_sided_penalty", lipschitz.GradientPenalty,
         {"weight": 10.0, "target": 1.0, "one_sided": True}),
        ("spectral_norm", lipschitz.SpectralNorm, {"power_iterations": 256}),
    ],
)
def test_get_by_name_and_config(name, cls, config):
    constraint = lipschitz.get(name)
    assert type(constraint) is cls and constraint.get_config() == config
    assert lipschitz.get(constraint) is constraint
    restored = lipschitz.get(lipschitz.serialize(constraint))
    assert type(restored) is cls and restored.get_config() == config
    assert set(lipschitz.names()) == {
        "weight_clip", "gradient_penalty", "one_sided_penalty", "spectral_norm"
    }


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: lipschitz.WeightClip(0.0), r"clip_value.*> 0"),
        (lambda: lipschitz.WeightClip(-0.01), r"clip_value.*> 0"),
        (lambda: lipschitz.WeightClip(float("inf")), r"clip_value.*finite"),
        (lambda: lipschitz.WeightClip("0.01"), r"clip_value"),
        (lambda: lipschitz.GradientPenalty(-1.0), r"weight.*>= 0"),
        (lambda: lipschitz.GradientPenalty(float("nan")), r"weight.*>= 0"),
        (lambda: lipschitz.GradientPenalty(10.0, target=0.0), r"target.*> 0"),
        (lambda: lipschitz.GradientPenalty(10.0, one_sided="yes"), r"one_sided.*True or False"),
        (lambda: lipschitz.SpectralNorm(0), "`power_iterations` must be a positive integer"),
        (lambda: lipschitz.SpectralNorm(2.5), "`power_iterations` must be a positive integer"),
        (lambda: lipschitz.get("gradient_clip"),
         r"valid: weight_clip, gradient_penalty, one_sided_penalty, spectral_norm"),
        (lambda: lipschitz.get(0.01), r"LipschitzConstraint"),
    ],
)
def test_invalid_arguments_raise(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_zero_weight_penalty_is_allowed():
    assert float(_np(lipschitz.GradientPenalty(0.0).penalty(np.array([3.0])))) == 0.0


# ------------------------------------- gradient norms inside a training step --
def _linear_critic(kernel):
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, name="output")])
    critic.set_weights([np.asarray(kernel, "float32").reshape(2, 1), np.zeros(1, "float32")])
    return critic


def _frozen_fit(constraint, kernel, steps=2):
    """One epoch with both learning rates 0: the logs measure, nothing moves.
    Weight clipping and spectral norm compute no input gradient: their
    `grad_norm` is opt-in, through `GradientNormMonitor`."""
    monitor = [] if isinstance(constraint, kf.regularizers.Regularizer) else [
        kf.regularizers.GradientNormMonitor()]
    model = kf.WGAN(kf.networks.mlp_generator(2, 2, width=8, depth=1), _linear_critic(kernel),
                    lipschitz=constraint, n_critic=1, seed=0, regularizers=monitor)
    # On TensorFlow, run eagerly: this covers the eager nested tape (the
    # standard tests cover tf.function), and two steps do not repay tracing.
    model.compile(d_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(0.0),
                  run_eagerly=keras.backend.backend() == "tensorflow")
    data = np.random.default_rng(0).standard_normal((32 * steps, 2)).astype("float32")
    history = model.fit(data, batch_size=32, epochs=1, verbose=0).history
    return {k: v[-1] for k, v in history.items()}


@pytest.mark.parametrize(
    "constraint, grad_norm, penalty",
    [
        (lipschitz.GradientPenalty(10.0), 5.0, 10.0 * 4.0**2),
        (lipschitz.GradientPenalty(2.0, target=7.0), 5.0, 2.0 * 2.0**2),
        (lipschitz.GradientPenalty(2.0, target=7.0, one_sided=True), 5.0, 0.0),
        (lipschitz.GradientPenalty(3.0, target=2.0, one_sided=True), 5.0, 3.0 * 3.0**2),
        (lipschitz.WeightClip(0.01), 0.01 * np.sqrt(2.0), 0.0),  # kernel clipped to 0.01
        (lipschitz.SpectralNorm(), 1.0, 0.0),  # kernel [3, 4] / 5
    ],
)
def test_grad_norm_and_penalty_in_training(constraint, grad_norm, penalty):
    logs = _frozen_fit(constraint, [3.0, 4.0])
    np.testing.assert_allclose(logs["grad_norm"], grad_norm, rtol=1e-4)
    # d_loss = E[D(fake)] - E[D(real)] + penalty, and wasserstein = -(the first part).
    np.testing.assert_allclose(logs["d_loss"] + logs["wasserstein"], penalty, atol=1e-3)


def test_penalty_is_safe_at_a_zero_gradient():
    """A critic with a zero kernel has input gradient exactly 0; the penalty's
    gradient there must be finite (sqrt(0) would give NaN)."""
    model = kf.WGAN(kf.networks.mlp_generator(2, 2, width=8, depth=1), _linear_critic([0.0, 0.0]),
                    lipschitz=lipschitz.GradientPenalty(10.0), n_critic=1, seed=0)
    model.compile(d_optimizer=keras.optimizers.SGD(1e-2), g_optimizer=keras.optimizers.SGD(1e-2))
    data = np.random.default_rng(0).standard_normal((32, 2)).astype("float32") + 3.0
    history = model.fit(data, batch_size=32, epochs=1, verbose=0).history
    assert all(np.isfinite(v[-1]) for v in history.values()), history
    assert history["grad_norm"][-1] < 1e-5
    for w in model.discriminator.get_weights() + model.generator.get_weights():
        assert np.all(np.isfinite(w))
    # The Wasserstein term alone moved the critic (mean data - mean fake ~ 3).
    assert np.abs(model.discriminator.get_weights()[0]).max() > 1e-3
