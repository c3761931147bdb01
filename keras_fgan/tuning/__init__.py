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
`import keras_fgan` does not import this package: it is imported the first
time `kf.tuning` is used.

The package's parts: `space` (the dimensions and their checks), `data`,
`hypermodel` (`GANHyperModel`), `scoring` (what a trial returns), `search`
(tuners, `tune`) and `report` (`trial_rows`, `format_trials`).

Example:

```python
import keras_fgan as kf

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
imports it in every trial; TensorFlow 2.21 does not install it, the
`tensorboard` extra does). `keras_tuner`'s classes work as well where
`tensorboard` is installed or on JAX and PyTorch.

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

try:
    import keras_tuner  # noqa: F401
except ImportError as error:  # pragma: no cover - exercised without the extra
    raise ImportError(
        "keras_fgan.tuning needs KerasTuner, an optional dependency. Install it "
        "with `pip install keras-fgan[tuner]` (or `pip install keras-tuner`)."
    ) from error

from keras_fgan.tuning.hypermodel import GANHyperModel
from keras_fgan.tuning.report import format_trials
from keras_fgan.tuning.report import trial_rows
from keras_fgan.tuning.search import TUNERS
from keras_fgan.tuning.search import BayesianOptimization
from keras_fgan.tuning.search import Hyperband
from keras_fgan.tuning.search import RandomSearch
from keras_fgan.tuning.search import best_model
from keras_fgan.tuning.search import frozen_gc
from keras_fgan.tuning.search import make_tuner
from keras_fgan.tuning.search import tune
from keras_fgan.tuning.space import DATA_NAMES
from keras_fgan.tuning.space import SEARCH_SPACE

__all__ = [
    "BayesianOptimization",
    "DATA_NAMES",
    "GANHyperModel",
    "Hyperband",
    "RandomSearch",
    "SEARCH_SPACE",
    "TUNERS",
    "best_model",
    "format_trials",
    "frozen_gc",
    "make_tuner",
    "trial_rows",
    "tune",
]
