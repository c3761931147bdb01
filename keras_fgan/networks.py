"""Reference networks: MLPs for low-dimensional data, DCGAN for 28x28 images.

All are functional `keras.Model`s with a defined input shape, so an
adversarial model can read `latent_dim` and the sample shape from them.
"""

import keras
from keras import layers


def _check_positive(**values):
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"`{name}` must be a positive integer. Received: {value!r}")


def affine_generator(latent_dim=1, data_dim=1, mean=0.0, scale=1.0, name="affine_generator"):
    """x = mean + scale * z: a location-scale family (a linear layer).

    The generator of the theory's 1-D experiments: its kernel is the scale and
    its bias the location.
    """
    _check_positive(latent_dim=latent_dim, data_dim=data_dim)
    z = keras.Input((latent_dim,), name="z")
    x = layers.Dense(
        data_dim,
        kernel_initializer=keras.initializers.Constant(scale),
        bias_initializer=keras.initializers.Constant(mean),
        name="affine",
    )(z)
    return keras.Model(z, x, name=name)


def mlp_generator(latent_dim=2, data_dim=2, width=128, depth=3, name="mlp_generator"):
    """MLP generator for low-dimensional data (e.g. the 2-D mixtures):
    `depth` hidden ReLU layers of `width` units, linear output."""
    _check_positive(latent_dim=latent_dim, data_dim=data_dim, width=width, depth=depth)
    z = keras.Input((latent_dim,), name="z")
    h = z
    for i in range(depth):
        h = layers.Dense(width, activation="relu", name=f"dense_{i}")(h)
    x = layers.Dense(data_dim, name="output")(h)
    return keras.Model(z, x, name=name)


def mlp_discriminator(data_dim=2, width=128, depth=3, name="mlp_discriminator"):
    """MLP discriminator / critic: `depth` hidden LeakyReLU(0.2) layers, one
    unconstrained output (a logit, an f-GAN V(x) or a WGAN critic value)."""
    _check_positive(data_dim=data_dim, width=width, depth=depth)
    x = keras.Input((data_dim,), name="x")
    h = x
    for i in range(depth):
        h = layers.Dense(width, name=f"dense_{i}")(h)
        h = layers.LeakyReLU(0.2, name=f"leaky_relu_{i}")(h)
    out = layers.Dense(1, name="output")(h)
    return keras.Model(x, out, name=name)


def dcgan28_generator(latent_dim=64, width=64, batch_norm=True, name="dcgan28_generator"):
    """DCGAN generator for 28x28x1 images in [-1, 1] (Radford et al. 2016):
    Dense -> 7x7x(2w) -> ConvTranspose 14x14x(w) -> ConvTranspose 28x28x1, tanh.
    """
    _check_positive(latent_dim=latent_dim, width=width)
    z = keras.Input((latent_dim,), name="z")
    h = layers.Dense(7 * 7 * 2 * width, use_bias=not batch_norm, name="project")(z)
    if batch_norm:
        h = layers.BatchNormalization(name="project_bn")(h)
    h = layers.ReLU()(h)
    h = layers.Reshape((7, 7, 2 * width))(h)
    h = layers.Conv2DTranspose(
        width, 4, strides=2, padding="same", use_bias=not batch_norm, name="up_14"
    )(h)
    if batch_norm:
        h = layers.BatchNormalization(name="up_14_bn")(h)
    h = layers.ReLU()(h)
    x = layers.Conv2DTranspose(
        1, 4, strides=2, padding="same", activation="tanh", name="up_28"
    )(h)
    return keras.Model(z, x, name=name)


def dcgan28_discriminator(width=64, name="dcgan28_discriminator"):
    """DCGAN discriminator / critic for 28x28x1 images: two stride-2
    convolutions with LeakyReLU(0.2), then one unconstrained output. No
    BatchNorm, so it also serves as a WGAN-GP critic (Gulrajani et al. 2017,
    Sec. 4)."""
    _check_positive(width=width)
    x = keras.Input((28, 28, 1), name="x")
    h = layers.Conv2D(width, 4, strides=2, padding="same", name="down_14")(x)
    h = layers.LeakyReLU(0.2)(h)
    h = layers.Conv2D(2 * width, 4, strides=2, padding="same", name="down_7")(h)
    h = layers.LeakyReLU(0.2)(h)
    h = layers.Flatten()(h)
    out = layers.Dense(1, name="output")(h)
    return keras.Model(x, out, name=name)


# --------------------------------------------------- BiGAN / ALI networks --
# Encoders map samples to latents; joint discriminators take `[x, z]` pairs
# (Donahue et al. 2017, "Adversarial Feature Learning", ICLR; Dumoulin et al.
# 2017, "Adversarially Learned Inference", ICLR).


def _check_rate(dropout):
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
        raise ValueError(f"`dropout` must be a number in [0, 1). Received: {dropout!r}")


def _maybe_dropout(h, rate, name):
    return layers.Dropout(rate, name=name)(h) if rate else h


def mlp_encoder(data_dim=2, latent_dim=2, width=128, depth=3, name="mlp_encoder"):
    """MLP encoder for low-dimensional data: `depth` hidden LeakyReLU(0.2)
    layers of `width` units, linear output of `latent_dim` units."""
    _check_positive(data_dim=data_dim, latent_dim=latent_dim, width=width, depth=depth)
    x = keras.Input((data_dim,), name="x")
    h = x
    for i in range(depth):
        h = layers.Dense(width, name=f"dense_{i}")(h)
        h = layers.LeakyReLU(0.2, name=f"leaky_relu_{i}")(h)
    z = layers.Dense(latent_dim, name="output")(h)
    return keras.Model(x, z, name=name)


def mlp_joint_discriminator(
    data_dim=2, latent_dim=2, width=128, depth=3, dropout=0.0, name="mlp_joint_discriminator"
):
    """BiGAN discriminator for low-dimensional data: `[x, z]` concatenated,
    then `depth` hidden LeakyReLU(0.2) layers (each followed by dropout when
    `dropout` > 0), one logit."""
    _check_positive(data_dim=data_dim, latent_dim=latent_dim, width=width, depth=depth)
    _check_rate(dropout)
    x = keras.Input((data_dim,), name="x")
    z = keras.Input((latent_dim,), name="z")
    h = layers.Concatenate(name="joint")([x, z])
    for i in range(depth):
        h = layers.Dense(width, name=f"dense_{i}")(h)
        h = layers.LeakyReLU(0.2, name=f"leaky_relu_{i}")(h)
        h = _maybe_dropout(h, dropout, f"dropout_{i}")
    out = layers.Dense(1, name="output")(h)
    return keras.Model([x, z], out, name=name)


def _dcgan28_features(x, width):
    """The convolutional stack of `dcgan28_discriminator`, flattened."""
    h = layers.Conv2D(width, 4, strides=2, padding="same", name="down_14")(x)
    h = layers.LeakyReLU(0.2, name="leaky_relu_14")(h)
    h = layers.Conv2D(2 * width, 4, strides=2, padding="same", name="down_7")(h)
    h = layers.LeakyReLU(0.2, name="leaky_relu_7")(h)
    return layers.Flatten(name="flatten")(h)


def dcgan28_encoder(latent_dim=64, width=64, name="dcgan28_encoder"):
    """BiGAN encoder for 28x28x1 images: the convolutions of
    `dcgan28_discriminator` (28 -> 14 -> 7, LeakyReLU(0.2)), then a linear
    Dense of `latent_dim` units."""
    _check_positive(latent_dim=latent_dim, width=width)
    x = keras.Input((28, 28, 1), name="x")
    z = layers.Dense(latent_dim, name="output")(_dcgan28_features(x, width))
    return keras.Model(x, z, name=name)


def dcgan28_joint_discriminator(
    latent_dim=64, width=64, dropout=0.0, name="dcgan28_joint_discriminator"
):
    """BiGAN discriminator for 28x28x1 images and latents: the convolutions
    of `dcgan28_discriminator` on x (flattened), joined with a Dense(8*width)
    LeakyReLU embedding of z, then one Dense(8*width) LeakyReLU layer and one
    logit. `dropout` (default 0, i.e. deterministic) is applied to the joined
    features and the hidden layer."""
    _check_positive(latent_dim=latent_dim, width=width)
    _check_rate(dropout)
    x = keras.Input((28, 28, 1), name="x")
    z = keras.Input((latent_dim,), name="z")
    hz = layers.Dense(8 * width, name="z_embed")(z)
    hz = layers.LeakyReLU(0.2, name="z_leaky_relu")(hz)
    h = layers.Concatenate(name="joint")([_dcgan28_features(x, width), hz])
    h = _maybe_dropout(h, dropout, "joint_dropout")
    h = layers.Dense(8 * width, name="joint_dense")(h)
    h = layers.LeakyReLU(0.2, name="joint_leaky_relu")(h)
    h = _maybe_dropout(h, dropout, "hidden_dropout")
    out = layers.Dense(1, name="output")(h)
    return keras.Model([x, z], out, name=name)
