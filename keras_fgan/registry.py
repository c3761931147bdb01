"""The one table of adversarial families, their recipe parameters, and data
protocols.

Builders, the command line (`choices=`), the tuner's search space, the zoo,
callbacks, evaluation reports and `scripts/train_zoo.py` read the names and
parameters from here; nothing else spells them. A *recipe* is the flat dict
of JSON values a model is built and trained from (the CLI's options, a zoo
preset's `recipe`); `validate_recipe` checks it against this table and
refuses unknown keys, naming the valid ones.

Adding a family (or a loss / regularizer, which `"adversarial"` picks up from
`keras_fgan.losses.names()` / `keras_fgan.regularizers.names()`) is one entry
here.
"""

import dataclasses
import difflib
import math

from keras_fgan import divergences
from keras_fgan import lipschitz
from keras_fgan import losses
from keras_fgan import objectives
from keras_fgan import regularizers


@dataclasses.dataclass(frozen=True)
class Parameter:
    """One recipe parameter.

    Attributes:
        default: its value when the recipe omits it (None: chosen later, e.g.
            by the data kind).
        choices: a callable returning the valid values, or None.
        kind: "str", "int", "float", "bool" or "list" (a list of choices).
        minimum: the smallest valid number (ints and floats).
        maximum: the largest valid number (ints and floats).
        help: one line for `--help` and the docs.
    """

    default: object = None
    choices: object = None
    kind: str = "str"
    minimum: float = None
    maximum: float = None
    help: str = ""

    def check(self, name, value):
        """`value` if valid for this parameter, else a ValueError naming it."""
        if value is None:
            return value
        if self.kind == "list":
            if not isinstance(value, (list, tuple)):
                raise ValueError(f"`{name}` must be a list. Received: {value!r}")
            for item in value:
                self._check_choice(name, item)
            return list(value)
        if self.kind in ("int", "float"):
            number_types = (int,) if self.kind == "int" else (int, float)
            if isinstance(value, bool) or not isinstance(value, number_types) or not math.isfinite(value):
                raise ValueError(f"`{name}` must be a finite {self.kind}. Received: {value!r}")
            if self.minimum is not None and value < self.minimum:
                raise ValueError(f"`{name}` must be >= {self.minimum}. Received: {value!r}")
            if self.maximum is not None and value > self.maximum:
                raise ValueError(f"`{name}` must be <= {self.maximum}. Received: {value!r}")
            return value
        if self.kind == "bool" and not isinstance(value, bool):
            raise ValueError(f"`{name}` must be true or false. Received: {value!r}")
        self._check_choice(name, value)
        return value

    def _check_choice(self, name, value):
        if self.choices is None:
            return
        valid = tuple(self.choices())
        if value not in valid:
            close = difflib.get_close_matches(str(value), [str(v) for v in valid], n=3, cutoff=0.5)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise ValueError(f"Unknown {name} {value!r}.{hint} Valid: {', '.join(map(str, valid))}.")


@dataclasses.dataclass(frozen=True)
class Family:
    """An adversarial family: its model class and its own recipe parameters.

    Attributes:
        name: the recipe's `objective` value ("gan", "fgan", ...).
        class_name: the `keras_fgan` model class it builds.
        parameters: its own parameters (besides `COMMON`), name -> Parameter.
        excludes: `COMMON` parameters it does not take (e.g. WGAN's
            `d_steps` is `n_critic`).
        joint: True if it also has an encoder and a joint discriminator.
        reference: the paper, for model cards and docs.
        title: a one-line description of a recipe of this family, formatted
            with the recipe's values (`Family.describe`).
    """

    name: str
    class_name: str
    parameters: dict
    excludes: tuple = ()
    joint: bool = False
    reference: str = ""
    title: str = ""

    def describe(self, recipe):
        """The family's `title` filled in from a validated recipe."""
        return self.title.format(**recipe)

    def recipe_keys(self):
        """The model parameters this family takes (its own and the common ones)."""
        return tuple(k for k in COMMON if k not in self.excludes) + tuple(self.parameters)

    def parameter(self, key):
        return self.parameters.get(key) or COMMON[key]

    def model_kwargs(self, recipe):
        """The keyword arguments of the family's model class for a validated
        recipe (the networks, built from `NETWORK_KEYS`, are passed apart)."""
        kwargs = {
            k: recipe[k] for k in self.recipe_keys()
            if k not in NETWORK_KEYS + STRENGTH_KEYS and recipe.get(k) is not None
        }
        if "lipschitz" in kwargs:
            kwargs["lipschitz"] = _lipschitz(kwargs["lipschitz"], recipe.get("gamma"), recipe.get("clip_value"))
        if "regularizers" in kwargs:
            gamma = recipe.get("gamma")
            if gamma is not None and not kwargs["regularizers"]:
                raise ValueError("`gamma` weighs the discriminator regularizers; the recipe has none "
                                 f"(give `regularizers`, e.g. ['r1'], of {', '.join(regularizers.names())}).")
            kwargs["regularizers"] = [
                regularizers.get(name if gamma is None else {"name": name, **_weight(name, gamma)})
                for name in kwargs["regularizers"]
            ]
        return kwargs


# Model parameters every family takes unless it excludes them.
COMMON = {
    "latent_dim": Parameter(None, kind="int", minimum=1, maximum=4096, help="latent size"),
    "width": Parameter(None, kind="int", minimum=1, maximum=4096, help="network width"),
    "depth": Parameter(None, kind="int", minimum=1, maximum=64, help="hidden layers of the MLPs"),
    "d_steps": Parameter(1, kind="int", minimum=1, maximum=100,
                         help="discriminator steps per generator step"),
    "pack": Parameter(1, kind="int", minimum=1, maximum=16,
                      help="PacGAN packing: samples per discriminator input"),
    "ema": Parameter(None, kind="float", minimum=0.0, maximum=0.99999,
                     help="generator weight EMA decay (none: off)"),
    "latent_prior": Parameter(None, choices=lambda: ("normal", "uniform"), help="latent prior"),
    "seed": Parameter(0, kind="int", help="seed of the latent sampler and initialisation"),
}

_PENALTY_WEIGHT = Parameter(None, kind="float", minimum=0.0,
                            help="weight of the r1 / r2 / gradient penalties")
_GAN_LOSS = Parameter("non_saturating", choices=lambda: objectives.GAN_GENERATOR_LOSSES,
                      help="GAN / BiGAN generator loss")
_REGULARIZERS = Parameter([], choices=regularizers.names, kind="list",
                          help="discriminator regularizers")
# Discriminator regularizers (R1, R2, ...) weighted by `gamma` (BiGAN's
# joint discriminator is regularized on flat [x, z] pairs).
_REGULARIZED = {"regularizers": _REGULARIZERS, "gamma": _PENALTY_WEIGHT}

FAMILIES = {
    "gan": Family(
        "gan", "GAN", {"loss": _GAN_LOSS, **_REGULARIZED},
        reference="Goodfellow et al., 2014. Generative Adversarial Nets. https://arxiv.org/abs/1406.2661",
        title="GAN ({loss} generator loss)",
    ),
    "fgan": Family(
        "fgan", "FGAN",
        {
            "divergence": Parameter("jensen_shannon", choices=divergences.names, help="f-GAN divergence"),
            "generator_loss": Parameter("auto", choices=lambda: objectives.F_GAN_GENERATOR_LOSSES,
                                        help="f-GAN generator loss"),
            **_REGULARIZED,
        },
        reference="Nowozin, Cseke and Tomioka, 2016. f-GAN. https://arxiv.org/abs/1606.00709",
        title="f-GAN ({divergence} divergence)",
    ),
    "wgan": Family(
        "wgan", "WGAN",
        {
            "lipschitz": Parameter("gradient_penalty", choices=lipschitz.names,
                                   help="WGAN Lipschitz constraint"),
            "n_critic": Parameter(5, kind="int", minimum=1, maximum=100,
                                  help="WGAN critic steps per generator step"),
            "gamma": _PENALTY_WEIGHT,
            "clip_value": Parameter(None, kind="float", minimum=0.0,
                                    help="WGAN weight-clipping bound c (default 0.01)"),
        },
        excludes=("d_steps",),
        reference=("Arjovsky, Chintala and Bottou, 2017. Wasserstein GAN. "
                   "https://arxiv.org/abs/1701.07875; Gulrajani et al., 2017. Improved Training "
                   "of Wasserstein GANs. https://arxiv.org/abs/1704.00028"),
        title="WGAN ({lipschitz} Lipschitz constraint)",
    ),
    "bigan": Family(
        "bigan", "BiGAN",
        {"loss": _GAN_LOSS, **_REGULARIZED,
         "penalize_latent": Parameter(True, kind="bool",
                                      help="regularizers penalise the gradient in the latent too (false: x only)"),
         "latent_reconstruction": Parameter(0.0, kind="float", minimum=0.0,
                                            help="weight of the latent reconstruction |z - E(G(z))|^2 (VEEGAN)"),
         "sample_reconstruction": Parameter(0.0, kind="float", minimum=0.0,
                                            help="weight of the sample reconstruction mean (x - G(E(x)))^2 (ALICE)"),
         "reconstruction_trains_generator": Parameter(
             True, kind="bool", help="reconstruction terms train G as well as E (false: E alone)"),
         "unary_scores": Parameter(False, kind="bool",
                                   help="joint discriminator also scores x and z alone (BigBiGAN)")},
        excludes=("pack",), joint=True,
        reference=("Donahue, Kraehenbuehl and Darrell, 2017. Adversarial Feature Learning. "
                   "https://arxiv.org/abs/1605.09782"),
        title="BiGAN ({loss} generator loss)",
    ),
    "adversarial": Family(
        "adversarial", "AdversarialModel",
        {
            "loss": Parameter("non_saturating", choices=losses.names, help="adversarial loss"),
            **_REGULARIZED,
            "spectral_norm": Parameter(False, kind="bool",
                                       help="spectrally normalised discriminator"),
        },
        reference=("Goodfellow et al., 2014. Generative Adversarial Nets. "
                   "https://arxiv.org/abs/1406.2661; Yazici et al., 2019. The Unusual "
                   "Effectiveness of Averaging in GAN Training (EMA). https://arxiv.org/abs/1806.04498; "
                   "Huang et al., 2024. The GAN is dead; long live the GAN! (R3GAN: relativistic "
                   "loss + R1 + R2). https://arxiv.org/abs/2501.05441"),
        title="{loss} loss with regularizers {regularizers}, packing {pack}",
    ),
}

# Recipe keys that shape the networks rather than the model.
NETWORK_KEYS = ("latent_dim", "width", "depth", "spectral_norm", "unary_scores")
# Recipe keys that set the strength of another argument (the penalty weight of
# `regularizers` or `lipschitz`, WGAN's clipping bound), folded into it by
# `Family.model_kwargs`.
STRENGTH_KEYS = ("gamma", "clip_value")


def _lipschitz(name, gamma, clip_value):
    """WGAN's `lipschitz` argument: the constraint's name, or its config
    when the recipe sets its strength (`gamma`: the weight of the two- or
    one-sided gradient penalty, Gulrajani et al. 2017 Eq. 3, default 10;
    `clip_value`: the weight-clipping bound c, Arjovsky et al. 2017 Alg. 1,
    default 0.01)."""
    if gamma is not None and name not in lipschitz.PENALTIES:
        raise ValueError(f"`gamma` weighs the gradient penalty; lipschitz={name!r} has none "
                         f"(it applies to lipschitz {' or '.join(lipschitz.PENALTIES)}).")
    if clip_value is not None and name != "weight_clip":
        raise ValueError(f"`clip_value` bounds weight clipping; it does not apply to lipschitz={name!r}.")
    if gamma is not None:
        return {"name": name, **_weight(name, gamma)}
    if clip_value is not None:
        return {"name": name, "clip_value": clip_value}
    return name


def _weight(name, gamma):
    """The regularizer's weight parameter set to `gamma`."""
    if name in ("r1", "r2"):
        return {"gamma": gamma}
    if name in lipschitz.PENALTIES:
        return {"weight": gamma}
    return {}


# Compile and training keys a recipe may also hold (read by builders /
# the trainer, not by the model constructor).
TRAINING = {
    "d_lr": Parameter(None, kind="float", minimum=0.0, help="discriminator learning rate"),
    "g_lr": Parameter(None, kind="float", minimum=0.0, help="generator learning rate"),
    "beta_1": Parameter(None, kind="float", minimum=0.0, maximum=1.0, help="Adam beta_1"),
    "beta_2": Parameter(None, kind="float", minimum=0.0, maximum=1.0, help="Adam beta_2"),
    "epochs": Parameter(10, kind="int", minimum=1, help="training epochs"),
    "batch_size": Parameter(64, kind="int", minimum=1, maximum=65536, help="batch size"),
    "n": Parameter(20000, kind="int", minimum=1, maximum=10_000_000,
                   help="samples drawn for the 2-D mixtures"),
    "limit": Parameter(None, kind="int", minimum=1, help="use only the first LIMIT training samples"),
    "data": Parameter("ring", help="a data set name, folder, .npy/.npz file or tfds:<name>"),
    "objective": Parameter("gan", choices=lambda: tuple(FAMILIES), help="adversarial family"),
}

# Evaluation protocols by data set name (`keras_fgan.evaluation.report`).
MIXTURES = ("ring", "grid")
PROTOCOLS = {"ring": "mode_coverage", "grid": "mode_coverage", "fashion_mnist": "classifier"}


def family_names():
    """The families' recipe names ("gan", "fgan", "wgan", "bigan", "adversarial")."""
    return tuple(FAMILIES)


def family(name):
    """The `Family` of a recipe's `objective`, or a ValueError listing them."""
    if name not in FAMILIES:
        TRAINING["objective"].check("objective", name)
    return FAMILIES[name]


def family_of_class(class_name):
    """The `Family` whose model class is `class_name` (e.g. "WGAN"), or None."""
    for fam in FAMILIES.values():
        if fam.class_name == class_name:
            return fam
    return None


def model_class(name):
    """The model class of a family (imported here, after the models)."""
    import keras_fgan

    return getattr(keras_fgan, family(name).class_name)


def validate_recipe(recipe, *, extra=()):
    """Checks a recipe against the table and returns it with defaults filled.

    Args:
        recipe: a dict with `objective` and any model, compile and training
            keys (see `FAMILIES`, `COMMON`, `TRAINING`).
        extra: further keys the caller accepts (bookkeeping such as
            `backend`), passed through unchecked.

    Returns:
        A new dict: every key of the family and of `TRAINING`, with defaults
        where the recipe has none.

    Raises:
        ValueError: an unknown objective or key (naming the valid keys of
            that objective), or an invalid value.
    """
    recipe = dict(recipe)
    fam = family(recipe.get("objective", TRAINING["objective"].default))
    valid = set(fam.recipe_keys()) | set(TRAINING) | set(extra)
    unknown = sorted(set(recipe) - valid)
    if unknown:
        raise ValueError(
            f"Unknown recipe key(s) for objective {fam.name!r}: {', '.join(unknown)}. "
            f"Valid keys: {', '.join(sorted(valid))}."
        )
    checked = {}
    for key in fam.recipe_keys():
        param = fam.parameter(key)
        checked[key] = param.check(key, recipe.get(key, param.default))
    for key, param in TRAINING.items():
        checked[key] = param.check(key, recipe.get(key, param.default))
    checked["objective"] = fam.name
    for key in extra:
        if key in recipe:
            checked[key] = recipe[key]
    return checked
