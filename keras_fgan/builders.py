"""Build a complete adversarial model from a recipe (the CLI's and the zoo's
format).

A recipe is a flat dict of JSON values, for example::

    {"objective": "fgan", "data": "ring", "divergence": "kl",
     "latent_dim": 8, "width": 128, "seed": 0, "epochs": 20, "d_lr": 1e-3}

Its keys fall in three groups (`RECIPE_KEYS`): the model's (`build_model`),
the optimizers' (`compile_model`) and the training run's (epochs, batch size,
how much data), which the caller reads. `split_recipe` checks a recipe and
splits it into the three groups: an unknown key, or a model key that the
objective does not take (`divergence` without "fgan"), raises `ValueError`
naming the valid ones, so a typo never goes unnoticed. `from_recipe` does
both steps.

`build_model` picks the reference networks from the shape of one sample:
MLPs for vectors (the 2-D mixtures), `dcgan28` for 28x28x1 images (so
recipes written before the any-size family build the same models). The two
parts of `build_model`, `reference_networks` and `assemble`, are shared with
`keras_fgan.tuning`.
"""

from keras_fgan import networks
from keras_fgan.models import BiGAN
from keras_fgan.models import FGAN
from keras_fgan.models import GAN
from keras_fgan.models import WGAN

_CLASSES = {"gan": GAN, "fgan": FGAN, "wgan": WGAN, "bigan": BiGAN}
OBJECTIVES = tuple(_CLASSES)
# The model keys each objective takes beyond the common ones.
OBJECTIVE_KEYS = {
    "gan": ("loss", "d_steps"),
    "fgan": ("divergence", "generator_loss", "d_steps"),
    "wgan": ("lipschitz", "n_critic"),
    "bigan": ("loss", "d_steps"),
}
RECIPE_KEYS = {
    "model": (
        "objective", "data", "sample_shape", "latent_dim", "width", "depth",
        "loss", "divergence", "generator_loss", "lipschitz", "n_critic", "d_steps",
        "latent_prior", "seed",
    ),
    "compile": ("d_lr", "g_lr", "beta_1", "beta_2", "jit_compile"),
    # `seed` is in both: it seeds the latent sampler and the training run.
    "training": ("epochs", "batch_size", "n", "limit", "decay_epochs", "backend", "seed"),
}
# One sample's shape for the named data sets; other data give `sample_shape`.
SAMPLE_SHAPES = {"ring": (2,), "grid": (2,), "fashion_mnist": (28, 28, 1)}
DEFAULTS = {
    "vector": {"latent_dim": 8, "width": 128, "depth": 3},
    "image": {"latent_dim": 64, "width": 64},
}


def data_kind(sample_shape):
    """`"vector"` for 1-D samples, `"image"` for (height, width, channels).

    Raises:
        ValueError: any other rank.
    """
    if len(sample_shape) == 1:
        return "vector"
    if len(sample_shape) == 3:
        return "image"
    raise ValueError(
        "Reference networks exist for vectors (D,) and images (height, width, "
        f"channels). Received sample shape: {tuple(sample_shape)}"
    )


def reference_networks(objective, sample_shape, latent_dim, width, depth=3):
    """The reference networks, in the order the objective's class takes them.

    Args:
        objective: one of `OBJECTIVES`.
        sample_shape: shape of one sample: `(D,)` vectors get MLPs of `depth`
            hidden layers; 28x28x1 images the `dcgan28` networks.
        latent_dim: latent size.
        width: network width.
        depth: hidden layers of the MLPs (ignored for images).

    Returns:
        `(generator, discriminator)`, or `(generator, encoder, joint
        discriminator)` for "bigan".

    Raises:
        ValueError: no reference networks for `sample_shape`.
    """
    sample_shape = tuple(sample_shape)
    if data_kind(sample_shape) == "vector":
        (dim,) = sample_shape
        generator = networks.mlp_generator(latent_dim, dim, width=width, depth=depth)
        if objective == "bigan":
            return (
                generator,
                networks.mlp_encoder(dim, latent_dim, width=width, depth=depth),
                networks.mlp_joint_discriminator(dim, latent_dim, width=width, depth=depth),
            )
        return generator, networks.mlp_discriminator(dim, width=width, depth=depth)
    if sample_shape != (28, 28, 1):
        raise ValueError(
            f"Reference image networks exist for 28x28x1 images. Received sample shape: {sample_shape}"
        )
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


def check_objective(objective, settings):
    """Checks that `objective` is known and takes every key of `settings`.

    Args:
        objective: one of `OBJECTIVES`.
        settings: the objective-specific model keys given (a dict or names).

    Raises:
        ValueError: an unknown objective, or a key another objective takes
            (e.g. `divergence` for "gan").
    """
    if objective not in _CLASSES:
        raise ValueError(f"Unknown objective {objective!r}; valid: {', '.join(OBJECTIVES)}.")
    own = OBJECTIVE_KEYS[objective]
    foreign = [key for key in settings if key not in own]
    if foreign:
        takers = sorted({o for o, keys in OBJECTIVE_KEYS.items() if foreign[0] in keys})
        raise ValueError(
            f"`{foreign[0]}` applies to objective {' or '.join(takers)}, not {objective!r} "
            f"(which takes: {', '.join(own)})."
        )


def assemble(objective, nets, **settings):
    """The objective's model around `nets`.

    Args:
        objective: one of `OBJECTIVES`.
        nets: the networks as `reference_networks` returns them.
        **settings: the objective's own keys (`OBJECTIVE_KEYS`: `loss`,
            `divergence`, `generator_loss`, `lipschitz`, `n_critic`,
            `d_steps`) and those every class takes (`seed`, `latent_prior`).
            Keys left out take the class's defaults.

    Raises:
        ValueError: a key the objective does not take.
    """
    check_objective(objective, [k for k in settings if k not in ("seed", "latent_prior")])
    return _CLASSES[objective](*nets, **settings)


def build_model(
    objective="gan",
    data="ring",
    *,
    sample_shape=None,
    latent_dim=None,
    width=None,
    depth=None,
    loss=None,
    divergence=None,
    generator_loss=None,
    lipschitz=None,
    n_critic=None,
    d_steps=None,
    latent_prior=None,
    seed=0,
):
    """Returns an uncompiled adversarial model with reference networks.

    Args:
        objective: one of "gan", "fgan", "wgan", "bigan".
        data: the data set's name; with `sample_shape`, any label (a folder,
            a file, a TFDS name).
        sample_shape: shape of one sample; None looks it up for "ring",
            "grid" (2,) and "fashion_mnist" (28, 28, 1).
        latent_dim: latent size (default per data kind: 8 vectors, 64 images).
        width: network width (default 128 vectors, 64 images).
        depth: hidden layers of the MLP networks (vectors only; default 3).
        loss: GAN / BiGAN generator loss.
        divergence: f-GAN divergence.
        generator_loss: f-GAN generator loss.
        lipschitz: WGAN Lipschitz constraint.
        n_critic: WGAN critic steps per generator step.
        d_steps: discriminator steps for GAN / f-GAN / BiGAN.
        latent_prior: "normal" or "uniform" (BiGAN defaults to "uniform").
        seed: seed of the latent sampler.

    Raises:
        ValueError: an unknown objective, a setting the objective does not
            take, `depth` for images, or data whose sample shape is unknown.
    """
    settings = {
        key: value
        for key, value in (
            ("loss", loss), ("divergence", divergence), ("generator_loss", generator_loss),
            ("lipschitz", lipschitz), ("n_critic", n_critic), ("d_steps", d_steps),
        )
        if value is not None
    }
    check_objective(objective, settings)
    if sample_shape is None:
        if data not in SAMPLE_SHAPES:
            raise ValueError(
                f"Pass `sample_shape` for data {data!r}: it is known only for "
                f"{', '.join(SAMPLE_SHAPES)}."
            )
        sample_shape = SAMPLE_SHAPES[data]
    kind = data_kind(sample_shape)
    if kind == "image" and depth is not None:
        raise ValueError(f"`depth` sets the MLPs for vector data; data {data!r} is images.")
    sizes = dict(DEFAULTS[kind])
    sizes.update({k: v for k, v in (("latent_dim", latent_dim), ("width", width), ("depth", depth)) if v is not None})
    nets = reference_networks(objective, sample_shape, sizes["latent_dim"], sizes["width"], sizes.get("depth", 3))
    if latent_prior is None and objective == "bigan":
        latent_prior = "uniform"
    if latent_prior is not None:
        settings["latent_prior"] = latent_prior
    return assemble(objective, nets, seed=seed, **settings)


def compile_model(model, *, d_lr=None, g_lr=None, beta_1=None, beta_2=None, jit_compile="auto"):
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


def split_recipe(recipe):
    """Checks a recipe and splits it by who reads each key.

    Args:
        recipe: a dict of `RECIPE_KEYS` keys.

    Returns:
        `(model, compile, training)`: three dicts, the keyword arguments of
        `build_model` and `compile_model` and the training settings (`seed`
        is in the first and the last).

    Raises:
        ValueError: an unknown key (the message lists the valid ones), or a
            model key the recipe's objective does not take.
    """
    known = {key for keys in RECIPE_KEYS.values() for key in keys}
    unknown = sorted(set(recipe) - known)
    if unknown:
        groups = "; ".join(f"{group}: {', '.join(keys)}" for group, keys in RECIPE_KEYS.items())
        raise ValueError(f"Unknown recipe key(s) {unknown}. Valid keys, {groups}.")
    parts = tuple({k: recipe[k] for k in keys if k in recipe} for keys in RECIPE_KEYS.values())
    model = parts[0]
    check_objective(
        model.get("objective", "gan"),
        [k for k in model if any(k in keys for keys in OBJECTIVE_KEYS.values())],
    )
    return parts


def from_recipe(recipe, compile=True):
    """`build_model` (and `compile_model`) from a checked recipe.

    Args:
        recipe: a dict of `RECIPE_KEYS` keys.
        compile: also compile the model with the recipe's optimizer keys.

    Returns:
        The adversarial model.

    Raises:
        ValueError: as `split_recipe` and `build_model`.
    """
    model_keys, compile_keys, _ = split_recipe(recipe)
    model = build_model(**model_keys)
    return compile_model(model, **compile_keys) if compile else model
