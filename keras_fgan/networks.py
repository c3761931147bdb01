"""Reference networks: MLPs for vectors (e.g. the 2-D mixtures) and the DCGAN
family for images of any size.

All are functional `keras.Model`s with a defined input shape, so an
adversarial model can read `latent_dim` and the sample shape from them.

The DCGAN family (`dcgan_generator`, `dcgan_discriminator`, `dcgan_encoder`,
`dcgan_joint_discriminator`) follows Radford et al. (2016): stride-2
(transposed) convolutions instead of pooling, BatchNorm and ReLU in the
generator, LeakyReLU(0.2) in the discriminator, a tanh output. An image of
height H and width W is built from (or reduced to) a `H / 2^k x W / 2^k` grid
with k >= 1 the largest number of halvings that leaves both sides integers of
at least 4 pixels: 28 = 7 x 2^2, 32 = 4 x 2^3, 64 = 4 x 2^4, 128 = 4 x 2^5.
The generator starts with `width * 2^(k-1)` channels and halves them at each
doubling of the resolution; the discriminator mirrors it. The `dcgan28_*`
functions are the 28x28x1 presets of this family.

References:
    Radford, Metz and Chintala, 2016. "Unsupervised Representation Learning
    with Deep Convolutional Generative Adversarial Networks". ICLR.
    https://arxiv.org/abs/1511.06434
    Odena, Dumoulin and Olah, 2016. "Deconvolution and Checkerboard
    Artifacts". Distill. https://doi.org/10.23915/distill.00003
    Miyato, Kataoka, Koyama and Yoshida, 2018. "Spectral Normalization for
    Generative Adversarial Networks". ICLR.
    Lin, Khetan, Fanti and Oh, 2018. "PacGAN: The power of two samples in
    generative adversarial networks". NeurIPS. https://arxiv.org/abs/1712.04086
"""

import keras
from keras import layers

from keras_fgan import lipschitz
from keras_fgan.arguments import check_integer
from keras_fgan.arguments import is_integer

UPSAMPLING = ("transpose", "resize")
CHANNELS = (1, 3)
MIN_BASE = 4  # the smallest side of the coarsest feature map


def _positive_ints(**values):
    """The values as Python ints (a NumPy integer included: Keras layers
    take only ints), or a ValueError naming the first that is not positive."""
    return tuple(check_integer(name, value) for name, value in values.items())


def _check_bool(**values):
    for name, value in values.items():
        if not isinstance(value, bool):
            raise ValueError(f"`{name}` must be True or False. Received: {value!r}")


def _check_rate(dropout):
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
        raise ValueError(f"`dropout` must be a number in [0, 1). Received: {dropout!r}")


def _maybe_dropout(h, rate, name):
    return layers.Dropout(rate, name=name)(h) if rate else h


def _kernel_constraint(spectral_norm):
    """A fresh `SpectralNorm` constraint per layer, or None."""
    return lipschitz.SpectralNorm() if spectral_norm else None


def _image_geometry(image_shape):
    """Validates `image_shape` and returns `(height, width, channels, k)`.

    k is the number of stride-2 stages: the largest k >= 1 such that both
    sides are divisible by 2^k with quotients of at least `MIN_BASE`.
    """
    valid = (
        isinstance(image_shape, (tuple, list))
        and len(image_shape) == 3
        and all(is_integer(s) and s > 0 for s in image_shape)
    )
    if not valid:
        raise ValueError(
            "`image_shape` must be (height, width, channels), three positive "
            f"integers. Received: {image_shape!r}"
        )
    height, width, channels = (int(s) for s in image_shape)
    if channels not in CHANNELS:
        raise ValueError(
            "`image_shape` must have 1 (grayscale) or 3 (RGB) channels. "
            f"Received: image_shape={tuple(image_shape)!r}"
        )
    stages = 0
    while (
        height % 2 ** (stages + 1) == 0
        and width % 2 ** (stages + 1) == 0
        and min(height, width) // 2 ** (stages + 1) >= MIN_BASE
    ):
        stages += 1
    if stages == 0:
        raise ValueError(
            "`image_shape` must have a height and width that halve at least "
            f"once to integers >= {MIN_BASE} (even sides of at least "
            f"{2 * MIN_BASE} pixels, e.g. 28, 32, 64 or 128). "
            f"Received: image_shape={tuple(image_shape)!r}"
        )
    return height, width, channels, stages


def _size_tag(height, width):
    return f"{height}" if height == width else f"{height}x{width}"


def affine_generator(latent_dim=1, data_dim=1, mean=0.0, scale=1.0, name="affine_generator"):
    """x = mean + scale * z: a location-scale family (a linear layer).

    The generator of the theory's 1-D experiments: its kernel is the scale and
    its bias the location.
    """
    latent_dim, data_dim = _positive_ints(latent_dim=latent_dim, data_dim=data_dim)
    z = keras.Input((latent_dim,), name="z")
    x = layers.Dense(
        data_dim,
        kernel_initializer=keras.initializers.Constant(scale),
        bias_initializer=keras.initializers.Constant(mean),
        name="affine",
    )(z)
    return keras.Model(z, x, name=name)


def mlp_generator(
    latent_dim=2, data_dim=2, width=128, depth=3, batch_norm=False, name="mlp_generator"
):
    """MLP generator for low-dimensional data (e.g. the 2-D mixtures):
    `depth` hidden ReLU layers of `width` units, linear output.

    Args:
        latent_dim: size of z.
        data_dim: size of one sample vector.
        width: units per hidden layer.
        depth: number of hidden layers.
        batch_norm: if True, each hidden Dense (without bias) is followed by
            BatchNorm before its ReLU: the generator of PacGAN's 2-D
            experiments (Lin et al. 2018, Sec. 6: 4 layers of 400 units).
        name: model name.

    Returns:
        A `keras.Model` from `(batch, latent_dim)` to `(batch, data_dim)`.
    """
    latent_dim, data_dim, width, depth = _positive_ints(
        latent_dim=latent_dim, data_dim=data_dim, width=width, depth=depth
    )
    _check_bool(batch_norm=batch_norm)
    z = keras.Input((latent_dim,), name="z")
    h = z
    for i in range(depth):
        if batch_norm:
            h = layers.Dense(width, use_bias=False, name=f"dense_{i}")(h)
            h = layers.BatchNormalization(name=f"bn_{i}")(h)
            h = layers.ReLU(name=f"relu_{i}")(h)
        else:
            h = layers.Dense(width, activation="relu", name=f"dense_{i}")(h)
    x = layers.Dense(data_dim, name="output")(h)
    return keras.Model(z, x, name=name)


def mlp_discriminator(
    data_dim=2, width=128, depth=3, spectral_norm=False, pack=1, name="mlp_discriminator"
):
    """MLP discriminator / critic for vectors.

    `depth` hidden LeakyReLU(0.2) layers of `width` units, one unconstrained
    output (a logit, an f-GAN V(x) or a WGAN critic value).

    Args:
        data_dim: size of one sample vector.
        width: units per hidden layer.
        depth: number of hidden layers.
        spectral_norm: if True, every kernel gets a
            `keras_fgan.lipschitz.SpectralNorm` constraint (Miyato et al.
            2018), applied by the optimizer after each update.
        pack: PacGAN packing degree m (Lin et al. 2018): the input is m
            samples concatenated, of size `data_dim * m`.
        name: model name.

    Returns:
        A `keras.Model` from `(batch, data_dim * pack)` to `(batch, 1)`.
    """
    data_dim, width, depth, pack = _positive_ints(data_dim=data_dim, width=width, depth=depth, pack=pack)
    _check_bool(spectral_norm=spectral_norm)
    x = keras.Input((data_dim * pack,), name="x")
    h = x
    for i in range(depth):
        h = layers.Dense(width, kernel_constraint=_kernel_constraint(spectral_norm), name=f"dense_{i}")(h)
        h = layers.LeakyReLU(0.2, name=f"leaky_relu_{i}")(h)
    out = layers.Dense(1, kernel_constraint=_kernel_constraint(spectral_norm), name="output")(h)
    return keras.Model(x, out, name=name)


# ----------------------------------------------------------------- DCGAN --


def dcgan_generator(
    latent_dim,
    image_shape,
    width=64,
    upsampling="transpose",
    batch_norm=True,
    name="dcgan_generator",
):
    """DCGAN generator for images in [-1, 1] of any supported size.

    Dense projection of z to a `(H / 2^k, W / 2^k, width * 2^(k-1))` grid,
    then k stride-2 upsampling stages that double the resolution and halve
    the channels; BatchNorm (optional) and ReLU after each but the last,
    which outputs `channels` maps through tanh (Radford et al. 2016, Fig. 1).
    For 28x28 images k = 2: 7x7x(2w) -> 14x14xw -> 28x28x1.

    Args:
        latent_dim: size of z.
        image_shape: `(height, width, channels)` of the samples; channels 1
            or 3, and both sides must halve at least once to integers >= 4
            (e.g. 28, 32, 64, 128).
        width: channels of the last hidden stage (the first has
            `width * 2^(k-1)`).
        upsampling: "transpose" (4x4 stride-2 transposed convolutions, as in
            DCGAN) or "resize" (nearest-neighbour `UpSampling2D` then a 3x3
            convolution, which avoids checkerboard artifacts; Odena et al.
            2016).
        batch_norm: whether to use BatchNorm in the hidden stages.
        name: model name.

    Returns:
        A `keras.Model` from `(batch, latent_dim)` to `(batch, *image_shape)`.

    Raises:
        ValueError: an argument is invalid; the message names it.
    """
    latent_dim, width = _positive_ints(latent_dim=latent_dim, width=width)
    _check_bool(batch_norm=batch_norm)
    if upsampling not in UPSAMPLING:
        raise ValueError(
            f"`upsampling` must be one of {', '.join(map(repr, UPSAMPLING))}. "
            f"Received: {upsampling!r}"
        )
    height, image_width, channels, stages = _image_geometry(image_shape)
    rows, cols = height // 2**stages, image_width // 2**stages
    filters = width * 2 ** (stages - 1)

    z = keras.Input((latent_dim,), name="z")
    h = layers.Dense(rows * cols * filters, use_bias=not batch_norm, name="project")(z)
    if batch_norm:
        h = layers.BatchNormalization(name="project_bn")(h)
    h = layers.ReLU()(h)
    h = layers.Reshape((rows, cols, filters))(h)
    for stage in range(stages):
        rows, cols = 2 * rows, 2 * cols
        last = stage == stages - 1
        filters = channels if last else filters // 2
        tag = _size_tag(rows, cols)
        bias = last or not batch_norm
        activation = "tanh" if last else None
        if upsampling == "transpose":
            h = layers.Conv2DTranspose(
                filters, 4, strides=2, padding="same", use_bias=bias,
                activation=activation, name=f"up_{tag}",
            )(h)
        else:
            h = layers.UpSampling2D(2, name=f"resize_{tag}")(h)
            h = layers.Conv2D(
                filters, 3, padding="same", use_bias=bias, activation=activation, name=f"up_{tag}"
            )(h)
        if not last:
            if batch_norm:
                h = layers.BatchNormalization(name=f"up_{tag}_bn")(h)
            h = layers.ReLU()(h)
    return keras.Model(z, h, name=name)


def _dcgan_features(x, image_shape, width, spectral_norm, named):
    """The discriminator's convolutional stack, flattened.

    k stride-2 4x4 convolutions of `width * 2^i` channels, each followed by
    LeakyReLU(0.2); no BatchNorm, so the stack also serves a WGAN-GP critic
    (Gulrajani et al. 2017, Sec. 4). `named` names the activation and
    flatten layers (the encoders' convention) or leaves them to Keras (the
    discriminators').
    """
    height, image_width, _, stages = _image_geometry(image_shape)
    h = x
    for stage in range(stages):
        height, image_width = height // 2, image_width // 2
        tag = _size_tag(height, image_width)
        h = layers.Conv2D(
            width * 2**stage, 4, strides=2, padding="same",
            kernel_constraint=_kernel_constraint(spectral_norm), name=f"down_{tag}",
        )(h)
        h = layers.LeakyReLU(0.2, name=f"leaky_relu_{tag}" if named else None)(h)
    return layers.Flatten(name="flatten" if named else None)(h)


def dcgan_discriminator(
    image_shape, width=64, spectral_norm=False, pack=1, name="dcgan_discriminator"
):
    """DCGAN discriminator / critic for images of any supported size.

    k stride-2 convolutions (`width`, `2 width`, ... channels) with
    LeakyReLU(0.2), mirroring `dcgan_generator`, then one unconstrained
    output (a logit, an f-GAN V(x) or a WGAN critic value). No BatchNorm, so
    it also serves as a WGAN-GP critic.

    Args:
        image_shape: `(height, width, channels)` of one sample (channels 1
            or 3; sides as for `dcgan_generator`).
        width: channels of the first convolution.
        spectral_norm: if True, every kernel gets a
            `keras_fgan.lipschitz.SpectralNorm` constraint (Miyato et al.
            2018), applied by the optimizer after each update on every
            backend.
        pack: PacGAN packing degree m (Lin et al. 2018): the input is m
            samples concatenated on the channel axis, `(H, W, channels * m)`.
        name: model name.

    Returns:
        A `keras.Model` from `(batch, H, W, channels * pack)` to `(batch, 1)`.

    Raises:
        ValueError: an argument is invalid; the message names it.
    """
    width, pack = _positive_ints(width=width, pack=pack)
    _check_bool(spectral_norm=spectral_norm)
    height, image_width, channels, _ = _image_geometry(image_shape)
    x = keras.Input((height, image_width, channels * pack), name="x")
    h = _dcgan_features(x, image_shape, width, spectral_norm, named=False)
    out = layers.Dense(1, kernel_constraint=_kernel_constraint(spectral_norm), name="output")(h)
    return keras.Model(x, out, name=name)


def dcgan_encoder(image_shape, latent_dim, width=64, name="dcgan_encoder"):
    """BiGAN encoder for images of any supported size: the convolutions of
    `dcgan_discriminator`, then a linear Dense of `latent_dim` units.

    Args:
        image_shape: `(height, width, channels)` of one sample.
        latent_dim: size of the encoded z.
        width: channels of the first convolution.
        name: model name.

    Returns:
        A `keras.Model` from `(batch, *image_shape)` to `(batch, latent_dim)`.

    Raises:
        ValueError: an argument is invalid; the message names it.
    """
    latent_dim, width = _positive_ints(latent_dim=latent_dim, width=width)
    x = keras.Input(tuple(_image_geometry(image_shape)[:3]), name="x")
    z = layers.Dense(latent_dim, name="output")(
        _dcgan_features(x, image_shape, width, spectral_norm=False, named=True)
    )
    return keras.Model(x, z, name=name)


def dcgan_joint_discriminator(
    image_shape,
    latent_dim,
    width=64,
    dropout=0.0,
    spectral_norm=False,
    unary_scores=False,
    name="dcgan_joint_discriminator",
):
    """BiGAN discriminator on `[x, z]` pairs for images of any supported size.

    The convolutions of `dcgan_discriminator` on x (flattened), joined with a
    Dense(8 width) LeakyReLU embedding of z, then one Dense(8 width)
    LeakyReLU layer and one logit (Donahue et al. 2017; Dumoulin et al.
    2017).

    Args:
        image_shape: `(height, width, channels)` of one sample.
        latent_dim: size of z.
        width: channels of the first convolution.
        dropout: rate in [0, 1) applied to the joined features and the hidden
            layer (0: deterministic).
        spectral_norm: if True, every kernel gets a
            `keras_fgan.lipschitz.SpectralNorm` constraint.
        unary_scores: if True, also a score of x alone (linear in the
            convolutional features) and of z alone (linear in its
            embedding): BigBiGAN's `[s_xz, s_x, s_z]` (`joint_scores`).
        name: model name.

    Returns:
        A `keras.Model` from `[(batch, *image_shape), (batch, latent_dim)]`
        to `(batch, 1)`, or `(batch, 3)` with `unary_scores`.

    Raises:
        ValueError: an argument is invalid; the message names it.
    """
    latent_dim, width = _positive_ints(latent_dim=latent_dim, width=width)
    _check_rate(dropout)
    _check_bool(spectral_norm=spectral_norm, unary_scores=unary_scores)
    x = keras.Input(tuple(_image_geometry(image_shape)[:3]), name="x")
    z = keras.Input((latent_dim,), name="z")
    hz = layers.Dense(8 * width, kernel_constraint=_kernel_constraint(spectral_norm), name="z_embed")(z)
    hz = layers.LeakyReLU(0.2, name="z_leaky_relu")(hz)
    hx = _dcgan_features(x, image_shape, width, spectral_norm, named=True)
    h = layers.Concatenate(name="joint")([hx, hz])
    h = _maybe_dropout(h, dropout, "joint_dropout")
    h = layers.Dense(8 * width, kernel_constraint=_kernel_constraint(spectral_norm), name="joint_dense")(h)
    h = layers.LeakyReLU(0.2, name="joint_leaky_relu")(h)
    h = _maybe_dropout(h, dropout, "hidden_dropout")
    out = joint_scores(h, hx, hz, unary_scores, spectral_norm)
    return keras.Model([x, z], out, name=name)


def joint_scores(joint_features, x_features, z_features, unary_scores=False, spectral_norm=False):
    """The output layer of a joint discriminator.

    One logit linear in the joint features; with `unary_scores`, BigBiGAN's
    three scores `[s_xz, s_x, s_z]` (Donahue and Simonyan 2019, "Large Scale
    Adversarial Representation Learning", Sec. 2): the joint logit, then a
    logit linear in the features of x alone and one in the features of z
    alone. `kf.BiGAN` averages its losses over the scores, so s_x is a
    plain GAN discriminator on samples and s_z one on latents (E(x) against
    the prior) beside the joint one.

    Returns:
        A `(batch, 1)` tensor, or `(batch, 3)` with `unary_scores`.
    """
    def logit(h, name):
        return layers.Dense(1, kernel_constraint=_kernel_constraint(spectral_norm), name=name)(h)

    out = logit(joint_features, "output")
    if not unary_scores:
        return out
    return layers.Concatenate(name="scores")([out, logit(x_features, "x_score"), logit(z_features, "z_score")])


# ------------------------------------------------- 28x28x1 presets (dcgan28) --

DCGAN28_SHAPE = (28, 28, 1)


def dcgan28_generator(latent_dim=64, width=64, batch_norm=True, name="dcgan28_generator"):
    """DCGAN generator for 28x28x1 images in [-1, 1] (Radford et al. 2016):
    Dense -> 7x7x(2w) -> ConvTranspose 14x14x(w) -> ConvTranspose 28x28x1, tanh.
    The 28x28x1 preset of `dcgan_generator`.
    """
    return dcgan_generator(latent_dim, DCGAN28_SHAPE, width=width, batch_norm=batch_norm, name=name)


def dcgan28_discriminator(width=64, name="dcgan28_discriminator"):
    """DCGAN discriminator / critic for 28x28x1 images: two stride-2
    convolutions with LeakyReLU(0.2), then one unconstrained output. No
    BatchNorm, so it also serves as a WGAN-GP critic (Gulrajani et al. 2017,
    Sec. 4). The 28x28x1 preset of `dcgan_discriminator`."""
    return dcgan_discriminator(DCGAN28_SHAPE, width=width, name=name)


def dcgan28_encoder(latent_dim=64, width=64, name="dcgan28_encoder"):
    """BiGAN encoder for 28x28x1 images: the convolutions of
    `dcgan28_discriminator` (28 -> 14 -> 7, LeakyReLU(0.2)), then a linear
    Dense of `latent_dim` units. The 28x28x1 preset of `dcgan_encoder`."""
    return dcgan_encoder(DCGAN28_SHAPE, latent_dim, width=width, name=name)


def dcgan28_joint_discriminator(
    latent_dim=64, width=64, dropout=0.0, unary_scores=False, name="dcgan28_joint_discriminator"
):
    """BiGAN discriminator for 28x28x1 images and latents: the convolutions
    of `dcgan28_discriminator` on x (flattened), joined with a Dense(8*width)
    LeakyReLU embedding of z, then one Dense(8*width) LeakyReLU layer and one
    logit. `dropout` (default 0, i.e. deterministic) is applied to the joined
    features and the hidden layer; `unary_scores` adds BigBiGAN's scores of
    x alone and z alone (`joint_scores`). The 28x28x1 preset of
    `dcgan_joint_discriminator`."""
    return dcgan_joint_discriminator(DCGAN28_SHAPE, latent_dim, width=width, dropout=dropout,
                                     unary_scores=unary_scores, name=name)


# --------------------------------------------------- BiGAN / ALI networks --
# Encoders map samples to latents; joint discriminators take `[x, z]` pairs
# (Donahue et al. 2017, "Adversarial Feature Learning", ICLR; Dumoulin et al.
# 2017, "Adversarially Learned Inference", ICLR).


def mlp_encoder(data_dim=2, latent_dim=2, width=128, depth=3, name="mlp_encoder"):
    """MLP encoder for low-dimensional data: `depth` hidden LeakyReLU(0.2)
    layers of `width` units, linear output of `latent_dim` units."""
    data_dim, latent_dim, width, depth = _positive_ints(
        data_dim=data_dim, latent_dim=latent_dim, width=width, depth=depth
    )
    x = keras.Input((data_dim,), name="x")
    h = x
    for i in range(depth):
        h = layers.Dense(width, name=f"dense_{i}")(h)
        h = layers.LeakyReLU(0.2, name=f"leaky_relu_{i}")(h)
    z = layers.Dense(latent_dim, name="output")(h)
    return keras.Model(x, z, name=name)


def mlp_joint_discriminator(
    data_dim=2, latent_dim=2, width=128, depth=3, dropout=0.0, unary_scores=False,
    name="mlp_joint_discriminator",
):
    """BiGAN discriminator for low-dimensional data: `[x, z]` concatenated,
    then `depth` hidden LeakyReLU(0.2) layers (each followed by dropout when
    `dropout` > 0), one logit.

    With `unary_scores`, BigBiGAN's layout (`joint_scores`): x and z first
    pass through their own `depth - 1` hidden layers (F(x) and H(z)), the
    last hidden layer joins them, and the output is `[s_xz, s_x, s_z]`,
    shape `(batch, 3)`, the unary scores linear in F(x) and H(z)."""
    data_dim, latent_dim, width, depth = _positive_ints(
        data_dim=data_dim, latent_dim=latent_dim, width=width, depth=depth
    )
    _check_rate(dropout)
    _check_bool(unary_scores=unary_scores)
    x = keras.Input((data_dim,), name="x")
    z = keras.Input((latent_dim,), name="z")

    def hidden(h, count, prefix):
        for i in range(count):
            h = layers.Dense(width, name=f"{prefix}dense_{i}")(h)
            h = layers.LeakyReLU(0.2, name=f"{prefix}leaky_relu_{i}")(h)
            h = _maybe_dropout(h, dropout, f"{prefix}dropout_{i}")
        return h

    if not unary_scores:
        h = hidden(layers.Concatenate(name="joint")([x, z]), depth, "")
        return keras.Model([x, z], joint_scores(h, None, None), name=name)
    hx, hz = hidden(x, depth - 1, "x_"), hidden(z, depth - 1, "z_")
    h = hidden(layers.Concatenate(name="joint")([hx, hz]), 1, "joint_")
    return keras.Model([x, z], joint_scores(h, hx, hz, unary_scores=True), name=name)
