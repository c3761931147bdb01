"""`benchmarks/mode_coverage_2d.py` spread over several invocations: finished
training seeds are recorded and skipped, an interrupted run leaves a partial
report, and a record of another recipe is refused."""

import json
from pathlib import Path

import pytest

from repo_files import load_module


@pytest.fixture
def bench():
    return load_module("benchmarks/mode_coverage_2d.py")


def _argv(tmp_path, *extra):
    # One epoch (200 generator steps) of small MLPs on the ring.
    return ["--recipe", "gan", "--data", "ring", "--seeds", "2", "--set", "steps=200", "--set", "g_width=16",
            "--set", "d_width=16", "--out", str(tmp_path / "out"), "--backup-dir", str(tmp_path / "backup"),
            *extra]


def test_interrupted_run_resumes_at_the_unfinished_seed(bench, tmp_path, monkeypatch):
    real_train, trained = bench.train, []

    def interrupted(recipe, data, seed, **kwargs):
        if seed == 1:
            raise KeyboardInterrupt
        trained.append(seed)
        return real_train(recipe, data, seed, **kwargs)

    monkeypatch.setattr(bench, "train", interrupted)
    with pytest.raises(KeyboardInterrupt):
        bench.main(_argv(tmp_path))
    report = tmp_path / "out" / "mode_coverage_2d_gan_ring.md"
    record = tmp_path / "out" / "mode_coverage_2d_gan_ring.json"
    assert trained == [0]
    assert "Partial: 1 of 2 training seeds done" in report.read_text()
    first = json.loads(record.read_text())
    assert list(first["seeds"]) == ["0"]
    assert len(first["seeds"]["0"]["scores"]) == len(bench.EVAL_SEEDS)

    def counted(recipe, data, seed, **kwargs):
        trained.append(seed)
        return real_train(recipe, data, seed, **kwargs)

    monkeypatch.setattr(bench, "train", counted)
    assert bench.main(_argv(tmp_path)) == 0
    assert trained == [0, 1]
    second = json.loads(record.read_text())
    assert second["seeds"]["0"] == first["seeds"]["0"]
    text = report.read_text()
    assert "Partial" not in text
    assert "| 0 |" in text and "| 1 |" in text and "over 2 training seeds" in text
    assert "--set steps=200" in text


def test_record_of_another_recipe_is_refused(bench, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    recipe = bench.recipe_with("gan", ["steps=400"])
    (out / "mode_coverage_2d_gan_ring.json").write_text(
        json.dumps({"recipe": recipe, "data": "ring", "seeds": {}}))
    monkeypatch.setattr(bench, "train", lambda *a, **k: pytest.fail("trained despite a mismatched record"))
    with pytest.raises(ValueError, match="another recipe"):
        bench.main(_argv(tmp_path))


def test_backup_of_another_recipe_is_refused(bench, tmp_path, monkeypatch):
    # An interrupted seed's backup left by `--set steps=400` does not resume a `steps=200` run.
    backup = tmp_path / "backup" / "mode_coverage_2d_gan_ring" / "seed_0"
    other = bench.recipe_with("gan", ["steps=400", "g_width=16", "d_width=16"])
    bench._train_zoo().claim_backup(backup, dict(other, data="ring", seed=0))
    monkeypatch.setattr(bench, "train", lambda *a, **k: pytest.fail("trained on a backup of another recipe"))
    with pytest.raises(SystemExit, match="another recipe"):
        bench.main(_argv(tmp_path))


def test_rerun_of_a_recorded_run_rewrites_the_report_only(bench, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    recipe = bench.recipe_with("gan", ["steps=200", "g_width=16", "d_width=16"])
    scores = [{"seed": s, "modes": 8, "high_quality": 0.9} for s in bench.EVAL_SEEDS]
    (out / "mode_coverage_2d_gan_ring.json").write_text(json.dumps(
        {"recipe": recipe, "data": "ring", "seeds": {str(s): {"scores": scores, "train_s": 1.0, "backend": "jax", "date": "2026-12-03"} for s in (0, 1)}}))
    monkeypatch.setattr(bench, "train", lambda *a, **k: pytest.fail("trained a recorded seed"))
    assert bench.main(_argv(tmp_path)) == 0
    text = (out / "mode_coverage_2d_gan_ring.md").read_text()
    assert "| 0 |" in text and "| 1 |" in text and "Partial" not in text


def test_zero_seeds_is_a_usage_error(bench, tmp_path):
    with pytest.raises(SystemExit):
        bench.main(_argv(tmp_path, "--seeds", "0"))


def test_records_of_two_processes_are_merged(bench, tmp_path):
    # Two shards of one run (`--first-seed 0 --seeds 1` and `--first-seed 1 --seeds 1`, one per
    # core) write the same record: neither may drop the other's seed.
    path = str(tmp_path / "record.json")
    recipe = bench.recipe_with("gan")
    first, second = bench.RunRecord(path, recipe, "ring"), bench.RunRecord(path, recipe, "ring")
    first.add(0, [{"seed": 0, "modes": 8, "high_quality": 0.9}], 1.0)
    second.add(1, [{"seed": 0, "modes": 7, "high_quality": 0.8}], 2.0)
    saved = json.loads(Path(path).read_text())["seeds"]
    assert sorted(saved) == ["0", "1"]
    assert saved["0"]["scores"][0]["modes"] == 8 and saved["1"]["scores"][0]["modes"] == 7


def _preset_argv(tmp_path, *extra):
    # gan_ring's recipe cut to one epoch of 512 points with width-16 networks.
    return ["--preset", "gan_ring", "--seeds", "2", "--set", "epochs=1", "--set", "decay_epochs=0",
            "--set", "n=512", "--set", "width=16", "--out", str(tmp_path / "out"),
            "--backup-dir", str(tmp_path / "backup"), *extra]


def test_preset_recipe_is_trained_from_each_training_seed(bench, tmp_path, monkeypatch):
    train_zoo = bench._train_zoo()
    real, seen = train_zoo.train_builders_recipe, []

    def spy(recipe, backup_dir):
        seen.append((recipe["seed"], recipe["width"], recipe["epochs"]))
        return real(recipe, backup_dir)

    monkeypatch.setattr(train_zoo, "train_builders_recipe", spy)
    assert bench.main(_preset_argv(tmp_path)) == 0
    assert seen == [(0, 16, 1), (1, 16, 1)]
    record = json.loads((tmp_path / "out" / "mode_coverage_2d_gan_ring.json").read_text())
    expected = {k: v for k, v in train_zoo.PRESETS["gan_ring"].items() if k != "seed"}
    assert record["recipe"] == dict(expected, epochs=1, decay_epochs=0, n=512, width=16)
    assert record["data"] == "ring" and sorted(record["seeds"]) == ["0", "1"]
    assert not any((tmp_path / "backup").rglob("state.json")), "a recorded seed's backup is left behind"
    text = (tmp_path / "out" / "mode_coverage_2d_gan_ring.md").read_text()
    assert text.startswith("# Mode coverage on ring: preset `gan_ring`, 2 training seed(s)")
    assert "--preset gan_ring" in text and "over 2 training seeds" in text


@pytest.mark.parametrize("extra, message", [
    (["--preset", "no_such_preset"], "Unknown 2-D preset 'no_such_preset'"),
    (["--preset", "pacgan_ring"], "--recipe pacgan"),
    (["--preset", "gan_ring", "--data", "grid"], "trains on ring, not --data grid"),
    (["--preset", "gan_ring", "--log-every", "5"], "--log-every is for --recipe runs"),
])
def test_preset_usage_errors(bench, tmp_path, capsys, extra, message):
    with pytest.raises(SystemExit):
        bench.main(["--out", str(tmp_path / "out"), *extra])
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
