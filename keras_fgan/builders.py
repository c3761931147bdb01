"""Build a complete adversarial model from a recipe (the CLI's and the zoo's
format).

A recipe is a flat dict of JSON values, for example::

    {"objective": "fgan", "data": "ring", "divergence": "kl",
     "latent_dim": 8, "width": 128, "seed": 0, "epochs": 20, "d_lr": 1e-3}

`keras_fgan.registry` says which keys a recipe may hold: the family's model
parameters (`registry.family(objective).recipe_keys()`), the optimizers'
(`COMPILE_KEYS`), the training run's, and the few `EXTRA_KEYS` the trainer
records. `split_recipe` checks a recipe against it and splits it into the
keyword arguments of `build_model` and `compile_model` and the training
settings: an unknown key, or a model key the objective does not take
(`divergence` without "fgan"), raises `ValueError` naming the valid ones, so
a typo never goes unnoticed. `from_recipe` does both steps.

`build_model` picks the reference networks from the shape of one sample:
MLPs for vectors (the 2-D mixtures), the DCGAN family
(`kf.networks.dcgan_generator`, ...) at the images' size, and for 28x28x1
its `dcgan28` presets, so earlier recipes build the same models. The two
parts of `build_model`, `reference_networks` and `assemble`, are shared with
`keras_fgan.tuning`.
"""

from keras_fgan import networks
from keras_fgan import registry

COMPILE_KEYS = ("d_lr", "g_lr", "beta_1", "beta_2")
# Recipe keys besides the registry's: the shape of one sample (for data other
# than the built-in sets), and what the trainer reads or records.
EXTRA_KEYS = ("sample_shape", "image_size", "decay_epochs", "backend")
# One sample's shape for the built-in data sets (`kf.datasets.load`).
SAMPLE_SHAPES = {
    **{name: (2,) for name in registry.MIXTURES},
    "fashion_mnist": (28, 28, 1),
    "digits": (8, 8, 1),
}
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


def reference_networks(objective, sample_shape, latent_dim, width, depth=3, *, pack=1,
                       spectral_norm=False, unary_scores=False):
    """The reference networks, in the order the objective's class takes them.

    Args:
        objective: a family of `keras_fgan.registry.family_names()`.
        sample_shape: shape of one sample: `(D,)` vectors get MLPs of `depth`
            hidden layers; 28x28x1 images the `dcgan28` networks; other
            images `(height, width, 1 or 3)` the `dcgan` networks at that
            size (sides that halve at least once to 4 or more: 28, 32, 64,
            128, ...).
        latent_dim: latent size.
        width: network width.
        depth: hidden layers of the MLPs (ignored for images).
        pack: PacGAN packing of the discriminator's input (not for joint
            discriminators).
        spectral_norm: spectrally normalised discriminator kernels.
        unary_scores: the joint discriminator also scores x and z alone
            (BigBiGAN, `kf.networks.joint_scores`); joint families only.

    Returns:
        `(generator, discriminator)`, or `(generator, encoder, joint
        discriminator)` for a joint family ("bigan").

    Raises:
        ValueError: no reference networks for `sample_shape` (the message
            says why).
    """
    sample_shape = tuple(int(size) for size in sample_shape)
    joint = registry.family(objective).joint
    if unary_scores and not joint:
        raise ValueError(f"`unary_scores` applies to joint discriminators (objective 'bigan'), not {objective!r}.")
    critic = {"pack": pack, "spectral_norm": spectral_norm}
    scores = {"unary_scores": unary_scores}
    if data_kind(sample_shape) == "vector":
        (dim,) = sample_shape
        generator = networks.mlp_generator(latent_dim, dim, width=width, depth=depth)
        if joint:
            return (
                generator,
                networks.mlp_encoder(dim, latent_dim, width=width, depth=depth),
                networks.mlp_joint_discriminator(dim, latent_dim, width=width, depth=depth, **scores),
            )
        return generator, networks.mlp_discriminator(dim, width=width, depth=depth, **critic)
    # WGAN-GP critics must not use batch-dependent layers; the DCGAN
    # discriminators have none. The generator keeps BatchNorm.
    if sample_shape == networks.DCGAN28_SHAPE and pack == 1 and not spectral_norm:
        generator = networks.dcgan28_generator(latent_dim, width=width)  # earlier recipes' names
        if joint:
            return (
                generator,
                networks.dcgan28_encoder(latent_dim, width=width),
                networks.dcgan28_joint_discriminator(latent_dim, width=width, **scores),
            )
        return generator, networks.dcgan28_discriminator(width=width)
    generator = networks.dcgan_generator(latent_dim, sample_shape, width=width)
    if joint:
        return (
            generator,
            networks.dcgan_encoder(sample_shape, latent_dim, width=width),
            networks.dcgan_joint_discriminator(sample_shape, latent_dim, width=width, **scores),
        )
    return generator, networks.dcgan_discriminator(sample_shape, width=width, **critic)


def check_keys(objective, keys):
    """Checks that `objective` is a registered family taking every key.

    Args:
        objective: a family name.
        keys: model keys (recipe parameters) given for it.

    Raises:
        ValueError: an unknown objective, or a key the family does not take:
            the message names the families that take it and the valid keys.
    """
    family = registry.family(objective)
    foreign = [key for key in keys if key not in family.recipe_keys()]
    if foreign:
        takers = [f.name for f in registry.FAMILIES.values() if foreign[0] in f.recipe_keys()]
        names = " or ".join(filter(None, (", ".join(takers[:-1]), *takers[-1:])))
        where = f"applies to objective {names}, not" if takers else "is not a parameter of"
        raise ValueError(
            f"`{foreign[0]}` {where} {objective!r} (which takes: {', '.join(family.recipe_keys())})."
        )


def assemble(objective, nets, **settings):
    """The objective's model around `nets`.

    Args:
        objective: a family of `keras_fgan.registry.family_names()`.
        nets: the networks as `reference_networks` returns them.
        **settings: keyword arguments of the family's model class, among its
            recipe parameters (values may be objects, e.g. a
            `kf.lipschitz.WeightClip`); omitted ones take the class's
            defaults.

    Raises:
        ValueError: a key the family does not take.
    """
    check_keys(objective, settings)
    return registry.model_class(objective)(*nets, **registry.family(objective).model_kwargs(settings))


def build_model(objective="gan", data="ring", *, sample_shape=None, **settings):
    """Returns an uncompiled adversarial model with reference networks.

    Args:
        objective: a family of `keras_fgan.registry.family_names()`: "gan",
            "fgan", "wgan", "bigan" or "adversarial" (a loss and
            regularizers of `kf.losses` / `kf.regularizers`).
        data: the data set's name; with `sample_shape`, any label (a folder,
            a file, a TFDS name).
        sample_shape: shape of one sample; None looks it up for the built-in
            data sets (`SAMPLE_SHAPES`).
        **settings: the family's recipe parameters
            (`registry.family(objective).recipe_keys()`): sizes
            (`latent_dim`, `width`, `depth`; defaults per data kind, see
            `DEFAULTS`), the family's own (`divergence`, `lipschitz`, `loss`,
            ...), `d_steps`, `pack`, `ema`, `latent_prior` (BiGAN defaults to
            "uniform"), `seed`. Omitted ones take the registry's defaults.

    Raises:
        ValueError: an unknown objective, a key the family does not take, an
            invalid value, `depth` for images, or data whose sample shape is
            unknown.
    """
    check_keys(objective, settings)
    family = registry.family(objective)
    recipe = {
        key: family.parameter(key).check(key, settings.get(key, family.parameter(key).default))
        for key in family.recipe_keys()
    }
    if sample_shape is None:
        if data not in SAMPLE_SHAPES:
            raise ValueError(
                f"Pass `sample_shape` for data {data!r}: it is known only for "
                f"{', '.join(SAMPLE_SHAPES)}."
            )
        sample_shape = SAMPLE_SHAPES[data]
    kind = data_kind(sample_shape)
    if kind == "image" and recipe.get("depth") is not None:
        raise ValueError(f"`depth` sets the MLPs for vector data; data {data!r} is images.")
    sizes = {**DEFAULTS[kind], **{k: recipe[k] for k in DEFAULTS[kind] if recipe.get(k) is not None}}
    nets = reference_networks(
        objective, sample_shape, sizes["latent_dim"], sizes["width"], sizes.get("depth", 3),
        pack=recipe.get("pack", 1), spectral_norm=recipe.get("spectral_norm", False),
        unary_scores=recipe.get("unary_scores", False),
    )
    kwargs = family.model_kwargs(recipe)
    if family.joint:
        kwargs.setdefault("latent_prior", "uniform")
    return registry.model_class(objective)(*nets, **kwargs)


def compile_model(model, *, d_lr=None, g_lr=None, beta_1=None, beta_2=None, jit_compile="auto"):
    """Compiles with the objective's default optimizers; `d_lr`, `g_lr`,
    `beta_1`, `beta_2` (`COMPILE_KEYS`) override the defaults'
    hyperparameters."""
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
    """Checks a recipe against `keras_fgan.registry` and splits it by who
    reads each key.

    Args:
        recipe: a dict: `objective`, `data`, the family's model parameters,
            `COMPILE_KEYS`, the registry's training keys and `EXTRA_KEYS`.

    Returns:
        `(model, compile, training)`: three dicts, the keyword arguments of
        `build_model` and `compile_model` and the training settings (`data`
        and `seed` are in the first and the last), with the registry's
        defaults filled in.

    Raises:
        ValueError: an unknown key (the message lists the valid ones), a
            model key the recipe's objective does not take, or an invalid
            value.
    """
    parameters = {key for f in registry.FAMILIES.values() for key in f.recipe_keys()}
    check_keys(recipe.get("objective", registry.TRAINING["objective"].default),
               [key for key in recipe if key in parameters])
    checked = registry.validate_recipe(recipe, extra=EXTRA_KEYS)
    family = registry.family(checked["objective"])
    model_keys = ("objective", "data", *family.recipe_keys())
    model = {k: checked[k] for k in model_keys}
    if checked.get("sample_shape") is not None:
        model["sample_shape"] = tuple(checked["sample_shape"])
    compile_keys = {k: checked[k] for k in COMPILE_KEYS}
    training = {
        k: v for k, v in checked.items()
        if k in ("data", "seed") or (k not in model and k not in COMPILE_KEYS)
    }
    return model, compile_keys, training


def from_recipe(recipe, compile=True):
    """`build_model` (and `compile_model`) from a checked recipe.

    Args:
        recipe: a recipe dict (see `split_recipe`).
        compile: also compile the model with the recipe's optimizer keys.

    Returns:
        The adversarial model.

    Raises:
        ValueError: as `split_recipe` and `build_model`.
    """
    model_keys, compile_keys, _ = split_recipe(recipe)
    model = build_model(**model_keys)
    return compile_model(model, **compile_keys) if compile else model
