"""Build a complete adversarial model from plain settings (the CLI's and the
zoo's recipe format).

A recipe is a flat dict of JSON values, for example::

    {"objective": "fgan", "data": "ring", "divergence": "kl",
     "latent_dim": 8, "width": 128, "seed": 0}

`build_model(**recipe)` returns the uncompiled model with the reference
networks for the data set (MLPs for the 2-D mixtures, `dcgan28` for 28x28
images); `compile_model(model, **recipe)` compiles it with the objective's
paper-default optimizers unless learning rates are given. The two parts of
`build_model`, `reference_networks` and `assemble`, are shared with
`keras_fgan.tuning`.
"""

from keras_fgan import lipschitz as lipschitz_module
from keras_fgan import networks
from keras_fgan.models import BiGAN
from keras_fgan.models import FGAN
from keras_fgan.models import GAN
from keras_fgan.models import WGAN

OBJECTIVES = ("gan", "fgan", "wgan", "bigan")
DATA_KINDS = {"ring": "plane", "grid": "plane", "fashion_mnist": "image"}
DEFAULTS = {
    "plane": {"latent_dim": 8, "width": 128, "depth": 3},
    "image": {"latent_dim": 64, "width": 64},
}


def reference_networks(objective, kind, latent_dim, width, depth=3, data_dim=2):
    """The reference networks, in the order the objective's class takes them.

    Args:
        objective: one of `OBJECTIVES`.
        kind: "plane" (MLPs of `depth` hidden layers on `data_dim`-vectors)
            or "image" (the `dcgan28` networks for 28x28x1 images).
        latent_dim: latent size.
        width: network width.
        depth: hidden layers of the MLPs (ignored for images).
        data_dim: size of a sample vector (ignored for images).

    Returns:
        `(generator, discriminator)`, or `(generator, encoder, joint
        discriminator)` for "bigan".
    """
    if kind == "plane":
        generator = networks.mlp_generator(latent_dim, data_dim, width=width, depth=depth)
        if objective == "bigan":
            return (
                generator,
                networks.mlp_encoder(data_dim, latent_dim, width=width, depth=depth),
                networks.mlp_joint_discriminator(data_dim, latent_dim, width=width, depth=depth),
            )
        return generator, networks.mlp_discriminator(data_dim, width=width, depth=depth)
    # WGAN-GP critics must not use batch-dependent layers; the dcgan28
    # discriminator has none. The generator keeps BatchNorm.
    generator = networks.dcgan28_generator(latent_dim, width=width)
    if objective == "bigan":
        return (
            generator,
            networks.dcgan28_encoder(latent_dim, width=width),
            networks.dcgan28_joint_discriminator(latent_dim, width=width),
        )
    return generator, networks.dcgan28_discriminator(width=width)


def assemble(
    objective,
    nets,
    *,
    loss="non_saturating",
    divergence="jensen_shannon",
    generator_loss="auto",
    lipschitz="gradient_penalty",
    n_critic=5,
    d_steps=1,
    **common,
):
    """The objective's model around `nets`.

    Args:
        objective: one of `OBJECTIVES`.
        nets: the networks as `reference_networks` returns them.
        loss: GAN / BiGAN generator loss.
        divergence: f-GAN divergence.
        generator_loss: f-GAN generator loss.
        lipschitz: WGAN Lipschitz constraint (name, config or instance).
        n_critic: WGAN critic steps per generator step.
        d_steps: discriminator steps for GAN / f-GAN / BiGAN.
        **common: arguments every class takes (`seed`, `latent_prior`).
    """
    if objective == "gan":
        return GAN(*nets, loss=loss, d_steps=d_steps, **common)
    if objective == "fgan":
        return FGAN(*nets, divergence=divergence, generator_loss=generator_loss, d_steps=d_steps, **common)
    if objective == "wgan":
        return WGAN(*nets, lipschitz=lipschitz_module.get(lipschitz), n_critic=n_critic, **common)
    return BiGAN(*nets, loss=loss, d_steps=d_steps, **common)


def build_model(
    objective="gan",
    data="ring",
    *,
    latent_dim=None,
    width=None,
    depth=None,
    loss="non_saturating",
    divergence="jensen_shannon",
    generator_loss="auto",
    lipschitz="gradient_penalty",
    n_critic=5,
    d_steps=1,
    latent_prior=None,
    seed=0,
    **unused,
):
    """Returns an uncompiled adversarial model with reference networks.

    Args:
        objective: one of "gan", "fgan", "wgan", "bigan".
        data: "ring", "grid" (2-D MLPs) or "fashion_mnist" (dcgan28).
        latent_dim: latent size (default per data kind).
        width: network width (default per data kind).
        depth: hidden layers of the MLP networks (default per data kind).
        loss: GAN / BiGAN generator loss.
        divergence: f-GAN divergence.
        generator_loss: f-GAN generator loss.
        lipschitz: WGAN Lipschitz constraint.
        n_critic: WGAN critic steps per generator step.
        d_steps: discriminator steps for GAN / f-GAN / BiGAN.
        latent_prior: "normal" or "uniform" (BiGAN defaults to "uniform").
        seed: seed of the latent sampler.
        **unused: further recipe keys (learning rates, epochs, ...) that
            `compile_model` or the trainer reads.
    """
    if objective not in OBJECTIVES:
        raise ValueError(f"Unknown objective {objective!r}; valid: {', '.join(OBJECTIVES)}.")
    if data not in DATA_KINDS:
        raise ValueError(f"No reference networks for data {data!r}; valid: {', '.join(DATA_KINDS)}.")
    kind = DATA_KINDS[data]
    sizes = dict(DEFAULTS[kind])
    sizes.update({k: v for k, v in (("latent_dim", latent_dim), ("width", width), ("depth", depth)) if v is not None})
    nets = reference_networks(objective, kind, sizes["latent_dim"], sizes["width"], sizes.get("depth", 3))
    common = {"seed": seed}
    if latent_prior is not None:
        common["latent_prior"] = latent_prior
    elif objective == "bigan":
        common["latent_prior"] = "uniform"
    return assemble(
        objective, nets, loss=loss, divergence=divergence, generator_loss=generator_loss,
        lipschitz=lipschitz, n_critic=n_critic, d_steps=d_steps, **common,
    )


def compile_model(model, *, d_lr=None, g_lr=None, beta_1=None, beta_2=None, jit_compile="auto", **unused):
    """Compiles with the objective's default optimizers; `d_lr`, `g_lr`,
    `beta_1`, `beta_2` override the defaults' hyperparameters."""
    d_opt, g_opt = model.default_optimizers()
    for opt, lr in ((d_opt, d_lr), (g_opt, g_lr)):
        if lr is not None:
            opt.learning_rate = float(lr)
        for name, value in (("beta_1", beta_1), ("beta_2", beta_2)):
            if value is not None and hasattr(opt, name):
                setattr(opt, name, float(value))
    model.compile(d_optimizer=d_opt, g_optimizer=g_opt, jit_compile=jit_compile)
    return model
