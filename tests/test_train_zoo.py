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

    parser = cli.build_parser()
    for name, recipe in train_zoo.PRESETS.items():
        if train_zoo._is_mlp_recipe(recipe):
            continue
        words = shlex.split(train_zoo.cli_command(recipe))
        assert words[:2] == ["KERAS_BACKEND=tensorflow", "keras-fgan"], words
        args = vars(parser.parse_args(words[2:]))
        given = {k: v for k, v in args.items() if k not in cli._RUN_OPTIONS}
        expected = {k: v for k, v in recipe.items() if v is not None and k != "decay_epochs"}
        if recipe["data"] not in ("ring", "grid"):
            expected.pop("n", None)
        assert given == expected, name
