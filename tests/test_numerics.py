"""Mixed precision and non-finite losses, through the public API."""

import keras
import numpy as np
import pytest
from keras import ops

import keras_fgan as kf
from keras_fgan.models.adversarial_model import NonFiniteLossError


@pytest.fixture
def policy(request):
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(request.param)
    yield request.param
    keras.config.set_dtype_policy(previous)


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"], indirect=True)
@pytest.mark.parametrize("objective", ["gan", "fgan_kl", "wgan_gp"])
def test_mixed_precision_training(policy, objective, ring_data):
    g = kf.networks.mlp_generator(4, 2, width=16, depth=2)
    d = kf.networks.mlp_discriminator(2, width=16, depth=2)
    if objective == "gan":
        model = kf.GAN(g, d, seed=0)
    elif objective == "fgan_kl":
        model = kf.FGAN(g, d, divergence="kl", seed=0)
    else:
        model = kf.WGAN(g, d, lipschitz=kf.lipschitz.GradientPenalty(10.0), n_critic=2, seed=0)
    model.compile()
    assert model.dtype_policy.name == policy
    loss_scaled = isinstance(model.d_optimizer, keras.optimizers.LossScaleOptimizer)
    assert loss_scaled == (policy == "mixed_float16")
    assert isinstance(model.g_optimizer, keras.optimizers.LossScaleOptimizer) == loss_scaled
    history = model.fit(ring_data, batch_size=128, epochs=2, verbose=0)
    for name in model.metric_names:
        assert np.all(np.isfinite(history.history[name])), (name, history.history[name])
    assert int(ops.convert_to_numpy(model.g_optimizer.iterations)) == 16
    samples = model.generate(16, seed=0)
    assert samples.dtype == np.float32 and np.all(np.isfinite(samples))


def _exploding_gan():
    model = kf.FGAN(kf.networks.mlp_generator(2, 2, width=8, depth=1),
                    kf.networks.mlp_discriminator(2, width=8, depth=1), divergence="pearson", seed=0)
    model.compile(d_optimizer=keras.optimizers.SGD(1e30), g_optimizer=keras.optimizers.SGD(1e30))
    return model


def test_non_finite_loss_stops_with_a_message(ring_data):
    with pytest.raises(NonFiniteLossError, match=r"FGAN\(divergence=.*pearson.*non-finite loss at epoch 1, step \d+"):
        _exploding_gan().fit(ring_data, batch_size=64, epochs=2, verbose=0)


def test_terminate_on_nan_works(ring_data):
    model = _exploding_gan()
    with pytest.warns(UserWarning, match="non-finite loss"):
        history = model.fit(ring_data, batch_size=64, epochs=3, verbose=0,
                            callbacks=[keras.callbacks.TerminateOnNaN()])
    assert int(ops.convert_to_numpy(model.g_optimizer.iterations)) < 3 * 16
    assert len(history.history.get("d_loss", [])) <= 1
