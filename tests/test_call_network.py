"""On PyTorch, `keras_fgan.backend.call_network` (which skips Keras'
per-layer call wrapper, see `torch_direct_call`) computes what calling the
network does: outputs, BatchNorm moving statistics, input and weight
gradients, in training and inference mode, for every reference network; and
it falls back to the Keras call wherever the wrapper matters.
"""

import numpy as np
import pytest

import keras
from keras import ops

import keras_fgan as kf
from keras_fgan.backend import call_network

N = kf.networks
TORCH = keras.backend.backend() == "torch"
pytestmark = pytest.mark.skipif(
    not TORCH,
    reason="on TensorFlow and JAX `call_network` is `network(inputs, training=...)` "
    "itself (keras_fgan/backend/__init__.py); PyTorch has its own path",
)

NETWORKS = {
    "mlp_generator": lambda: N.mlp_generator(8, 2),
    "mlp_generator_bn": lambda: N.mlp_generator(4, 2, width=32, depth=3, batch_norm=True),
    "mlp_discriminator": lambda: N.mlp_discriminator(2, width=32),
    "mlp_discriminator_sn_pack2": lambda: N.mlp_discriminator(2, width=32, spectral_norm=True, pack=2),
    "mlp_encoder": lambda: N.mlp_encoder(2, 3, width=16),
    "mlp_joint_discriminator": lambda: N.mlp_joint_discriminator(2, 3, width=16),
    "affine_generator": lambda: N.affine_generator(1, 1, mean=0.5, scale=2.0),
    "dcgan28_generator": lambda: N.dcgan28_generator(8, width=8),
    "dcgan28_discriminator": lambda: N.dcgan28_discriminator(width=8),
    "dcgan_discriminator": lambda: N.dcgan_discriminator((32, 32, 3), width=8),
    "dcgan_resize_generator": lambda: N.dcgan_generator(8, (16, 16, 3), width=8, upsampling="resize"),
    "dcgan_joint_discriminator": lambda: N.dcgan_joint_discriminator((16, 16, 1), 4, width=8),
}


def _inputs(network, rng):
    shapes = [tuple(x.shape[1:]) for x in network.inputs]
    values = [rng.standard_normal((6,) + shape).astype("float32") for shape in shapes]
    return values if len(values) > 1 else values[0]


def _run(fn, network, inputs, training):
    """Outputs, moving statistics after the call, and the gradients of
    sum(outputs^2) with respect to the inputs and the weights."""
    import torch

    tensors = keras.tree.map_structure(
        lambda t: ops.convert_to_tensor(t).requires_grad_(True), inputs
    )
    outputs = fn(tensors, training)
    stats = [v.value.detach().numpy().copy() for v in network.non_trainable_weights]
    flat = keras.tree.flatten(tensors) + [v.value for v in network.trainable_weights]
    total = sum((o**2).sum() for o in keras.tree.flatten(outputs))
    grads = [g.detach().numpy() for g in torch.autograd.grad(total, flat)]
    outputs = [o.detach().numpy() for o in keras.tree.flatten(outputs)]
    return outputs, stats, grads


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_call_network_equals_calling_the_network(name, training):
    keras.utils.set_random_seed(0)
    network = NETWORKS[name]()
    inputs = _inputs(network, np.random.default_rng(1))
    initial = [ops.convert_to_numpy(v.value) for v in network.weights]

    def keras_call(x, training):
        return network(x, training=training)

    def backend_call(x, training):
        return call_network(network, x, training)

    expected = _run(keras_call, network, inputs, training)
    for variable, value in zip(network.weights, initial):
        variable.assign(value)  # undo the moving-statistics update
    got = _run(backend_call, network, inputs, training)
    for want, have in zip(expected, got):
        assert len(want) == len(have)
        for a, b in zip(want, have):
            # float32 rounding, relative to the array's scale: BatchNorm over
            # features runs torch's fused kernel (two-pass variance) where
            # Keras computes E[x^2] - E[x]^2.
            scale = max(1.0, float(np.abs(a).max()))
            np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-5 * scale)
    if training and name.endswith("_bn"):  # the moving mean moved
        first_moving = [v.trainable for v in network.weights].index(False)
        assert not np.allclose(got[1][0], initial[first_moving])


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_reference_networks_take_the_direct_path_on_torch(name):
    from keras_fgan.backend.torch_direct_call import direct_call

    network = NETWORKS[name]()
    assert direct_call(network) is not None


def test_direct_path_refused_where_the_call_wrapper_matters():
    from keras_fgan.backend.torch_direct_call import direct_call

    class Subclassed(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    subclassed = Subclassed()
    subclassed(np.zeros((1, 2), "float32"))
    assert direct_call(subclassed) is None

    class Doubling(keras.layers.Layer):
        def call(self, x):
            return 2.0 * x

    x = keras.Input((2,))
    custom = keras.Model(x, Doubling()(keras.layers.Dense(2)(x)))
    assert direct_call(custom) is None

    regularized = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(2, activity_regularizer="l2")]
    )
    assert direct_call(regularized) is None

    mixed = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(2, dtype="mixed_bfloat16")]
    )
    assert direct_call(mixed) is None
    # float64 inputs go through the Keras call (which casts them)
    plain = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
    out = call_network(plain, np.ones((3, 2), "float64"), False)
    np.testing.assert_allclose(ops.convert_to_numpy(out), ops.convert_to_numpy(plain(np.ones((3, 2), "float32"))), rtol=1e-6)
