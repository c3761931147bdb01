"""The search space: one `Dimension` per hyperparameter, and the checks of
the values and domains a user narrows it to."""

import math
import numbers

import numpy as np

from keras_fgan import lipschitz
from keras_fgan import registry

# The hyperparameter that searches each family parameter of the registry.
FAMILY_DIMENSIONS = {
    "loss": "gan_loss",
    "divergence": "divergence",
    "generator_loss": "generator_loss",
    "lipschitz": "lipschitz",
    "n_critic": "n_critic",
    "gamma": "penalty_weight",
    "clip_value": "clip_value",
}
# Family parameters the space leaves at their defaults: the discriminator
# regularizers the GAN, f-GAN and BiGAN families may add (none by default),
# BiGAN's `penalize_latent`, which only matters with regularizers, its
# `latent_reconstruction` and `sample_reconstruction` (0: the plain BiGAN),
# `reconstruction_trains_generator`, which only matters with them, and
# `unary_scores` (off: the plain joint discriminator).
UNSEARCHED = ("regularizers", "penalize_latent", "latent_reconstruction", "sample_reconstruction",
              "reconstruction_trains_generator", "unary_scores")
# The families whose every other own parameter the space searches (not, e.g.,
# the "adversarial" one, whose loss and spectral norm it does not).
OBJECTIVES = tuple(
    name for name, family in registry.FAMILIES.items()
    if set(family.parameters) - set(UNSEARCHED) <= set(FAMILY_DIMENSIONS)
)
MIXTURES = registry.MIXTURES
DATA_NAMES = tuple(registry.PROTOCOLS)
PENALTIES = lipschitz.PENALTIES


def takers(parameter):
    """The searched families that take the registry parameter `parameter`."""
    return tuple(name for name in OBJECTIVES if parameter in registry.FAMILIES[name].parameters)


def _choices(parameter):
    """The valid values of a family parameter (the searched families that
    take it share its registry entry)."""
    return registry.FAMILIES[takers(parameter)[0]].parameters[parameter].choices


class Dimension:
    """One hyperparameter: its kind, valid values and default domain."""

    def __init__(self, name, argument, kind, default, *, valid=None, log=False,
                 parent=None, check=None):
        self.name = name          # the hyperparameter name
        self.argument = argument  # the constructor argument that narrows it
        self.kind = kind          # "categorical", "int" or "float"
        self.default = default    # list (choices) or (low, high) tuple (range)
        self.valid = valid        # callable -> all valid categorical values
        self.log = log
        self.parent = parent      # (parent hyperparameter, values) or None
        self.check = check        # predicate on one numeric value

    def valid_values(self):
        return tuple(self.valid()) if self.valid else None


def _positive(value):
    return value > 0


def _unit_interval(value):
    return 0 <= value < 1


SEARCH_SPACE = {
    dim.name: dim
    for dim in (
        Dimension("objective", "objectives", "categorical", list(OBJECTIVES),
                  valid=lambda: OBJECTIVES),
        Dimension("gan_loss", "gan_losses", "categorical", None,
                  valid=_choices("loss"), parent=("objective", takers("loss"))),
        Dimension("divergence", "divergences", "categorical", None,
                  valid=_choices("divergence"), parent=("objective", takers("divergence"))),
        Dimension("generator_loss", "generator_losses", "categorical", None,
                  valid=_choices("generator_loss"),
                  parent=("objective", takers("generator_loss"))),
        Dimension("lipschitz", "lipschitz", "categorical", None,
                  valid=_choices("lipschitz"), parent=("objective", takers("lipschitz"))),
        Dimension("clip_value", "clip_values", "float", (1e-3, 0.1), log=True,
                  parent=("lipschitz", ("weight_clip",)), check=_positive),
        Dimension("penalty_weight", "penalty_weights", "float", (1.0, 100.0), log=True,
                  parent=("lipschitz", PENALTIES), check=_positive),
        Dimension("n_critic", "n_critics", "int", [1, 2, 5],
                  parent=("objective", takers("n_critic")), check=_positive),
        Dimension("d_learning_rate", "d_learning_rates", "float", (1e-5, 1e-2), log=True,
                  check=_positive),
        Dimension("g_learning_rate", "g_learning_rates", "float", (1e-5, 1e-2), log=True,
                  check=_positive),
        Dimension("beta_1", "beta_1s", "float", [0.0, 0.5, 0.9], check=_unit_interval),
        Dimension("beta_2", "beta_2s", "float", [0.9, 0.99, 0.999], check=_unit_interval),
        Dimension("latent_dim", "latent_dims", "int", None, check=_positive),
        Dimension("width_multiplier", "width_multipliers", "float", [0.5, 1.0, 2.0],
                  check=_positive),
    )
}
ARGUMENTS = {dim.argument: dim for dim in SEARCH_SPACE.values()}
SETTINGS = (
    "fixed", "epochs", "batch_size", "n_train", "eval_samples", "width", "depth",
    "mixture", "seed", "jit_compile", "name",
)
DEFAULT_LATENT_DIMS = {"vector": [2, 4, 8], "image": [32, 64, 128]}


def _is_number(value, kind):
    if isinstance(value, (bool, np.bool_)):
        return False
    if kind == "int":
        return isinstance(value, (numbers.Integral, np.integer))
    return isinstance(value, (numbers.Real, np.integer, np.floating)) and math.isfinite(value)


def check_value(dim, value, where):
    """Validates one value of `dim`; returns it as a plain Python value."""
    if dim.kind == "categorical":
        valid = dim.valid_values()
        if value not in valid:
            raise ValueError(
                f"Unknown {dim.name} {value!r} in {where}; valid: {', '.join(map(str, valid))}."
            )
        return value
    if not _is_number(value, dim.kind):
        kind = "an integer" if dim.kind == "int" else "a finite number"
        raise ValueError(f"`{dim.name}` in {where} must be {kind}. Received: {value!r}")
    return int(value) if dim.kind == "int" else float(value)


def check_domain(dim, domain):
    """Validates the narrowed domain of `dim`: a list of choices or, for a
    numeric dimension, a `(low, high)` tuple. Returns it normalised."""
    where = f"`{dim.argument}`"
    if isinstance(domain, str) or not isinstance(domain, (list, tuple)):
        raise ValueError(
            f"{where} must be a list of values"
            + (" or a (low, high) tuple" if dim.kind != "categorical" else "")
            + f". Received: {domain!r}"
        )
    if dim.kind != "categorical" and isinstance(domain, tuple):
        if len(domain) != 2:
            raise ValueError(f"{where} as a range must be (low, high). Received: {domain!r}")
        low, high = (check_value(dim, v, where) for v in domain)
        if not (dim.check(low) and dim.check(high)) or low > high:
            raise ValueError(f"{where} must be a valid range with low <= high. Received: {domain!r}")
        if low == high:
            return [low]
        return (low, high)
    if not domain:
        raise ValueError(f"{where} must not be empty.")
    values = []
    for value in domain:
        value = check_value(dim, value, where)
        if dim.check is not None and not dim.check(value):
            raise ValueError(f"{where} has an out-of-range value: {value!r}.")
        if value not in values:
            values.append(value)
    return values






def check_fixed(fixed):
    """Validates `fixed`, a dict `{hyperparameter: value}`; returns it checked."""
    if fixed is None:
        return {}
    if not isinstance(fixed, dict):
        raise ValueError(f"`fixed` must be a dict {{hyperparameter: value}}. Received: {fixed!r}")
    checked = {}
    for name, value in fixed.items():
        if name not in SEARCH_SPACE:
            raise ValueError(
                f"Unknown hyperparameter {name!r} in `fixed`; valid: "
                f"{', '.join(SEARCH_SPACE)}."
            )
        checked[name] = check_value(SEARCH_SPACE[name], value, "`fixed`")
    return checked


def reject_arguments(kwargs):
    """Raises the ValueError for unknown `GANHyperModel` arguments, with a
    hint for each that is a hyperparameter name."""
    hints = [
        f"`{key}` is a hyperparameter: narrow it with "
        f"`{SEARCH_SPACE[key].argument}=[...]` or pin it with `fixed={{{key!r}: ...}}`."
        for key in kwargs if key in SEARCH_SPACE
    ]
    raise ValueError(
        f"Unknown GANHyperModel argument(s) {sorted(kwargs)}. Search-space "
        f"arguments: {', '.join(ARGUMENTS)}; settings: {', '.join(SETTINGS)}."
        + "".join(" " + hint for hint in hints)
    )
