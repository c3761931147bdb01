"""`kf.AdversarialModel`: every loss with every regularizer, packing, generator
EMA and evaluation, through the public API, on the current backend.

The (loss x regularizer) grid is read from the registries, so a new loss or
regularizer is tested here as soon as it is registered.
"""

import keras
import numpy as np
import pytest

import keras_fgan as kf
from adversarial_test_case import run_adversarial_model_test
from test_wgan import single_threaded_torch  # noqa: F401  (autouse fixture)

REGULARIZERS = (None,) + kf.regularizers.names()


def _nets(width=16, depth=1, pack=1, spectral_norm=False):
    return (kf.networks.mlp_generator(2, 2, width=width, depth=depth),
            kf.networks.mlp_discriminator(2, width=width, depth=depth, pack=pack,
                                          spectral_norm=spectral_norm))


def _values(variables):
    return [keras.ops.convert_to_numpy(v).copy() for v in variables]


# ---------------------------------------------------- loss x regularizer --
# One execution per 200 steps: Keras' per-call overhead is paid once (on
# TensorFlow the step runs in a `tf.while_loop`); JAX compiles it without
# most XLA passes (tests/conftest.py).
PAIR_STEPS = 200


@pytest.mark.parametrize("regularizer", REGULARIZERS)
@pytest.mark.parametrize("loss", kf.losses.names())
def test_every_loss_with_every_regularizer(loss, regularizer, tmp_path):
    """200 steps with finite losses; `get_config` and `.keras` (optimizer
    state included) round trips."""
    model = kf.AdversarialModel(*_nets(), loss=loss,
                                regularizers=[regularizer] if regularizer else [], seed=0)
    model.compile(d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
                  g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
                  steps_per_execution=PAIR_STEPS)
    data = kf.datasets.load("ring", n=PAIR_STEPS * 16, seed=0)
    history = model.fit(data, batch_size=16, epochs=1, verbose=0).history
    for name in (*model.metric_names, "loss"):
        assert np.isfinite(history[name][-1]), (name, history[name])
    assert int(keras.ops.convert_to_numpy(model.g_optimizer.iterations)) == PAIR_STEPS

    config = model.get_config()
    assert kf.AdversarialModel.from_config(config).get_config() == config
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.adversarial_loss == model.adversarial_loss
    assert loaded.regularizers == model.regularizers
    # Every variable comes back bit for bit: both networks' weights, the
    # latent sampler's state and both optimizers' state. (`generate` after a
    # reload is checked by the standard suite, adversarial_test_case.py.)
    assert len(loaded.variables) == len(model.variables)
    for saved, restored in zip(_values(model.variables), _values(loaded.variables)):
        np.testing.assert_array_equal(saved, restored)
    for name in ("d_optimizer", "g_optimizer"):
        for saved, restored in zip(_values(getattr(model, name).variables),
                                   _values(getattr(loaded, name).variables)):
            np.testing.assert_array_equal(saved, restored)


def test_standard_checks_with_packing_and_ema(ring_data, tmp_path):
    run_adversarial_model_test(
        lambda: kf.AdversarialModel(*_nets(pack=2), loss="relativistic",
                                    regularizers=["r1", "r2"], pack=2, ema=0.9, d_steps=2, seed=1),
        ring_data, tmp_path)


# ----------------------------------------------------------------- packing --
def test_packing_concatenates_samples_along_the_last_axis():
    vectors = kf.AdversarialModel(*_nets(pack=3), pack=3)
    assert vectors.packed_shape == (6,)
    x = np.arange(14, dtype="float32").reshape(7, 2)
    packed = keras.ops.convert_to_numpy(vectors.pack_samples(x))
    # 7 samples -> 3 packs; the last pack is completed with samples 0 and 1.
    expected = np.concatenate([x, x[:2]]).reshape(3, 6)
    np.testing.assert_array_equal(packed, expected)

    generator = kf.networks.dcgan_generator(8, (8, 8, 3), width=4)
    images = kf.AdversarialModel(generator, kf.networks.dcgan_discriminator((8, 8, 3), width=4, pack=2),
                                 pack=2)
    assert images.packed_shape == (8, 8, 6)
    x = np.random.default_rng(0).standard_normal((4, 8, 8, 3)).astype("float32")
    packed = keras.ops.convert_to_numpy(images.pack_samples(x))
    np.testing.assert_array_equal(packed, np.concatenate([x[0::2], x[1::2]], axis=-1))


def test_packing_needs_a_matching_discriminator():
    with pytest.raises(ValueError, match=r"packed 2 at a time along the last axis, i.e. \(4,\)"):
        kf.AdversarialModel(*_nets(pack=1), pack=2)
    with pytest.raises(ValueError, match=r"`pack` must be a positive integer"):
        kf.GAN(*_nets(), pack=0)


@pytest.mark.parametrize("pack", [1, 2])
def test_packed_and_unpacked_generators_export_to_onnx(pack, ring_data, tmp_path):
    pytest.importorskip("onnxruntime", reason="the onnx extra is not installed")
    import onnxruntime

    model = kf.GAN(*_nets(pack=pack), pack=pack, seed=0)
    assert model.discriminator.inputs[0].shape[-1] == 2 * pack
    model.compile()
    model.fit(ring_data[:256], batch_size=64, epochs=1, verbose=0)
    written = kf.export.export_onnx(model, tmp_path / "g.onnx")
    z = model.latent_batch(32, seed=0)
    session = onnxruntime.InferenceSession(str(written["generator"]))
    served = session.run(None, {session.get_inputs()[0].name: z})[0]
    np.testing.assert_allclose(served, model.generate(32, seed=0), atol=1e-5)


# --------------------------------------------------------------------- EMA --
def test_ema_matches_a_numpy_average_of_the_recorded_weights(ring_data):
    decay = 0.8
    model = kf.GAN(*_nets(), ema=decay, seed=0)
    model.compile(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.Adam(1e-2))
    average = _values(model.generator.trainable_variables)
    for step in range(6):
        model.train_on_batch(ring_data[64 * step : 64 * (step + 1)])
        weights = _values(model.generator.trainable_variables)
        average = [decay * a + (1 - decay) * w for a, w in zip(average, weights)]
    ema = _values(model.ema_generator.trainable_weights or model.ema_generator.weights)
    raw = _values(model.generator.weights)
    assert len(ema) == len(average)
    for got, expected in zip(ema, average):
        np.testing.assert_allclose(got, expected, atol=1e-6)
    assert any(not np.allclose(e, r) for e, r in zip(ema, raw))
    # generate (and the model's call) use the averaged generator.
    z = model.latent_batch(16, seed=2)
    averaged = keras.ops.convert_to_numpy(model.ema_generator(z))
    np.testing.assert_allclose(model.generate(16, seed=2), averaged, atol=1e-6)
    assert not np.allclose(averaged, keras.ops.convert_to_numpy(model.generator(z)), atol=1e-4)


def test_ema_is_saved_and_validated(ring_data, tmp_path):
    model = kf.GAN(*_nets(), ema=0.5, seed=0)
    model.compile()
    model.fit(ring_data[:256], batch_size=64, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert loaded.ema == 0.5
    np.testing.assert_allclose(loaded.generate(8, seed=0), model.generate(8, seed=0), atol=1e-6)
    for bad in (1.0, -0.1, "0.9"):
        with pytest.raises(ValueError, match="ema"):
            kf.GAN(*_nets(), ema=bad)


# -------------------------------------------------------------- evaluation --
def _fixed_gan():
    """A GAN whose generator ignores z (G(z) = (1, -1)) and whose
    discriminator is linear (D(x) = 2 x_0 - x_1 + 0.5): its losses on a
    fixed batch are known in closed form."""
    generator = kf.networks.mlp_generator(2, 2, width=4, depth=1)
    generator.set_weights([w * 0 for w in generator.get_weights()[:-1]] + [np.array([1.0, -1.0], "float32")])
    discriminator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    discriminator.set_weights([np.array([[2.0], [-1.0]], "float32"), np.array([0.5], "float32")])
    model = kf.GAN(generator, discriminator, seed=0)
    model.compile()
    return model


def test_evaluate_matches_a_hand_computation_and_changes_nothing():
    model = _fixed_gan()
    x = np.random.default_rng(0).standard_normal((96, 2)).astype("float32")
    before = _values(model.weights) + _values(model.optimizer.variables)
    logs = model.evaluate(x, batch_size=32, verbose=0, return_dict=True)
    softplus = lambda v: np.logaddexp(0.0, v)  # noqa: E731
    real_scores = x.astype("float64") @ np.array([2.0, -1.0]) + 0.5
    fake_score = 2.0 * 1.0 - (-1.0) + 0.5
    np.testing.assert_allclose(logs["d_loss"], softplus(-real_scores).mean() + softplus(fake_score), rtol=1e-5)
    np.testing.assert_allclose(logs["g_loss"], softplus(-fake_score), rtol=1e-5)
    after = _values(model.weights) + _values(model.optimizer.variables)
    for b, a in zip(before, after):
        if b.dtype.kind == "f":
            np.testing.assert_array_equal(b, a)
    assert int(keras.ops.convert_to_numpy(model.g_optimizer.iterations)) == 0


@pytest.mark.parametrize("make", [
    lambda: kf.FGAN(*_nets(), divergence="kl", seed=0),
    lambda: kf.WGAN(*_nets(), n_critic=1, seed=0),
    lambda: kf.BiGAN(kf.networks.mlp_generator(2, 2, width=8, depth=1),
                     kf.networks.mlp_encoder(2, 2, width=8, depth=1),
                     kf.networks.mlp_joint_discriminator(2, 2, width=8, depth=1), seed=0),
])
def test_validation_data_and_callbacks_monitoring_it(make, ring_data):
    model = make()
    model.compile()
    stopper = keras.callbacks.EarlyStopping(monitor="val_d_loss", patience=1, mode="min")
    history = model.fit(ring_data[:512], validation_data=ring_data[512:768], batch_size=64,
                        epochs=2, verbose=0, callbacks=[stopper]).history
    for name in model.metric_names:
        values = history[f"val_{name}"]
        assert np.all(np.isfinite(values)) and np.all(np.asarray(values) != 0.0), (name, values)

