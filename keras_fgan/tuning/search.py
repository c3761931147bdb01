"""Running a search: KerasTuner's tuners for a `GANHyperModel`, the
garbage-collector freeze that keeps trials cheap, and `tune` in one call."""

import contextlib
import gc
import tempfile
import warnings

import keras_tuner

from keras_fgan.arguments import check_integer
from keras_fgan.tuning.hypermodel import GANHyperModel
from keras_fgan.tuning.report import trial_rows

TUNERS = ("random", "bayesian", "hyperband")


class _TensorBoardOptional:
    """KerasTuner 1.4.8 imports `tensorboard` in every trial on the TensorFlow
    backend, to configure `TensorBoard` callbacks, and so fails where it is
    not installed (TensorFlow 2.21 does not require it; the `tensorboard` extra
    installs it). These tuners only do so when a `TensorBoard` callback was
    given."""

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
    seed = check_integer("seed", seed, low=0)
    common = dict(
        objective=hypermodel.objective,
        seed=int(seed) + 1,
        directory=directory or tempfile.mkdtemp(prefix="keras_fgan_tuning_"),
        project_name=project_name,
        overwrite=overwrite,
        max_consecutive_failed_trials=check_integer(
            "max_consecutive_failed_trials", max_consecutive_failed_trials
        ),
        **tuner_kwargs,
    )
    if tuner == "hyperband":
        return Hyperband(
            hypermodel, max_epochs=hypermodel.epochs,
            factor=check_integer("hyperband_factor", hyperband_factor), **common,
        )
    max_trials = check_integer("max_trials", max_trials)
    if tuner == "bayesian":
        return BayesianOptimization(hypermodel, max_trials=max_trials, **common)
    return RandomSearch(hypermodel, max_trials=max_trials, **common)


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
