"""Tests for keras_fgan.networks: the DCGAN family at any image size, its
28x28 presets, PacGAN packing and the spectral-norm option (every backend)."""

import keras
import numpy as np
import pytest

import keras_fgan as kf
from keras_fgan import networks

SIZES = [(32, 32, 3), (64, 64, 3), (48, 32, 1)]


def _weights(model):
    return [(w.path, tuple(w.shape)) for w in model.weights]


# The dcgan28 presets as they were before the DCGAN family (the zoo's
# `.keras` files were made with them): weight paths and shapes at width 64.
DCGAN28_WEIGHTS = {
    "generator": [
        ("project/kernel", (64, 6272)), ("project_bn/gamma", (6272,)),
        ("project_bn/beta", (6272,)), ("project_bn/moving_mean", (6272,)),
        ("project_bn/moving_variance", (6272,)), ("up_14/kernel", (4, 4, 64, 128)),
        ("up_14_bn/gamma", (64,)), ("up_14_bn/beta", (64,)),
        ("up_14_bn/moving_mean", (64,)), ("up_14_bn/moving_variance", (64,)),
        ("up_28/kernel", (4, 4, 1, 64)), ("up_28/bias", (1,)),
    ],
    "discriminator": [
        ("down_14/kernel", (4, 4, 1, 64)), ("down_14/bias", (64,)),
        ("down_7/kernel", (4, 4, 64, 128)), ("down_7/bias", (128,)),
        ("output/kernel", (6272, 1)), ("output/bias", (1,)),
    ],
    "encoder": [
        ("down_14/kernel", (4, 4, 1, 64)), ("down_14/bias", (64,)),
        ("down_7/kernel", (4, 4, 64, 128)), ("down_7/bias", (128,)),
        ("output/kernel", (6272, 16)), ("output/bias", (16,)),
    ],
    "joint_discriminator": [
        ("down_14/kernel", (4, 4, 1, 64)), ("down_14/bias", (64,)),
        ("down_7/kernel", (4, 4, 64, 128)), ("down_7/bias", (128,)),
        ("z_embed/kernel", (16, 512)), ("z_embed/bias", (512,)),
        ("joint_dense/kernel", (6784, 512)), ("joint_dense/bias", (512,)),
        ("output/kernel", (512, 1)), ("output/bias", (1,)),
    ],
}


def test_dcgan28_presets_keep_their_architecture():
    assert _weights(networks.dcgan28_generator(64)) == DCGAN28_WEIGHTS["generator"]
    assert _weights(networks.dcgan28_discriminator()) == DCGAN28_WEIGHTS["discriminator"]
    assert _weights(networks.dcgan28_encoder(16)) == DCGAN28_WEIGHTS["encoder"]
    joint = networks.dcgan28_joint_discriminator(16)
    assert _weights(joint) == DCGAN28_WEIGHTS["joint_discriminator"]
    generator = networks.dcgan28_generator(64)
    assert generator.name == "dcgan28_generator"
    assert [type(layer).__name__ for layer in generator.layers] == [
        "InputLayer", "Dense", "BatchNormalization", "ReLU", "Reshape",
        "Conv2DTranspose", "BatchNormalization", "ReLU", "Conv2DTranspose",
    ]
    assert generator.get_layer("up_28").get_config()["activation"] == "tanh"


def test_dcgan28_is_the_family_at_28x28x1():
    generator = networks.dcgan_generator(64, (28, 28, 1))
    assert _weights(generator) == DCGAN28_WEIGHTS["generator"]
    assert generator.name == "dcgan_generator"


@pytest.mark.parametrize("shape", SIZES, ids=lambda s: "x".join(map(str, s)))
def test_generator_output_shape(shape):
    generator = networks.dcgan_generator(8, shape, width=4)
    assert generator.output.shape == (None, *shape)
    assert generator.layers[-1].get_config()["activation"] == "tanh"


@pytest.mark.parametrize("shape", [(32, 32, 3), (48, 32, 1)], ids=["32x32x3", "48x32x1"])
def test_resize_upsampling(shape):
    # Odena et al. (2016): nearest-neighbour resize then a convolution.
    generator = networks.dcgan_generator(8, shape, width=4, upsampling="resize")
    assert generator.output.shape == (None, *shape)
    kinds = [type(layer).__name__ for layer in generator.layers]
    assert "Conv2DTranspose" not in kinds and kinds.count("UpSampling2D") == kinds.count("Conv2D") >= 2
    z = np.random.default_rng(0).standard_normal((3, 8)).astype("float32") * 10
    x = keras.ops.convert_to_numpy(generator(z, training=False))
    assert x.shape == (3, *shape) and np.all(np.abs(x) <= 1.0)


@pytest.mark.parametrize("shape", SIZES, ids=lambda s: "x".join(map(str, s)))
def test_discriminator_encoder_joint_shapes(shape):
    d = networks.dcgan_discriminator(shape, width=4)
    assert d.input.shape == (None, *shape) and d.output.shape == (None, 1)
    e = networks.dcgan_encoder(shape, 5, width=4)
    assert e.input.shape == (None, *shape) and e.output.shape == (None, 5)
    j = networks.dcgan_joint_discriminator(shape, 5, width=4)
    assert [tuple(t.shape) for t in j.inputs] == [(None, *shape), (None, 5)]
    assert j.output.shape == (None, 1)


def test_stages_follow_the_image_size():
    # 32 = 4 x 2^3, 64 = 4 x 2^4, 128 = 4 x 2^5: one stride-2 stage per
    # doubling, the channels doubling in D and halving in G (Radford et al.
    # 2016, Fig. 1). (Width 4 everywhere: JAX compiles an initializer per
    # weight shape, and shared shapes keep this file fast.)
    d = networks.dcgan_discriminator((64, 64, 3), width=4)
    convs = [layer for layer in d.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [c.name for c in convs] == ["down_32", "down_16", "down_8", "down_4"]
    assert [c.filters for c in convs] == [4, 8, 16, 32]
    g = networks.dcgan_generator(8, (32, 32, 3), width=4)
    ups = [layer for layer in g.layers if isinstance(layer, keras.layers.Conv2DTranspose)]
    assert [u.name for u in ups] == ["up_8", "up_16", "up_32"]
    assert [u.filters for u in ups] == [8, 4, 3]
    assert g.get_layer("project").units == 4 * 4 * 16
    big = networks.dcgan_generator(8, (128, 128, 3), width=4)
    assert big.output.shape == (None, 128, 128, 3)
    assert big.get_layer("project").units == 4 * 4 * 4 * 2**4  # k = 5 stages


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: networks.dcgan_generator(8, (27, 27, 1)), r"halve at least once.*\(27, 27, 1\)"),
        (lambda: networks.dcgan_generator(8, (6, 6, 1)), "halve at least once"),
        (lambda: networks.dcgan_discriminator((32, 32, 4)), r"1 \(grayscale\) or 3 \(RGB\).*\(32, 32, 4\)"),
        (lambda: networks.dcgan_encoder((32, 32), 8), r"image_shape.*Received: \(32, 32\)"),
        (lambda: networks.dcgan_generator(8, (32.0, 32, 3)), "image_shape"),
        (lambda: networks.dcgan_generator(8, (32, 32, 3), upsampling="bilinear"), "upsampling.*'bilinear'"),
        (lambda: networks.dcgan_generator(0, (32, 32, 3)), "latent_dim"),
        (lambda: networks.dcgan_discriminator((32, 32, 3), pack=0), "pack"),
        (lambda: networks.dcgan_discriminator((32, 32, 3), spectral_norm="yes"), "spectral_norm"),
        (lambda: networks.dcgan_joint_discriminator((32, 32, 3), 8, dropout=1.0), "dropout"),
        (lambda: networks.mlp_discriminator(2, pack=1.5), "pack"),
    ],
)
def test_invalid_arguments_raise_naming_them(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_pack_widens_the_discriminator_input():
    # PacGAN (Lin et al. 2018): m samples concatenated along the last axis.
    assert networks.dcgan_discriminator((32, 32, 3), width=4, pack=2).input.shape == (None, 32, 32, 6)
    assert networks.mlp_discriminator(2, pack=4).input.shape == (None, 8)
    assert networks.mlp_discriminator(2).input.shape == (None, 2)


def _top_singular_value(kernel):
    kernel = keras.ops.convert_to_numpy(kernel)
    return np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]


def test_spectral_norm_option():
    d = networks.dcgan_discriminator((32, 32, 3), width=4, spectral_norm=True)
    kernels = [layer.kernel for layer in d.layers if hasattr(layer, "kernel")]
    assert len(kernels) == 4  # three convolutions and the output
    assert all(isinstance(k.constraint, kf.lipschitz.SpectralNorm) for k in kernels)
    assert all(k.constraint is None for k in networks.dcgan_discriminator((32, 32, 3), width=4).weights)
    mlp = networks.mlp_discriminator(2, width=8, depth=1, spectral_norm=True)
    restored = keras.Model.from_config(mlp.get_config())
    assert isinstance(restored.get_layer("dense_0").kernel.constraint, kf.lipschitz.SpectralNorm)


def test_family_trains_a_gan_at_32x32x3_with_spectral_norm():
    # The option attaches kf.lipschitz.SpectralNorm as kernel constraint: the
    # optimizer projects each kernel after its update, on every backend.
    # (keras.layers.SpectralNormalization assigns the kernel inside the
    # forward pass: in these training steps it fails on torch, an in-place
    # change of a variable autograd still needs, and on JAX the kernel is
    # not kept normalised.)
    shape = (32, 32, 3)
    keras.utils.set_random_seed(0)
    d = networks.dcgan_discriminator(shape, width=4, spectral_norm=True)
    model = kf.GAN(networks.dcgan_generator(8, shape, width=4), d, seed=0)
    model.compile(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.Adam(1e-3))
    kernels = [layer.kernel for layer in d.layers if hasattr(layer, "kernel")]
    before = [keras.ops.convert_to_numpy(k).copy() for k in kernels]
    x = np.random.default_rng(0).uniform(-1, 1, (16, *shape)).astype("float32")
    history = model.fit(x, batch_size=8, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][-1])
    for kernel, old in zip(kernels, before):
        assert not np.allclose(keras.ops.convert_to_numpy(kernel), old)
        np.testing.assert_allclose(_top_singular_value(kernel), 1.0, rtol=1e-3)
    assert model.generate(3, seed=0).shape == (3, *shape)


def test_family_trains_a_bigan_at_32x32x3():
    shape = (32, 32, 3)
    model = kf.BiGAN(
        networks.dcgan_generator(8, shape, width=4, upsampling="resize"),
        networks.dcgan_encoder(shape, 8, width=4),
        networks.dcgan_joint_discriminator(shape, 8, width=4),
        seed=0,
    )
    model.compile()
    x = np.random.default_rng(0).uniform(-1, 1, (16, *shape)).astype("float32")
    history = model.fit(x, batch_size=8, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][-1])
    assert model.encode(x[:2]).shape == (2, 8)
