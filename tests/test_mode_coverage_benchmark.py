"""`benchmarks/mode_coverage_2d.py` spread over several invocations: finished
training seeds are recorded and skipped, an interrupted run leaves a partial
report, and a record of another recipe is refused."""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def bench():
    spec = importlib.util.spec_from_file_location("mode_coverage_2d", ROOT / "benchmarks" / "mode_coverage_2d.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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


def test_zero_seeds_is_a_usage_error(bench, tmp_path):
    with pytest.raises(SystemExit):
        bench.main(_argv(tmp_path, "--seeds", "0"))
