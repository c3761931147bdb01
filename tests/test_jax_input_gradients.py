"""On JAX, input-gradient penalties are differentiated reverse over forward
(`keras_fgan/backend/jax_trainer.py`, `_reverse_over_forward`): the same
derivatives as differentiating `jax.grad` again, for coupled batches and
convolutions, and the same training step."""

import numpy as np
import pytest

import keras

import keras_fgan as kf

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "jax",
    reason="JAX's own differentiation order of input gradients; TensorFlow and "
    "PyTorch differentiate their recorded gradient computation directly",
)


def test_reverse_over_forward_equals_reverse_over_reverse():
    import jax
    import jax.numpy as jnp

    from keras_fgan.backend.jax_trainer import _reverse_over_forward

    def total(x, values):
        kernel, scale = values
        h = jnp.tanh(x @ kernel)
        h = h - jnp.mean(h, axis=0)  # couples the batch, like BatchNorm
        return jnp.sum(scale * h**3)

    def penalty(gradient_fn):
        def loss(x, values):
            g = gradient_fn(x, values)
            return jnp.sum((jnp.sqrt(jnp.sum(g**2, axis=1)) - 1.0) ** 2)
        return loss

    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.standard_normal((6, 3)), "float32")
    values = [jnp.asarray(rng.standard_normal((3, 4)), "float32"), jnp.asarray(1.5, "float32")]
    want = jax.grad(penalty(jax.grad(total)), argnums=(0, 1))(x, values)
    got = jax.grad(penalty(_reverse_over_forward(total)), argnums=(0, 1))(x, values)
    for a, b in zip(jax.tree_util.tree_leaves(want), jax.tree_util.tree_leaves(got)):
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=1e-5, atol=1e-6)


def _d_weights_after_one_step(regularizer):
    keras.utils.set_random_seed(0)
    model = kf.AdversarialModel(
        kf.networks.dcgan_generator(4, (8, 8, 1), width=4),
        kf.networks.dcgan_discriminator((8, 8, 1), width=4),
        loss="wasserstein", regularizers=[regularizer], seed=0,
    )
    model.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1))
    x = np.random.default_rng(1).standard_normal((8, 8, 8, 1)).astype("float32")
    model.fit(x, batch_size=8, epochs=1, verbose=0, shuffle=False)
    return [np.asarray(w) for w in model.discriminator.get_weights()]


@pytest.mark.parametrize("regularizer", ["gradient_penalty", "r1"])
def test_training_step_equals_reverse_over_reverse(regularizer, monkeypatch):
    import jax

    from keras_fgan.backend import jax_trainer

    got = _d_weights_after_one_step(regularizer)
    monkeypatch.setattr(jax_trainer, "_reverse_over_forward", jax.grad)
    want = _d_weights_after_one_step(regularizer)
    assert len(got) == len(want)
    for a, b in zip(want, got):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
