"""KerasTuner search over objectives (keras_fgan.tuning) on the current backend.

Tiny MLPs and a few training steps per trial; the trials that only check the
search space replace `fit` with a cheap stand-in, so no training runs.
"""

import math

import keras
import numpy as np
import pytest

keras_tuner = pytest.importorskip("keras_tuner")

import keras_fgan as kf  # noqa: E402
import keras_fgan.tuning  # noqa: E402,F401

TINY = dict(n_train=256, batch_size=64, eval_samples=500, width=16, depth=2)


@pytest.fixture(autouse=True, scope="module")
def single_threaded_torch():
    """Tiny networks run faster on one PyTorch thread (see test_wgan.py)."""
    if keras.backend.backend() != "torch":
        yield
        return
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(autouse=True, scope="module")
def frozen_gc():
    """KerasTuner collects garbage before every trial; freezing what the
    test session holds makes that cheap (see kf.tuning.frozen_gc)."""
    with kf.tuning.frozen_gc():
        yield


@pytest.fixture(scope="module")
def jax_compilation_cache(tmp_path_factory):
    """On JAX, trials whose models are alike compile to the same XLA program:
    a persistent compilation cache compiles it once (several seconds each on
    a busy CPU). The previous settings are restored afterwards."""
    if keras.backend.backend() != "jax":
        yield
        return
    import jax

    names = (
        "jax_compilation_cache_dir",
        "jax_persistent_cache_min_compile_time_secs",
        "jax_persistent_cache_min_entry_size_bytes",
    )
    previous = {name: getattr(jax.config, name) for name in names}
    jax.config.update(names[0], str(tmp_path_factory.mktemp("jax_cache")))
    jax.config.update(names[1], 0)
    jax.config.update(names[2], 0)
    yield
    for name, value in previous.items():
        jax.config.update(name, value)


def _stub_networks(monkeypatch, hypermodel):
    """Space-only tests: `build` declares the hyperparameters as usual but
    returns one small prebuilt model, so no networks are made per trial."""
    keras.utils.set_random_seed(0)
    model = kf.GAN(kf.networks.mlp_generator(2, 2, 4, 1), kf.networks.mlp_discriminator(2, 4, 1))
    monkeypatch.setattr(hypermodel, "_make_model", lambda values: model)
    monkeypatch.setattr(hypermodel, "fit", _fake_fit)


def _fake_fit(hp, model, *args, **kwargs):
    """A stand-in for GANHyperModel.fit: a score from the hyperparameters."""
    del model, args, kwargs
    return {"score": float(hp.get("d_learning_rate")) * 100}


# ------------------------------------------------------------ validation --
@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(divergences=["kl", "not_a_divergence"]), "valid: total_variation"),
        (dict(objectives=["gan", "vae"]), "valid: gan, fgan, wgan"),
        (dict(fixed={"learning_rate": 1e-3}), "valid: objective, gan_loss"),
        (dict(fixed={"objective": "gann"}), "Unknown objective"),
        (dict(fixed={"divergence": "kl"}, divergences=["kl"]), "give one"),
        (dict(lipschitz=["weight_clip", "clip"]), "valid: weight_clip"),
        (dict(d_learning_rates=(1e-2, 1e-4)), "low <= high"),
        (dict(latent_dims=[]), "must not be empty"),
        (dict(epochs=0), "`epochs`"),
    ],
)
def test_constructor_validates_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        kf.tuning.GANHyperModel("ring", **kwargs)


def test_unknown_data_and_search_argument():
    with pytest.raises(ValueError, match="valid: ring, grid, fashion_mnist"):
        kf.tuning.GANHyperModel("moons")
    with pytest.raises(ValueError, match="valid: ring, grid, fashion_mnist"):
        kf.tuning.tune("moons")
    with pytest.raises(ValueError, match="narrow it with `divergences="):
        kf.tuning.GANHyperModel("ring", divergence=["kl"])  # the argument is `divergences`
    with pytest.raises(ValueError, match="Search-space arguments: objectives, gan_losses"):
        kf.tuning.tune("ring", learning_rate=1e-3)
    with pytest.raises(ValueError, match="Unknown tuner"):
        kf.tuning.make_tuner(kf.tuning.GANHyperModel("ring", n_train=64), "grid_search")


# ---------------------------------------------------- search space (no training) --
def test_space_searches_every_family_but_the_composable_one():
    # A family parameter the space neither searches nor leaves at its default
    # (space.UNSEARCHED) would silently drop that family from the search.
    assert kf.tuning.space.OBJECTIVES == ("gan", "fgan", "wgan", "bigan")


def test_conditional_space_and_seeded_hyperparameters(tmp_path, monkeypatch):
    def run(name):
        hypermodel = kf.tuning.GANHyperModel("ring", n_critics=[1], **TINY)
        _stub_networks(monkeypatch, hypermodel)
        tuner = kf.tuning.make_tuner(
            hypermodel, "random", max_trials=6, directory=tmp_path, project_name=name, seed=3
        )
        tuner.search(verbose=0)
        return kf.tuning.trial_rows(tuner)

    rows = run("a")
    assert [row["status"] for row in rows] == ["COMPLETED"] * 6
    families = set()
    for row in rows:
        hps = row["hyperparameters"]
        objective = hps["objective"]
        families.add(objective)
        assert ("divergence" in hps) == ("generator_loss" in hps) == (objective == "fgan")
        assert ("gan_loss" in hps) == (objective in ("gan", "bigan"))
        assert ("lipschitz" in hps) == ("n_critic" in hps) == (objective == "wgan")
        assert ("clip_value" in hps) == (hps.get("lipschitz") == "weight_clip")
        assert ("penalty_weight" in hps) == (
            hps.get("lipschitz") in ("gradient_penalty", "one_sided_penalty")
        )
        assert row["score"] == pytest.approx(hps["d_learning_rate"] * 100)
    assert len(families) >= 3
    # Same seed: the same hyperparameters, trial for trial.
    assert [r["hyperparameters"] for r in run("b")] == [r["hyperparameters"] for r in rows]


def test_fixed_and_narrowed_dimensions_with_bayesian(tmp_path, monkeypatch):
    hypermodel = kf.tuning.GANHyperModel(
        "grid", fixed={"objective": "fgan", "latent_dim": 3},
        divergences=["kl", "reverse_kl"], d_learning_rates=(1e-4, 1e-3), **TINY,
    )
    _stub_networks(monkeypatch, hypermodel)
    tuner = kf.tuning.make_tuner(
        hypermodel, "bayesian", max_trials=3, directory=tmp_path, seed=0,
        num_initial_points=2,
    )
    tuner.search(verbose=0)
    rows = kf.tuning.trial_rows(tuner)
    assert [row["status"] for row in rows] == ["COMPLETED"] * 3
    for row in rows:
        hps = row["hyperparameters"]
        assert hps["objective"] == "fgan" and hps["latent_dim"] == 3
        assert hps["divergence"] in ("kl", "reverse_kl")
        assert 1e-4 <= hps["d_learning_rate"] <= 1e-3
    monkeypatch.undo()
    model = hypermodel.build(tuner.get_best_hyperparameters()[0])
    assert isinstance(model, kf.FGAN) and model.latent_dim == 3
    assert model.divergence.name in ("kl", "reverse_kl")


# ------------------------------------------------------------- training --
def test_random_search_scores_are_mode_coverage_and_best_model_reloads(
    tmp_path, jax_compilation_cache
):
    hypermodel = kf.tuning.GANHyperModel(
        "ring", epochs=2, n_critics=[1], d_learning_rates=(1e-3, 3e-3),
        g_learning_rates=(1e-3, 3e-3), seed=0, **TINY,
    )
    assert hypermodel.objective.name == "score" and hypermodel.objective.direction == "max"
    tuner = kf.tuning.make_tuner(hypermodel, "random", max_trials=3, directory=tmp_path, seed=0)
    tuner.search(verbose=0)
    rows = kf.tuning.trial_rows(tuner)
    assert [row["status"] for row in rows] == ["COMPLETED"] * 3, kf.tuning.format_trials(rows)
    for row in rows:
        metrics = row["metrics"]
        assert row["score"] == pytest.approx(metrics["modes"] / 8 + metrics["high_quality"])
        assert set(metrics) == {"score", "modes", "high_quality", "kl"}

    (best_trial,) = tuner.oracle.get_best_trials(1)
    (best,) = [row for row in rows if row["trial_id"] == best_trial.trial_id]
    assert best["score"] == max(row["score"] for row in rows)
    model = kf.tuning.best_model(tuner)
    samples = model.generate(hypermodel.eval_samples, seed=hypermodel.seed)
    coverage = kf.evaluation.mode_coverage(samples, "ring")
    assert best["metrics"]["modes"] == coverage["modes"]
    assert best["metrics"]["high_quality"] == pytest.approx(coverage["high_quality"])
    assert best["score"] == pytest.approx(coverage["modes"] / 8 + coverage["high_quality"])

    # The reloaded model is the trained one: rebuilding and retraining the
    # best hyperparameters with the same seed gives the same samples and score.
    hp = tuner.get_best_hyperparameters()[0]
    retrained = hypermodel.build(hp)
    assert hypermodel.fit(hp, retrained)["score"] == pytest.approx(best["score"])
    np.testing.assert_allclose(
        retrained.generate(16, seed=5), model.generate(16, seed=5), rtol=1e-5, atol=1e-5
    )


def test_hyperband_two_brackets(tmp_path, jax_compilation_cache):
    # The architecture is fixed (the learning rates vary), so on JAX the five
    # trials share one compiled training step.
    hypermodel = kf.tuning.GANHyperModel(
        "ring", epochs=2, fixed=dict(objective="gan", gan_loss="non_saturating",
                                     latent_dim=2, width_multiplier=1.0,
                                     beta_1=0.5, beta_2=0.999),
        **TINY,
    )
    tuner = kf.tuning.make_tuner(
        hypermodel, "hyperband", directory=tmp_path, seed=1, hyperband_factor=2
    )
    assert tuner.oracle._get_num_brackets() == 2
    tuner.search(verbose=0)
    rows = kf.tuning.trial_rows(tuner)
    assert [row["status"] for row in rows] == ["COMPLETED"] * 5, kf.tuning.format_trials(rows)
    assert sorted(row["epochs"] for row in rows) == [1, 1, 2, 2, 2]
    assert all(math.isfinite(row["score"]) for row in rows)
    # A trial continued from an earlier one (initial_epoch > 0) reloads too.
    assert kf.tuning.best_model(tuner).latent_dim == 2


def test_failed_trials_are_recorded_and_the_search_goes_on(tmp_path, jax_compilation_cache):
    # Everything fixed but the discriminator's learning rate: the two trials
    # take both values; with 1e30 training diverges to NaN.
    rows = kf.tuning.tune(
        "ring", "random", max_trials=2, epochs=1, directory=tmp_path, seed=0,
        fixed={"objective": "gan", "gan_loss": "non_saturating", "latent_dim": 2,
               "width_multiplier": 1.0, "beta_1": 0.5, "beta_2": 0.999,
               "g_learning_rate": 1e-3},
        d_learning_rates=[1e30, 1e-3], **TINY,
    )
    assert [row["hyperparameters"]["d_learning_rate"] for row in rows] == [1e30, 1e-3]
    failed, completed = rows
    assert failed["status"] == "FAILED" and failed["score"] is None
    assert "FailedTrialError" in failed["error"] and "diverged" in failed["error"]
    assert completed["status"] == "COMPLETED" and completed["error"] is None
    assert math.isfinite(completed["score"])
    table = kf.tuning.format_trials(rows)
    assert table.splitlines()[0].split()[:3] == ["trial", "status", "score"]
    assert "FAILED" in table and "diverged" in table


def test_exception_in_training_fails_the_trial(tmp_path):
    hypermodel = kf.tuning.GANHyperModel("ring", fixed={"objective": "gan"}, **TINY)
    tuner = kf.tuning.make_tuner(hypermodel, max_trials=2, directory=tmp_path)
    tuner.search(np.zeros((64, 3), "float32"), verbose=0)  # wrong sample shape
    rows = kf.tuning.trial_rows(tuner)
    assert [row["status"] for row in rows] == ["FAILED", "FAILED"]
    assert rows[0]["error"].startswith("FailedTrialError: training raised ValueError")
    assert "shape (3,)" in rows[0]["error"]
    with pytest.raises(ValueError, match="No trial completed"):
        kf.tuning.best_model(tuner)


def test_tune_warns_when_failures_stop_the_search(tmp_path, monkeypatch):
    def failing_fit(self, hp, model, *args, **kwargs):
        raise keras_tuner.errors.FailedTrialError("no luck")

    monkeypatch.setattr(kf.tuning.GANHyperModel, "fit", failing_fit)
    with pytest.warns(RuntimeWarning, match="failed trials in a row"):
        rows = kf.tuning.tune(
            "ring", max_trials=3, directory=tmp_path, max_consecutive_failed_trials=1, **TINY
        )
    assert len(rows) == 1 and rows[0]["status"] == "FAILED"
    assert rows[0]["error"] == "FailedTrialError: no luck"


def test_tuning_and_export_are_imported_on_first_use():
    """`kf.tuning` and `kf.export` need no explicit import, on every backend,
    and `import keras_fgan` imports neither."""
    import subprocess
    import sys

    code = (
        "import sys, keras_fgan as kf\n"
        "assert not {'keras_fgan.tuning', 'keras_fgan.export'} & set(sys.modules)\n"
        "print(kf.tuning.tune.__module__, kf.export.export_onnx.__module__)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["keras_fgan.tuning.search", "keras_fgan.export.onnx"]
