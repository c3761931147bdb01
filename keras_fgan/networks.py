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
