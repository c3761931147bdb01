"""The standard checks every adversarial model passes on every backend.

Usage, in a model's test file::

    def test_standard(tmp_path, ring_data):
        run_adversarial_model_test(lambda: kf.GAN(g(), d(), seed=1), ring_data, tmp_path)
"""

import keras
import numpy as np


def _values(variables):
    return [keras.ops.convert_to_numpy(v).copy() for v in variables]


def _changed(before, after):
    return any(not np.allclose(b, a) for b, a in zip(before, after))


def run_adversarial_model_test(model_factory, data, tmp_path, batch_size=64, extra_networks=()):
    """Fit runs and logs the model's metrics; every network changes; both
    optimizers advance; the config round trips; a `.keras` file round trips
    weights and optimizer state; `generate` is deterministic under a seed.

    Args:
        model_factory: returns a new, uncompiled model.
        data: a NumPy training array.
        tmp_path: a pytest temporary directory.
        batch_size: fit batch size.
        extra_networks: attribute names of further networks that must train
            (e.g. ("encoder",) for BiGAN).
    """
    model = model_factory()
    model.compile()
    networks = ("generator", "discriminator", *extra_networks)
    before = {name: _values(getattr(model, name).trainable_variables) for name in networks}
    history = model.fit(data, batch_size=batch_size, epochs=1, verbose=0)

    # Metrics (and `loss` = d_loss + g_loss, watched by TerminateOnNaN) reach
    # History and are finite.
    for name in (*model.metric_names, "loss"):
        assert name in history.history, f"metric {name} missing from History"
        assert np.isfinite(history.history[name][-1]), f"{name} is not finite"

    # Every network trained.
    for name in networks:
        after = _values(getattr(model, name).trainable_variables)
        assert _changed(before[name], after), f"the {name}'s weights did not change"

    # Both optimizers advanced by the expected number of steps.
    steps = int(np.ceil(len(data) / batch_size))
    d_iter = int(keras.ops.convert_to_numpy(model.d_optimizer.iterations))
    g_iter = int(keras.ops.convert_to_numpy(model.g_optimizer.iterations))
    assert g_iter == steps, (g_iter, steps)
    assert d_iter == steps * model.d_steps, (d_iter, steps * model.d_steps)

    # generate is deterministic under a seed and varies across seeds.
    a, b, c = model.generate(8, seed=3), model.generate(8, seed=3), model.generate(8, seed=4)
    assert a.shape == (8, *model.sample_shape) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)

    # Config round trip.
    config = model.get_config()
    clone = type(model).from_config(config)
    assert clone.get_config() == config

    # .keras round trip keeps weights, optimizer state and the compile config.
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is type(model)
    np.testing.assert_allclose(loaded.generate(8, seed=3), a, atol=1e-6)
    for name in ("d_optimizer", "g_optimizer"):
        saved_vars = _values(getattr(model, name).variables)
        loaded_vars = _values(getattr(loaded, name).variables)
        assert len(saved_vars) == len(loaded_vars)
        for s, l in zip(saved_vars, loaded_vars):
            np.testing.assert_allclose(s, l, atol=1e-7)
    # The loaded model trains on.
    loaded.fit(data[: 2 * batch_size], batch_size=batch_size, epochs=1, verbose=0)
    assert int(keras.ops.convert_to_numpy(loaded.g_optimizer.iterations)) == g_iter + 2
    return model
