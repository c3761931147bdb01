"""KerasTuner search over adversarial objectives and their hyperparameters.

`GANHyperModel` is a `keras_tuner.HyperModel`: its `build(hp)` makes and
compiles an adversarial model (`GAN`, `FGAN`, `WGAN` or `BiGAN`) and its
`fit(hp, model, ...)` trains it and returns a **sample-quality score**
computed by `keras_fgan.evaluation` (never a discriminator or generator
loss, which are not comparable across objectives):

| data                              | objective (`hypermodel.objective`)   | direction |
|-----------------------------------|--------------------------------------|-----------|
| 2-D mixtures ("ring", "grid")     | `score = modes / num_modes + high_quality`, in [0, 2] | max |
| images, other vectors             | `frechet_distance`                   | min       |

On the 2-D mixtures `modes`, `high_quality` and `kl` (the parts of
`kf.evaluation.mode_coverage` on `eval_samples` samples drawn with
`model.generate(eval_samples, seed=seed)`) are recorded as trial metrics too.
Images are scored by the Frechet distance in the shipped Fashion-MNIST
classifier's feature space, other vectors by the Frechet distance of the
raw coordinates (`kf.evaluation.frechet_distance`), against `eval_samples`
real samples.

The search space (hyperparameter names as KerasTuner records them; the
constructor argument that narrows each; conditional hyperparameters are only
active under their parent value, via `hp.conditional_scope`):

| hyperparameter    | narrowed by          | default values                       | active when |
|-------------------|----------------------|--------------------------------------|-------------|
| `objective`       | `objectives`         | gan, fgan, wgan, bigan               | always      |
| `gan_loss`        | `gan_losses`         | non_saturating, minimax              | gan, bigan  |
| `divergence`      | `divergences`        | the 11 of `kf.divergences.names()`   | fgan        |
| `generator_loss`  | `generator_losses`   | auto, heuristic, minimax             | fgan        |
| `lipschitz`       | `lipschitz`          | the 4 of `kf.lipschitz.names()`      | wgan        |
| `clip_value`      | `clip_values`        | [1e-3, 0.1], log                     | weight_clip |
| `penalty_weight`  | `penalty_weights`    | [1, 100], log                        | gradient_penalty, one_sided_penalty |
| `n_critic`        | `n_critics`          | 1, 2, 5                              | wgan        |
| `d_learning_rate` | `d_learning_rates`   | [1e-5, 1e-2], log                    | always      |
| `g_learning_rate` | `g_learning_rates`   | [1e-5, 1e-2], log                    | always      |
| `beta_1`          | `beta_1s`            | 0.0, 0.5, 0.9                        | always      |
| `beta_2`          | `beta_2s`            | 0.9, 0.99, 0.999                     | always      |
| `latent_dim`      | `latent_dims`        | 2, 4, 8 (2-D); 32, 64, 128 (images)  | always      |
| `width_multiplier`| `width_multipliers`  | 0.5, 1.0, 2.0                        | always      |

A categorical dimension is narrowed with a list of values
(`divergences=["kl", "reverse_kl"]`); a numeric one with a list (the values
to choose from) or a `(low, high)` tuple (a range, log-sampled for the rates,
clip values and penalty weights). `fixed={"objective": "fgan"}` pins a
hyperparameter (`hp.Fixed`); fixed numbers are not range-checked, so a
configuration outside the space can be reproduced. Both optimizers are
`Adam(learning_rate, beta_1, beta_2)`.

KerasTuner is an optional dependency (`pip install keras-fgan[tuner]`), so
this module is not imported by `import keras_fgan`: use
`import keras_fgan.tuning` (then `kf.tuning` works).

Example:

```python
import keras_fgan as kf
import keras_fgan.tuning

hypermodel = kf.tuning.GANHyperModel("ring", objectives=["fgan"], epochs=5)
tuner = kf.tuning.RandomSearch(  # or keras_tuner.RandomSearch, see below
    hypermodel, objective=hypermodel.objective, max_trials=10, seed=1,
    directory="runs", project_name="ring")
with kf.tuning.frozen_gc():  # cheaper per-trial garbage collection
    tuner.search()
print(kf.tuning.format_trials(kf.tuning.trial_rows(tuner)))
model = kf.tuning.best_model(tuner)
```

Or in one call: `rows = kf.tuning.tune("grid", max_trials=10, divergences=[...])`.

`kf.tuning.RandomSearch`, `BayesianOptimization` and `Hyperband` are
KerasTuner's own classes, except that on the TensorFlow backend they import
`tensorboard` only when a `TensorBoard` callback is passed (KerasTuner 1.4.8
imports it in every trial, and TensorFlow 2.21 does not install it).
`keras_tuner`'s classes work as well where `tensorboard` is installed or on
JAX and PyTorch.

Reproducibility: `seed` seeds the weight initialisation and the latent
sampler of every trial and the data draw; the tuners' `seed` fixes the
hyperparameters tried (KerasTuner treats `seed=0` as "no seed": `make_tuner`
and `tune` pass `seed + 1`). On one backend, the same seeds give the same
trials and scores.

Failed trials: a trial whose training or evaluation turns non-finite (NaN or
inf losses or samples) raises `keras_tuner.errors.FailedTrialError` with the
reason, as does any exception while training; KerasTuner records the trial as
`FAILED` with that message and goes on (it stops the search after
`max_consecutive_failed_trials` failures in a row, 3 by default). Errors in
`build` are different: KerasTuner builds models while constructing the tuner
(to discover the conditional hyperparameters), so a `fixed` value that no
model accepts (e.g. `clip_value=-1`) raises there, before any trial.

Checkpoints: KerasTuner saves each trial's weights with `model.save_weights`
(both networks and both optimizers' states) after every epoch and reloads the
best model by calling `build(hp)` and `load_weights`; the scored weights are
those of the last epoch, so the reloaded model is the one that was scored.
"""

import contextlib
import gc
import math
import numbers
import random
import sys
import tempfile
import warnings

import numpy as np

import keras

try:
    import keras_tuner
except ImportError as error:  # pragma: no cover - exercised without the extra
    raise ImportError(
        "keras_fgan.tuning needs KerasTuner, an optional dependency. Install it "
        "with `pip install keras-fgan[tuner]` (or `pip install keras-tuner`)."
    ) from error

from keras_fgan import builders
from keras_fgan import datasets
from keras_fgan import divergences as divergences_lib
from keras_fgan import evaluation
from keras_fgan import lipschitz as lipschitz_lib
from keras_fgan import models
from keras_fgan import objectives as objectives_lib

__all__ = [
    "BayesianOptimization",
    "GANHyperModel",
    "Hyperband",
    "RandomSearch",
    "SEARCH_SPACE",
    "best_model",
    "format_trials",
    "frozen_gc",
    "make_tuner",
    "trial_rows",
    "tune",
    "TUNERS",
]

OBJECTIVES = tuple(
    name for name in ("gan", "fgan", "wgan", "bigan")
    if hasattr(models, {"gan": "GAN", "fgan": "FGAN", "wgan": "WGAN", "bigan": "BiGAN"}[name])
)
MIXTURES = ("ring", "grid")
DATA_NAMES = MIXTURES + ("fashion_mnist",)
TUNERS = ("random", "bayesian", "hyperband")
_PENALTIES = ("gradient_penalty", "one_sided_penalty")


class _Dimension:
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
        _Dimension("objective", "objectives", "categorical", list(OBJECTIVES),
                   valid=lambda: OBJECTIVES),
        _Dimension("gan_loss", "gan_losses", "categorical",
                   list(objectives_lib.GAN_GENERATOR_LOSSES),
                   valid=lambda: objectives_lib.GAN_GENERATOR_LOSSES,
                   parent=("objective", ("gan", "bigan"))),
        _Dimension("divergence", "divergences", "categorical", None,
                   valid=divergences_lib.names, parent=("objective", ("fgan",))),
        _Dimension("generator_loss", "generator_losses", "categorical",
                   list(objectives_lib.F_GAN_GENERATOR_LOSSES),
                   valid=lambda: objectives_lib.F_GAN_GENERATOR_LOSSES,
                   parent=("objective", ("fgan",))),
        _Dimension("lipschitz", "lipschitz", "categorical", None,
                   valid=lipschitz_lib.names, parent=("objective", ("wgan",))),
        _Dimension("clip_value", "clip_values", "float", (1e-3, 0.1), log=True,
                   parent=("lipschitz", ("weight_clip",)), check=_positive),
        _Dimension("penalty_weight", "penalty_weights", "float", (1.0, 100.0), log=True,
                   parent=("lipschitz", _PENALTIES), check=_positive),
        _Dimension("n_critic", "n_critics", "int", [1, 2, 5],
                   parent=("objective", ("wgan",)), check=_positive),
        _Dimension("d_learning_rate", "d_learning_rates", "float", (1e-5, 1e-2), log=True,
                   check=_positive),
        _Dimension("g_learning_rate", "g_learning_rates", "float", (1e-5, 1e-2), log=True,
                   check=_positive),
        _Dimension("beta_1", "beta_1s", "float", [0.0, 0.5, 0.9], check=_unit_interval),
        _Dimension("beta_2", "beta_2s", "float", [0.9, 0.99, 0.999], check=_unit_interval),
        _Dimension("latent_dim", "latent_dims", "int", None, check=_positive),
        _Dimension("width_multiplier", "width_multipliers", "float", [0.5, 1.0, 2.0],
                   check=_positive),
    )
}
_ARGUMENTS = {dim.argument: dim for dim in SEARCH_SPACE.values()}
_SETTINGS = (
    "fixed", "epochs", "batch_size", "n_train", "eval_samples", "width", "depth",
    "mixture", "seed", "jit_compile", "name",
)
_DEFAULT_LATENT_DIMS = {"vector": [2, 4, 8], "image": [32, 64, 128]}


def _is_number(value, kind):
    if isinstance(value, (bool, np.bool_)):
        return False
    if kind == "int":
        return isinstance(value, (numbers.Integral, np.integer))
    return isinstance(value, (numbers.Real, np.integer, np.floating)) and math.isfinite(value)


def _check_value(dim, value, where):
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


def _check_domain(dim, domain):
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
        low, high = (_check_value(dim, v, where) for v in domain)
        if not (dim.check(low) and dim.check(high)) or low > high:
            raise ValueError(f"{where} must be a valid range with low <= high. Received: {domain!r}")
        if low == high:
            return [low]
        return (low, high)
    if not domain:
        raise ValueError(f"{where} must not be empty.")
    values = []
    for value in domain:
        value = _check_value(dim, value, where)
        if dim.check is not None and not dim.check(value):
            raise ValueError(f"{where} has an out-of-range value: {value!r}.")
        if value not in values:
            values.append(value)
    return values


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"`{name}` must be a positive integer. Received: {value!r}")
    return int(value)


def _seed_everything(seed):
    """`keras.utils.set_random_seed(seed)`, without importing TensorFlow
    just for that on the JAX and PyTorch backends (it would cost seconds):
    Python's and NumPy's generators seed the weight initialisers and the
    JAX data shuffle, PyTorch's the PyTorch data loader. The models' own
    samplers are seeded by their `seed`."""
    if "tensorflow" in sys.modules:
        keras.utils.set_random_seed(seed)
        return
    random.seed(seed)
    np.random.seed(seed)
    if keras.backend.backend() == "torch":
        import torch

        torch.manual_seed(seed)


def _as_float(value):
    return float(value) if value is not None else None


class _NonFiniteMonitor(keras.callbacks.Callback):
    """Stops training at the end of an epoch whose logged losses are not finite."""

    def __init__(self):
        super().__init__()
        self.reason = None

    def on_epoch_end(self, epoch, logs=None):
        bad = {k: v for k, v in (logs or {}).items() if not math.isfinite(float(v))}
        if bad and self.reason is None:
            self.reason = f"non-finite losses at epoch {epoch + 1}: " + ", ".join(
                f"{k}={float(v)}" for k, v in sorted(bad.items())
            )
            self.model.stop_training = True


class GANHyperModel(keras_tuner.HyperModel):
    """A search space over adversarial objectives, scored by sample quality.

    See the module docstring for the search space, the score and how failed
    trials and checkpoints are handled. Pass `objective=hypermodel.objective`
    to the tuner: `fit` returns a dict of metrics.

    Args:
        data: "ring" or "grid" (2-D mixtures, scored by mode coverage),
            "fashion_mnist" (scored by Frechet distance), or an array of
            training samples: `(N, D)` vectors or `(N, 28, 28, 1)` images in
            [-1, 1]. Arrays are scored by Frechet distance against their
            first `eval_samples` rows, or by mode coverage when `mixture` is
            given.
        objectives: objective families to search (`"gan"`, `"fgan"`,
            `"wgan"`, `"bigan"`).
        divergences: f-GAN divergences to search (names of
            `kf.divergences.names()`).
        gan_losses: domain of `gan_loss` (None: the default).
        generator_losses: domain of `generator_loss` (None: the default).
        lipschitz: domain of `lipschitz` (None: the default).
        clip_values: domain of `clip_value` (None: the default).
        penalty_weights: domain of `penalty_weight` (None: the default).
        n_critics: domain of `n_critic` (None: the default).
        d_learning_rates: domain of `d_learning_rate` (None: the default).
        g_learning_rates: domain of `g_learning_rate` (None: the default).
        beta_1s: domain of `beta_1` (None: the default).
        beta_2s: domain of `beta_2` (None: the default).
        latent_dims: domain of `latent_dim` (None: the default).
        width_multipliers: domain of `width_multiplier` (None: the default).
        fixed: dict `{hyperparameter: value}` of pinned values.
        epochs: training epochs per trial (a Hyperband tuner passes its own).
        batch_size: training batch size.
        n_train: number of training samples drawn from a 2-D mixture (or
            taken from Fashion-MNIST's train split; all when None).
        eval_samples: generated (and real) samples the score uses; 2,500 is
            the PacGAN protocol for the 2-D mixtures.
        width: base width of the MLP networks (2-D / vector data) or of the
            DCGAN networks (images), scaled by `width_multiplier`.
        depth: hidden layers of the MLP networks.
        mixture: for array data: "ring", "grid" or `(centres, std)` to score
            by mode coverage.
        seed: seed of the data draw, of the weight initialisation and latent
            sampler of every trial, and of the evaluation samples.
        jit_compile: passed to `model.compile`.
        name: the hypermodel's name.

    Raises:
        ValueError: an unknown data name, search-space argument or
            hyperparameter (the message lists the valid ones), or an invalid
            value.
    """

    def __init__(
        self,
        data="ring",
        *,
        objectives=None,
        divergences=None,
        gan_losses=None,
        generator_losses=None,
        lipschitz=None,
        clip_values=None,
        penalty_weights=None,
        n_critics=None,
        d_learning_rates=None,
        g_learning_rates=None,
        beta_1s=None,
        beta_2s=None,
        latent_dims=None,
        width_multipliers=None,
        fixed=None,
        epochs=5,
        batch_size=64,
        n_train=None,
        eval_samples=2500,
        width=None,
        depth=3,
        mixture=None,
        seed=0,
        jit_compile="auto",
        name=None,
        **kwargs,
    ):
        if kwargs:
            self._reject_arguments(kwargs)
        super().__init__(name=name, tunable=True)
        self.epochs = _positive_int("epochs", epochs)
        self.batch_size = _positive_int("batch_size", batch_size)
        self.eval_samples = _positive_int("eval_samples", eval_samples)
        self.depth = _positive_int("depth", depth)
        if n_train is not None:
            n_train = _positive_int("n_train", n_train)
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"`seed` must be a non-negative integer. Received: {seed!r}")
        self.seed = int(seed)
        self.jit_compile = jit_compile
        if width is not None:
            width = _positive_int("width", width)
        if isinstance(data, str) and data not in DATA_NAMES:
            raise ValueError(
                f"Unknown data {data!r}; valid: {', '.join(DATA_NAMES)} or an array."
            )

        given = {
            "objectives": objectives, "divergences": divergences,
            "gan_losses": gan_losses, "generator_losses": generator_losses,
            "lipschitz": lipschitz, "clip_values": clip_values,
            "penalty_weights": penalty_weights, "n_critics": n_critics,
            "d_learning_rates": d_learning_rates, "g_learning_rates": g_learning_rates,
            "beta_1s": beta_1s, "beta_2s": beta_2s, "latent_dims": latent_dims,
            "width_multipliers": width_multipliers,
        }
        self.fixed = self._check_fixed(fixed)
        self.domains = {}
        for argument, domain in given.items():
            dim = _ARGUMENTS[argument]
            if domain is not None and dim.name in self.fixed:
                raise ValueError(
                    f"`{argument}` narrows {dim.name!r}, which `fixed` also sets; give one."
                )
            if domain is None:
                domain = dim.default
                if domain is None and dim.name == "latent_dim":
                    continue  # depends on the data, set below
                if domain is None:
                    domain = list(dim.valid_values())
            self.domains[dim.name] = _check_domain(dim, domain)
        if "objective" in self.fixed:
            self.domains["objective"] = [self.fixed["objective"]]
        if "lipschitz" in self.fixed:
            self.domains["lipschitz"] = [self.fixed["lipschitz"]]

        # The data last: Fashion-MNIST takes a while to load.
        self._load_data(data, n_train, mixture)
        self.domains.setdefault("latent_dim", _DEFAULT_LATENT_DIMS[self.data_kind])
        self.width = width or (64 if self.data_kind == "image" else 128)

    # ------------------------------------------------------------- set-up --
    @staticmethod
    def _reject_arguments(kwargs):
        hints = [
            f"`{key}` is a hyperparameter: narrow it with "
            f"`{SEARCH_SPACE[key].argument}=[...]` or pin it with `fixed={{{key!r}: ...}}`."
            for key in kwargs if key in SEARCH_SPACE
        ]
        raise ValueError(
            f"Unknown GANHyperModel argument(s) {sorted(kwargs)}. Search-space "
            f"arguments: {', '.join(_ARGUMENTS)}; settings: {', '.join(_SETTINGS)}."
            + "".join(" " + hint for hint in hints)
        )

    def _load_data(self, data, n_train, mixture):
        self.mixture = None
        if isinstance(data, str):
            if mixture is not None:
                raise ValueError("`mixture` is only for array data; the named data sets know theirs.")
            self.data_name = data
            if data in MIXTURES:
                self.x_train = datasets.load(data, n=n_train or 10_000, seed=self.seed)
                self.mixture = data
                self.x_eval = None
            else:
                self.x_train = datasets.load(data, split="train", n=n_train)
                self.x_eval = datasets.load(data, split="test", n=self.eval_samples)
        else:
            try:
                x = np.asarray(data)
            except Exception as error:  # noqa: BLE001 - reported as a ValueError
                raise ValueError(f"`data` must be a name or an array. Received: {data!r}") from error
            if x.dtype.kind not in "fiu" or x.ndim < 2 or len(x) == 0:
                raise ValueError(
                    "`data` must be one of "
                    f"{', '.join(DATA_NAMES)} or a non-empty numeric array of samples "
                    f"(N, D) or (N, 28, 28, 1). Received shape {x.shape}, dtype {x.dtype}."
                )
            if not np.all(np.isfinite(x)):
                raise ValueError("`data` contains NaN or infinite values.")
            self.data_name = "array"
            self.x_train = x.astype("float32")[:n_train] if n_train else x.astype("float32")
            if mixture is not None:
                if self.x_train.shape[1:] != (2,):
                    raise ValueError(f"`mixture` needs 2-D samples (N, 2); data has shape {x.shape}.")
                evaluation.mode_coverage(self.x_train[:1], mixture)  # validates `mixture`
                self.mixture = mixture
                self.x_eval = None
            else:
                self.x_eval = self.x_train[: self.eval_samples]
        shape = tuple(self.x_train.shape[1:])
        if len(shape) == 1:
            self.data_kind = "vector"
        elif shape == (28, 28, 1):
            self.data_kind = "image"
        else:
            raise ValueError(
                "Samples must be vectors (N, D) or 28x28x1 images (the DCGAN "
                f"networks); received sample shape {shape}."
            )
        self.sample_shape = shape

    def _check_fixed(self, fixed):
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
            checked[name] = _check_value(SEARCH_SPACE[name], value, "`fixed`")
        return checked

    @property
    def objective(self):
        """The `keras_tuner.Objective` that `fit` reports: `score` (max) for
        mode coverage, `frechet_distance` (min) otherwise."""
        if self.mixture is not None:
            return keras_tuner.Objective("score", direction="max")
        return keras_tuner.Objective("frechet_distance", direction="min")

    # --------------------------------------------------------------- space --
    def _hp(self, hp, name):
        dim = SEARCH_SPACE[name]
        if name in self.fixed:
            return hp.Fixed(name, self.fixed[name])
        domain = self.domains[name]
        if isinstance(domain, tuple):
            low, high = domain
            if dim.kind == "int":
                return hp.Int(name, low, high, sampling="log" if dim.log else "linear")
            return hp.Float(name, low, high, sampling="log" if dim.log else "linear")
        return hp.Choice(name, domain)

    def _scoped(self, hp, name):
        """Declares `name` under its parent's conditional scope; None when the
        parent cannot take an activating value (then it is not declared)."""
        parent, parent_values = SEARCH_SPACE[name].parent
        values = [v for v in parent_values if v in self.domains[parent]]
        if not values:
            return None
        with hp.conditional_scope(parent, values):
            return self._hp(hp, name)

    def hyperparameters(self, hp):
        """Declares the search space on `hp` and returns the active values as
        a dict (inactive ones are None)."""
        values = {"objective": self._hp(hp, "objective")}
        values["gan_loss"] = self._scoped(hp, "gan_loss")
        values["divergence"] = self._scoped(hp, "divergence")
        values["generator_loss"] = self._scoped(hp, "generator_loss")
        values["lipschitz"] = self._scoped(hp, "lipschitz")
        values["n_critic"] = self._scoped(hp, "n_critic")
        if "wgan" in self.domains["objective"]:
            with hp.conditional_scope("objective", ["wgan"]):
                values["clip_value"] = self._scoped(hp, "clip_value")
                values["penalty_weight"] = self._scoped(hp, "penalty_weight")
        for name in ("d_learning_rate", "g_learning_rate", "beta_1", "beta_2",
                     "latent_dim", "width_multiplier"):
            values[name] = self._hp(hp, name)
        return values

    # --------------------------------------------------------------- build --
    def build(self, hp):
        """Builds and compiles the model that `hp` describes."""
        values = self.hyperparameters(hp)
        _seed_everything(self.seed)
        model = self._make_model(values)
        model.compile(
            d_optimizer=self._optimizer(values, "d_learning_rate"),
            g_optimizer=self._optimizer(values, "g_learning_rate"),
            jit_compile=self.jit_compile,
        )
        return model

    @staticmethod
    def _optimizer(values, rate):
        return keras.optimizers.Adam(
            values[rate], beta_1=values["beta_1"], beta_2=values["beta_2"]
        )

    def _make_model(self, values):
        objective = values["objective"]
        width = max(1, int(round(self.width * values["width_multiplier"])))
        kind = "image" if self.data_kind == "image" else "plane"
        nets = builders.reference_networks(
            objective, kind, int(values["latent_dim"]), width, self.depth,
            data_dim=self.sample_shape[0],
        )
        settings = {"seed": self.seed}
        if objective in ("gan", "bigan"):
            settings["loss"] = values["gan_loss"]
        elif objective == "fgan":
            settings.update(divergence=values["divergence"], generator_loss=values["generator_loss"])
        elif objective == "wgan":
            settings.update(lipschitz=self._lipschitz(values), n_critic=int(values["n_critic"]))
        return builders.assemble(objective, nets, **settings)

    @staticmethod
    def _lipschitz(values):
        name = values["lipschitz"]
        if name == "weight_clip":
            return lipschitz_lib.WeightClip(values["clip_value"])
        if name in _PENALTIES:
            return lipschitz_lib.GradientPenalty(
                values["penalty_weight"], one_sided=name == "one_sided_penalty"
            )
        return lipschitz_lib.get(name)

    # ----------------------------------------------------------------- fit --
    def fit(self, hp, model, *args, **kwargs):
        """Trains `model` and returns its sample-quality metrics.

        Takes the training data from the hypermodel unless given as the first
        positional argument or `x=`. `epochs` defaults to the hypermodel's;
        `initial_epoch` (passed by Hyperband with `epochs`), `callbacks` (the
        tuner's checkpointing) and other `keras.Model.fit` arguments are
        forwarded.

        Returns:
            A dict: `score`, `modes`, `high_quality`, `kl` for mode coverage;
            `frechet_distance` otherwise.

        Raises:
            keras_tuner.errors.FailedTrialError: training raised, or the
                losses, samples or score are not finite.
        """
        del hp
        x = kwargs.pop("x", None)
        if args:
            x, args = args[0], args[1:]
        if args:
            raise ValueError(
                "GANHyperModel.fit takes at most the training data positionally; "
                f"pass other arguments by name. Received {len(args)} more."
            )
        x = self.x_train if x is None else x
        kwargs.setdefault("epochs", self.epochs)
        kwargs.setdefault("batch_size", self.batch_size)
        kwargs.setdefault("verbose", 0)
        kwargs.pop("y", None)
        monitor = _NonFiniteMonitor()
        kwargs["callbacks"] = [monitor] + list(kwargs.get("callbacks") or [])
        _seed_everything(self.seed)
        try:
            model.fit(x, **kwargs)
        except (keras_tuner.errors.FailedTrialError, keras_tuner.errors.FatalError):
            raise
        except FloatingPointError as error:  # e.g. the models' NonFiniteLossError
            raise keras_tuner.errors.FailedTrialError(f"training diverged: {error}") from error
        except Exception as error:  # noqa: BLE001 - the trial fails, the search goes on
            raise keras_tuner.errors.FailedTrialError(
                f"training raised {type(error).__name__}: {error}"
            ) from error
        if monitor.reason is not None:
            raise keras_tuner.errors.FailedTrialError(f"training diverged ({monitor.reason}).")
        return self.evaluate(model)

    def evaluate(self, model):
        """The metrics `fit` returns, for a trained `model` (see the module
        docstring). Raises `FailedTrialError` when they are not finite."""
        samples = model.generate(self.eval_samples, seed=self.seed)
        if not np.all(np.isfinite(samples)):
            bad = int(np.sum(~np.isfinite(samples).reshape(len(samples), -1).all(axis=1)))
            raise keras_tuner.errors.FailedTrialError(
                f"training diverged: {bad} of {len(samples)} generated samples are "
                "NaN or infinite."
            )
        if self.mixture is not None:
            coverage = evaluation.mode_coverage(samples, self.mixture)
            score = coverage["modes"] / coverage["num_modes"] + coverage["high_quality"]
            metrics = {
                "score": float(score),
                "modes": float(coverage["modes"]),
                "high_quality": float(coverage["high_quality"]),
                "kl": float(coverage["kl"]),
            }
        else:
            metrics = {
                "frechet_distance": float(
                    evaluation.frechet_distance(self.x_eval, samples, seed=self.seed)
                )
            }
        name = self.objective.name
        if not math.isfinite(metrics[name]):
            raise keras_tuner.errors.FailedTrialError(f"non-finite {name}: {metrics[name]}.")
        return metrics


# -------------------------------------------------------------- helpers --
class _TensorBoardOptional:
    """KerasTuner 1.4.8 imports `tensorboard` in every trial on the TensorFlow
    backend, to configure `TensorBoard` callbacks, and so fails where it is
    not installed (TensorFlow 2.21 does not require it). These tuners only
    do so when a `TensorBoard` callback was given."""

    def _configure_tensorboard_dir(self, callbacks, trial, execution=0):
        if any(type(callback).__name__ == "TensorBoard" for callback in callbacks):
            super()._configure_tensorboard_dir(callbacks, trial, execution)


class RandomSearch(_TensorBoardOptional, keras_tuner.RandomSearch):
    """`keras_tuner.RandomSearch`, without a `tensorboard` import per trial."""


class BayesianOptimization(_TensorBoardOptional, keras_tuner.BayesianOptimization):
    """`keras_tuner.BayesianOptimization`, without a `tensorboard` import per trial."""


class Hyperband(_TensorBoardOptional, keras_tuner.Hyperband):
    """`keras_tuner.Hyperband`, without a `tensorboard` import per trial."""


def make_tuner(
    hypermodel,
    tuner="random",
    *,
    max_trials=10,
    directory=None,
    project_name="keras_fgan_tuning",
    seed=0,
    overwrite=True,
    max_consecutive_failed_trials=3,
    hyperband_factor=3,
    **tuner_kwargs,
):
    """A KerasTuner tuner for a `GANHyperModel`, with its objective set.

    Args:
        hypermodel: a `GANHyperModel`.
        tuner: "random" (`RandomSearch`), "bayesian"
            (`BayesianOptimization`) or "hyperband" (`Hyperband`, with
            `max_epochs=hypermodel.epochs`; `max_trials` is then ignored:
            Hyperband's brackets decide how many trials run).
        max_trials: trials to run (random, bayesian).
        directory: where KerasTuner keeps trials and checkpoints; a new
            temporary directory when None.
        project_name: sub-directory of `directory`.
        seed: seed of the hyperparameter draws (`seed + 1` is passed to
            KerasTuner, which treats 0 as "no seed").
        overwrite: start afresh (True) or resume an existing project.
        max_consecutive_failed_trials: failures in a row that stop the search.
        hyperband_factor: Hyperband's reduction factor.
        **tuner_kwargs: other arguments of the KerasTuner class.

    Returns:
        A `keras_tuner.Tuner`: `RandomSearch`, `BayesianOptimization` or
        `Hyperband` of this module, KerasTuner's classes that import
        `tensorboard` (on TensorFlow) only when a `TensorBoard` callback is
        passed to `search`.
    """
    if not isinstance(hypermodel, GANHyperModel):
        raise ValueError(
            f"`hypermodel` must be a GANHyperModel. Received: {type(hypermodel).__name__}"
        )
    if tuner not in TUNERS:
        raise ValueError(f"Unknown tuner {tuner!r}; valid: {', '.join(TUNERS)}.")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"`seed` must be a non-negative integer. Received: {seed!r}")
    common = dict(
        objective=hypermodel.objective,
        seed=int(seed) + 1,
        directory=directory or tempfile.mkdtemp(prefix="keras_fgan_tuning_"),
        project_name=project_name,
        overwrite=overwrite,
        max_consecutive_failed_trials=_positive_int(
            "max_consecutive_failed_trials", max_consecutive_failed_trials
        ),
        **tuner_kwargs,
    )
    if tuner == "hyperband":
        return Hyperband(
            hypermodel, max_epochs=hypermodel.epochs,
            factor=_positive_int("hyperband_factor", hyperband_factor), **common,
        )
    max_trials = _positive_int("max_trials", max_trials)
    if tuner == "bayesian":
        return BayesianOptimization(hypermodel, max_trials=max_trials, **common)
    return RandomSearch(hypermodel, max_trials=max_trials, **common)


def _error_line(message):
    """The exception line of a trial's traceback, without module paths."""
    if not message:
        return None
    lines = [line.strip() for line in str(message).strip().splitlines() if line.strip()]
    if not lines:
        return None
    last = lines[-1]
    head, sep, rest = last.partition(": ")
    if sep and " " not in head:
        return f"{head.rsplit('.', 1)[-1]}: {rest}"
    return last


def trial_rows(tuner):
    """The trials of a tuner as plain dicts, in the order they were created.

    Each row has `trial_id`, `status` ("COMPLETED", "FAILED", ...),
    `hyperparameters` (the active values, KerasTuner's `tuner/...` bookkeeping
    left out), `score` (the objective value, or None), `metrics` (every value
    `fit` returned), `epochs` (Hyperband's epoch budget, else None) and
    `error` (the failure's exception line, or None).
    """
    rows = []
    objective = tuner.oracle.objective.name
    for trial_id in sorted(tuner.oracle.trials):
        trial = tuner.oracle.trials[trial_id]
        hp = trial.hyperparameters
        values = {}
        for name, value in hp.values.items():
            if name.startswith("tuner/"):
                continue
            try:
                active = hp.is_active(name)
            except (KeyError, ValueError):
                active = True
            if active:
                values[name] = value
        metrics = {}
        for name in trial.metrics.metrics:
            best = trial.metrics.get_best_value(name)
            if best is not None:
                metrics[name] = float(best)
        status = str(trial.status)
        completed = status == "COMPLETED"
        rows.append({
            "trial_id": trial.trial_id,
            "status": status,
            "hyperparameters": values,
            "score": _as_float(trial.score) if completed else None,
            "metrics": metrics if completed else {},
            "epochs": hp.values.get("tuner/epochs"),
            "error": None if completed else _error_line(trial.message),
        })
        if completed and rows[-1]["score"] is None and objective in metrics:
            rows[-1]["score"] = metrics[objective]
    return rows


@contextlib.contextmanager
def frozen_gc():
    """Freezes the objects alive now out of the garbage collector's reach
    for the duration of a search (`gc.freeze`).

    KerasTuner runs a full `gc.collect()` before every trial, and with
    TensorFlow, JAX or PyTorch loaded each one walks millions of objects:
    seconds per trial on a busy CPU, more than a small trial's training.
    Frozen, they are skipped; objects created during the search are still
    collected, and the frozen ones are handed back when the block ends.

    Example: `with kf.tuning.frozen_gc(): tuner.search()`.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def best_model(tuner):
    """The best trial's trained model, reloaded from its checkpoint.

    Raises:
        ValueError: no trial completed.
    """
    if not any(str(t.status) == "COMPLETED" for t in tuner.oracle.trials.values()):
        raise ValueError("No trial completed, so there is no best model; see trial_rows(tuner).")
    return tuner.get_best_models(num_models=1)[0]


def _format_value(value):
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def format_trials(rows, *, max_error_width=80):
    """Renders trial rows (from `trial_rows` or `tune`) as a plain-text table.

    Columns: trial, status, score, the other metrics, hyperparameters
    (`name=value`, objective first) and the error of a failed trial.
    """
    rows = list(rows)
    if not rows:
        return "(no trials)"
    metric_names = []
    for row in rows:
        for name in row.get("metrics") or {}:
            if name not in metric_names and name not in ("score",):
                metric_names.append(name)
    show_epochs = any(row.get("epochs") is not None for row in rows)
    header = ["trial", "status", "score", *metric_names]
    header += ["epochs"] * show_epochs + ["hyperparameters", "error"]
    table = [header]
    for row in rows:
        metrics = row.get("metrics") or {}
        score = row.get("score")
        hps = ", ".join(
            f"{k}={_format_value(v)}" for k, v in (row.get("hyperparameters") or {}).items()
        )
        error = row.get("error") or ""
        if len(error) > max_error_width:
            error = error[: max_error_width - 3] + "..."
        line = [
            str(row.get("trial_id")),
            str(row.get("status")),
            "-" if score is None else _format_value(float(score)),
            *("-" if metrics.get(n) is None else _format_value(metrics[n]) for n in metric_names),
        ]
        if show_epochs:
            line.append("-" if row.get("epochs") is None else str(row["epochs"]))
        line += [hps, error]
        table.append(line)
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in table]
    lines.insert(1, "  ".join("-" * w for w in widths).rstrip())
    return "\n".join(lines)


def tune(
    data="ring",
    tuner="random",
    max_trials=10,
    epochs=5,
    directory=None,
    seed=0,
    fixed=None,
    *,
    project_name="keras_fgan_tuning",
    overwrite=True,
    max_consecutive_failed_trials=3,
    verbose=0,
    **space,
):
    """Runs a search and returns its trials as rows (see `trial_rows`).

    Args:
        data: as `GANHyperModel`'s `data`.
        tuner: "random", "bayesian" or "hyperband".
        max_trials: trials to run (Hyperband decides its own number from
            `epochs`, its `max_epochs`).
        epochs: training epochs per trial.
        directory: KerasTuner's working directory (trials, checkpoints); a
            temporary one when None.
        seed: seed of the hyperparameter draws, the data and the training.
        fixed: pinned hyperparameters, e.g. `{"objective": "fgan"}`.
        project_name: see `make_tuner`.
        overwrite: see `make_tuner`.
        max_consecutive_failed_trials: see `make_tuner`. When the failure
            limit stops the search, a warning is issued and the trials run so
            far are returned.
        verbose: KerasTuner's and Keras' progress output (0 = silent).
        **space: other `GANHyperModel` arguments: narrowed dimensions
            (`divergences=["kl", "pearson"]`) and settings (`batch_size`,
            `eval_samples`, `n_train`, `width`, `depth`, ...).

    Returns:
        A list of row dicts: `trial_id`, `status`, `hyperparameters`, `score`,
        `metrics`, `epochs`, `error`. Render them with `format_trials`.
    """
    hypermodel = GANHyperModel(data, fixed=fixed, epochs=epochs, seed=seed, **space)
    search = make_tuner(
        hypermodel, tuner, max_trials=max_trials, directory=directory,
        project_name=project_name, seed=seed, overwrite=overwrite,
        max_consecutive_failed_trials=max_consecutive_failed_trials,
    )
    try:
        with frozen_gc():
            search.search(verbose=verbose)
    except RuntimeError as error:
        if "consecutive failures" not in str(error):
            raise
        warnings.warn(
            f"The search stopped after {max_consecutive_failed_trials} failed "
            "trials in a row; see the `error` of each row.",
            RuntimeWarning,
            stacklevel=2,
        )
    return trial_rows(search)

