"""`scripts/train_zoo.py` and the record of the recipe sweeps: a resumed
run continues only the recipe it was written for, and the sweep's table is
the one its record gives."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def train_zoo():
    return _load("train_zoo", ROOT / "scripts" / "train_zoo.py")


def test_backup_of_another_recipe_is_refused(train_zoo, tmp_path):
    recipe = dict(train_zoo.PRESETS["gan_ring"])
    train_zoo.claim_backup(tmp_path / "gan_ring", recipe)
    train_zoo.claim_backup(tmp_path / "gan_ring", dict(recipe))  # the same run: resumed
    with pytest.raises(SystemExit, match="another recipe"):
        train_zoo.claim_backup(tmp_path / "gan_ring", dict(recipe, d_lr=1e-4))


@pytest.mark.parametrize("kind", ["plane", "image"])
def test_sweep_table_is_the_record(train_zoo, monkeypatch, kind):
    monkeypatch.setitem(sys.modules, "train_zoo", train_zoo)
    sweep = _load("presets_sweep", ROOT / "benchmarks" / "presets_sweep.py").SWEEPS[kind]
    record = sweep.read()
    assert record, f"{sweep.record_path} is missing or empty"
    assert sweep.markdown.read_text().endswith(sweep.table(record) + "\n"), (
        f"{sweep.markdown.name} is stale: run benchmarks/presets_sweep.py")
    for entry in record:
        # Each row's command reproduces the trial's full recipe, of a preset of this sweep.
        assert set(entry["recipe"]) >= {"objective", "data", "epochs", "seed"}, entry["preset"]
        assert train_zoo.sweep_kind(entry["recipe"]["data"]) == kind
        assert train_zoo.PRESETS[entry["preset"]]["data"] == entry["recipe"]["data"]
        if kind == "plane":
            assert len(entry["per_seed"]) == 5


def test_image_sweep_rows_show_class_balance_and_probe_when_measured(train_zoo, monkeypatch):
    monkeypatch.setitem(sys.modules, "train_zoo", train_zoo)
    sweep = _load("presets_sweep", ROOT / "benchmarks" / "presets_sweep.py")
    figures = dict(frechet_distance=1.1654, precision=0.885, recall=0.783, density=0.978, coverage=0.878)
    bigan = sweep._image_metrics(dict(figures, class_kl=0.00852, linear_probe_accuracy=0.701,
                                      random_encoder_linear_probe_accuracy=0.668, knn1_accuracy=0.7))
    assert sweep._image_cells(bigan) == ["1.165", "0.885", "0.783", "0.978", "0.878", "0.0085", "70.1% (66.8%)"]
    older = sweep._image_metrics(figures)  # a trial evaluated before the class balance existed
    assert sweep._image_cells(older)[-2:] == ["-", "-"]


def test_seed_benchmarks_are_of_the_presets_recipes(train_zoo):
    # zoo/README.md's 5-training-seed table is read from records of the recipes the presets ship.
    for data, name, stem in train_zoo.SEED_BENCHMARKS:
        record = json.loads((ROOT / "benchmarks" / "results" / f"{stem}.json").read_text())
        preset = train_zoo.PRESETS[name]
        assert record["data"] == preset["data"] == data
        assert {k: preset[k] for k in record["recipe"]} == record["recipe"], name
        assert all(len(row["scores"]) == len(train_zoo.EVAL_SEEDS) for row in record["seeds"].values())
    table = "\n".join(train_zoo.seed_benchmark_lines())
    assert table in (ROOT / "zoo" / "README.md").read_text(), "zoo/README.md is stale: run scripts/train_zoo.py --readme"


def test_card_command_lines_give_the_presets_recipes(train_zoo):
    """The `keras-fgan train` line of each builders preset's card parses,
    with the command line's own parser, to the preset's recipe (every key
    but the script's `decay_epochs`)."""
    import shlex

    from keras_fgan import cli
    from keras_fgan import registry

    parser = cli.build_parser()
    variants = {"bigan_fashion_mnist, latent not penalised": dict(
        train_zoo.PRESETS["bigan_fashion_mnist"], regularizers=["r1"], gamma=1.0, penalize_latent=False)}
    for name, recipe in {**train_zoo.PRESETS, **variants}.items():
        if train_zoo._is_mlp_recipe(recipe):
            continue
        words = shlex.split(train_zoo.cli_command(recipe))
        assert words[:2] == ["KERAS_BACKEND=tensorflow", "keras-fgan"], words
        args = vars(parser.parse_args(words[2:]))
        given = {k: v for k, v in args.items() if k not in cli._RUN_OPTIONS}
        family = registry.family(recipe["objective"])
        expected = {k: v for k, v in recipe.items() if v is not None and k != "decay_epochs"
                    and not (isinstance(v, bool) and v == family.parameter(k).default)}
        if recipe["data"] not in ("ring", "grid"):
            expected.pop("n", None)
        assert given == expected, name


def test_reevaluate_recomputes_a_presets_metrics_and_card(train_zoo, tmp_path):
    """`--reevaluate` scores a shipped preset's saved model again: the same
    figures as its card (up to the backend), plus the class balance the
    protocol gained, which its rewritten card then reports."""
    import shutil

    name = "gan_fashion_mnist"
    shutil.copytree(ROOT / "zoo" / name, tmp_path / name)
    stored = json.loads((tmp_path / name / "preset.json").read_text())
    older = {k: v for k, v in stored["metrics"].items()
             if k not in ("class_kl", "worst_class_ratio", "class_frequencies")}
    train_zoo.write_preset_json(tmp_path / name / "preset.json", dict(stored, metrics=older))
    preset = train_zoo.reevaluate(name, tmp_path)
    assert json.loads((tmp_path / name / "preset.json").read_text()) == preset
    assert preset["files"] == stored["files"] and preset["training"] == stored["training"]
    for key in ("frechet_distance", "precision", "recall", "density", "coverage"):
        assert preset["metrics"][key] == pytest.approx(older[key], abs=2e-3), key
    balance = preset["metrics"]["class_frequencies"]
    for kind in ("fake", "real"):  # the histograms shipped with the card
        assert balance[kind] == pytest.approx(stored["metrics"]["class_frequencies"][kind], abs=2e-3), kind
    assert sum(balance["fake"]) == pytest.approx(1, abs=1e-3) and sum(balance["real"]) == pytest.approx(1, abs=1e-3)
    assert 0 < preset["metrics"]["class_kl"] < 0.1 and 0 < preset["metrics"]["worst_class_ratio"] <= 1
    train_zoo.recard(tmp_path)
    card = (tmp_path / name / "README.md").read_text()
    assert train_zoo.class_balance_sentence(preset["metrics"]) in card
    assert "Most over-drawn" in card and f"KL {preset['metrics']['class_kl']:.4f} nats" in card


def test_a_run_whose_evaluation_fails_is_not_trained_again(train_zoo, tmp_path, monkeypatch):
    """The backup outlives the training until preset.json is written: the
    same command after a failure in the evaluation restores the trained
    model (no epoch trained again) and finishes the preset."""
    overrides = {"epochs": 2, "decay_epochs": 1, "n": 512, "width": 16}
    evaluate = train_zoo.evaluate

    def failing(model, recipe):
        raise RuntimeError("evaluation failed")

    monkeypatch.setattr(train_zoo, "evaluate", failing)
    with pytest.raises(RuntimeError, match="evaluation failed"):
        train_zoo.train_preset("gan_ring", out_root=tmp_path / "zoo", overrides=overrides, backups=tmp_path / "backup")
    assert not (tmp_path / "zoo" / "gan_ring" / "preset.json").exists()
    assert sorted(p.parent.name for p in (tmp_path / "backup").rglob("state.json")) == ["decay", "main"]

    monkeypatch.setattr(train_zoo, "evaluate", evaluate)
    preset = train_zoo.train_preset("gan_ring", out_root=tmp_path / "zoo", overrides=overrides,
                                    backups=tmp_path / "backup")
    assert preset["training"]["resumed_after_epochs"] == 2  # both epochs restored, none trained
    assert json.loads((tmp_path / "zoo" / "gan_ring" / "preset.json").read_text()) == preset
    assert not (tmp_path / "backup" / "gan_ring").exists()
