"""Training mechanics through the public API: data sources, state, errors."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from keras import ops

import keras_fgan as kf

BACKENDS = ("tensorflow", "jax", "torch")


def _small_gan(**kwargs):
    return kf.GAN(
        kf.networks.mlp_generator(2, 2, width=16, depth=1),
        kf.networks.mlp_discriminator(2, width=16, depth=1),
        seed=0,
        **kwargs,
    )


def _numpy(variables):
    return [ops.convert_to_numpy(v).copy() for v in variables]


def test_fit_on_tf_data(ring_data):
    import tensorflow as tf

    model = _small_gan()
    model.compile()
    dataset = tf.data.Dataset.from_tensor_slices(ring_data).batch(128)
    history = model.fit(dataset, epochs=1, verbose=0)
    assert int(ops.convert_to_numpy(model.g_optimizer.iterations)) == 8
    assert np.isfinite(history.history["d_loss"][0])


def test_fit_on_py_dataset(ring_data):
    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return ring_data[i * 64 : (i + 1) * 64]

    model = _small_gan()
    model.compile()
    model.fit(Batches(), epochs=2, verbose=0)
    assert int(ops.convert_to_numpy(model.g_optimizer.iterations)) == 8


def test_fit_on_torch_dataloader(ring_data):
    import torch

    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.from_numpy(ring_data)), batch_size=256)
    model = _small_gan()
    model.compile()
    model.fit(loader, epochs=1, verbose=0)
    assert int(ops.convert_to_numpy(model.g_optimizer.iterations)) == 4


def test_fit_on_labelled_arrays_ignores_labels(ring_data):
    model = _small_gan()
    model.compile()
    model.fit(ring_data, np.zeros(len(ring_data)), batch_size=256, epochs=1, verbose=0)
    assert int(ops.convert_to_numpy(model.g_optimizer.iterations)) == 4


def test_both_optimizers_moments_advance(ring_data):
    model = _small_gan(d_steps=3)
    model.compile()
    model.fit(ring_data, batch_size=256, epochs=1, verbose=0)
    d_state, g_state = _numpy(model.d_optimizer.variables), _numpy(model.g_optimizer.variables)
    model.fit(ring_data, batch_size=256, epochs=1, verbose=0)
    assert int(ops.convert_to_numpy(model.d_optimizer.iterations)) == 24
    assert int(ops.convert_to_numpy(model.g_optimizer.iterations)) == 8
    for before, after in ((d_state, model.d_optimizer.variables), (g_state, model.g_optimizer.variables)):
        moments = [(b, a) for b, a in zip(before, _numpy(after)) if b.ndim > 0]
        assert moments and all(not np.allclose(b, a) for b, a in moments)


def test_batch_norm_statistics_update():
    generator = kf.networks.dcgan28_generator(latent_dim=8, width=4)
    model = kf.GAN(generator, kf.networks.dcgan28_discriminator(width=4), seed=0)
    model.compile()
    bn = generator.get_layer("project_bn")
    before = ops.convert_to_numpy(bn.moving_mean).copy()
    images = np.random.default_rng(0).uniform(-1, 1, (64, 28, 28, 1)).astype("float32")
    model.fit(images, batch_size=32, epochs=1, verbose=0)
    assert not np.allclose(before, ops.convert_to_numpy(bn.moving_mean))


def test_latent_prior_uniform_and_steps_per_execution(ring_data):
    model = _small_gan(latent_prior="uniform")
    model.compile(steps_per_execution=1 if keras.backend.backend() == "torch" else 2)
    model.fit(ring_data, batch_size=128, epochs=1, verbose=0)
    z = model.latent_batch(1000, seed=0)
    assert z.min() >= -1 and z.max() <= 1


@pytest.mark.skipif(keras.backend.backend() == "torch", reason="Keras' torch trainer has no XLA path")
def test_jit_compile_explicit(ring_data):
    model = _small_gan()
    model.compile(jit_compile=True)
    assert model.jit_compile
    model.fit(ring_data, batch_size=256, epochs=1, verbose=0)


def test_run_eagerly(ring_data):
    model = _small_gan()
    model.compile(run_eagerly=True)
    model.fit(ring_data[:256], batch_size=128, epochs=1, verbose=0)
    assert int(ops.convert_to_numpy(model.g_optimizer.iterations)) == 2


def test_weights_portable_across_backends(tmp_path):
    """Weights saved here load on the next backend of the cycle tensorflow ->
    jax -> torch -> tensorflow with identical generator outputs for a fixed
    latent batch (the suite runs once per backend, so every backend both saves
    and loads)."""
    model = kf.GAN(kf.networks.dcgan28_generator(latent_dim=8, width=4), kf.networks.dcgan28_discriminator(width=4), seed=0)
    model.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (64, 28, 28, 1)).astype("float32")
    model.fit(images, batch_size=32, epochs=1, verbose=0)
    weights = str(tmp_path / "gan.weights.h5")
    model.save_weights(weights)
    expected = model.generate(16, seed=7)
    script = (
        "import sys, numpy as np, keras_fgan as kf\n"
        "m = kf.GAN(kf.networks.dcgan28_generator(latent_dim=8, width=4), kf.networks.dcgan28_discriminator(width=4))\n"
        "m.load_weights(sys.argv[1])\n"
        "np.save(sys.argv[2], m.generate(16, seed=7))\n"
    )
    backend = BACKENDS[(BACKENDS.index(keras.backend.backend()) + 1) % len(BACKENDS)]
    out = str(tmp_path / f"{backend}.npy")
    env = dict(os.environ, KERAS_BACKEND=backend)
    subprocess.run([sys.executable, "-c", script, weights, out], env=env, check=True, capture_output=True)
    np.testing.assert_allclose(np.load(out), expected, atol=1e-5)


# ------------------------------------------------------------- clear errors --

def test_fit_before_compile(ring_data):
    with pytest.raises(ValueError, match=r"compile\(d_optimizer"):
        _small_gan().fit(ring_data)


def test_data_shape_mismatch():
    model = _small_gan()
    model.compile()
    with pytest.raises(ValueError, match=r"shape \(3,\) but the discriminator expects \(2,\)"):
        model.fit(np.zeros((64, 3), "float32"), verbose=0)


def test_data_shape_mismatch_in_dataset():
    import tensorflow as tf

    model = _small_gan()
    model.compile()
    with pytest.raises(ValueError, match="discriminator expects"):
        model.fit(tf.data.Dataset.from_tensor_slices(np.zeros((64, 3), "float32")).batch(32), verbose=0)


def test_non_finite_data(ring_data):
    model = _small_gan()
    model.compile()
    bad = ring_data.copy()
    bad[5, 1] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        model.fit(bad, verbose=0)


def test_empty_and_non_numeric_data():
    model = _small_gan()
    model.compile()
    with pytest.raises(ValueError, match="empty"):
        model.fit(np.zeros((0, 2), "float32"), verbose=0)
    with pytest.raises(TypeError, match="numeric"):
        model.fit(np.array([["a", "b"]]), verbose=0)


def test_generator_without_input_shape():
    class Unbuilt(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(2)

        def call(self, z):
            return self.dense(z)

    with pytest.raises(ValueError, match="no defined input shape"):
        kf.GAN(Unbuilt(), kf.networks.mlp_discriminator(2))


def test_generator_discriminator_mismatch():
    with pytest.raises(ValueError, match=r"outputs samples of shape \(3,\)"):
        kf.GAN(kf.networks.mlp_generator(2, 3), kf.networks.mlp_discriminator(2))


def test_discriminator_must_output_one_score():
    x = keras.Input((2,))
    with pytest.raises(ValueError, match="one score per sample"):
        kf.GAN(kf.networks.mlp_generator(2, 2), keras.Model(x, keras.layers.Dense(3)(x)))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"loss": "wasserstein"}, "valid: non_saturating, minimax"),
        ({"d_steps": 0}, "d_steps"),
        ({"latent_prior": "cauchy"}, "valid: normal, uniform"),
    ],
)
def test_invalid_model_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        kf.GAN(kf.networks.mlp_generator(2, 2), kf.networks.mlp_discriminator(2), **kwargs)


def test_compile_rejects_shared_optimizer_and_losses():
    model = _small_gan()
    opt = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="two different optimizer"):
        model.compile(d_optimizer=opt, g_optimizer=opt)
    with pytest.raises(ValueError, match="Unexpected compile arguments"):
        model.compile(loss="mse")


def test_generate_validates_n():
    with pytest.raises(ValueError, match="positive integer"):
        _small_gan().generate(0)
