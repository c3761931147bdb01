"""`benchmarks/fashion_mnist_presets_eval.py` on a small draw: per-seed
scores of two shipped presets, their summary table and the paired
difference, consistent with `evaluate_model` called directly; the class-mix
floor's draw of real images."""

import json

import pytest

from repo_files import load_module

PAIR = ("gan_fashion_mnist", "wgan_gp_fashion_mnist")


@pytest.fixture
def bench():
    return load_module("benchmarks/fashion_mnist_presets_eval.py")


def test_report_scores_each_seed_and_the_paired_difference(bench, tmp_path):
    import keras_fgan as kf
    from keras_fgan.evaluation.report import evaluate_model

    out = tmp_path / "eval.md"
    bench.main(["--presets", *PAIR, "--seeds", "2", "--samples", "200", "--out", str(out)])
    text = out.read_text()
    assert f"--out {out}`" in text  # the command reproduces this file, not the default one
    scores = json.loads(text.split("```json\n")[1].split("```")[0])
    assert list(scores) == list(PAIR) and all(len(rows) == 2 for rows in scores.values())
    direct = evaluate_model(kf.zoo.load(PAIR[1]), "fashion_mnist", num_samples=200, seed=1, class_frequencies=True)
    assert scores[PAIR[1]][1]["frechet_distance"] == pytest.approx(direct["frechet_distance"], rel=1e-6)
    # evaluate_model's class balance is class_balance's on the same samples and test images.
    balance = kf.evaluation.class_balance(kf.zoo.load(PAIR[1]).generate(200, seed=1),
                                          real=kf.datasets.load("fashion_mnist", split="test", n=200))
    assert direct["class_kl"] == pytest.approx(balance["class_kl"]) == scores[PAIR[1]][1]["class_kl"]
    assert direct["worst_class_ratio"] == pytest.approx(balance["worst_class_ratio"])
    assert direct["class_frequencies"] == {"fake": balance["fake_frequencies"], "real": balance["real_frequencies"]}
    diffs = [a["frechet_distance"] - b["frechet_distance"] for a, b in zip(scores[PAIR[1]], scores[PAIR[0]])]
    assert f"`{PAIR[1]}` minus `{PAIR[0]}`, per evaluation seed: {diffs[0]:+.3f}, {diffs[1]:+.3f}" in text
    assert text.count("\n| ") == 3  # the header row and one row per preset


def test_compare_must_name_two_presets(bench, tmp_path):
    with pytest.raises(SystemExit):
        bench.main(["--presets", "gan_fashion_mnist", "--compare", "gan_fashion_mnist:nope",
                    "--out", str(tmp_path / "x.md")])


def test_class_mix_draw_follows_the_frequencies_and_imbalance_raises_its_floor(bench):
    import numpy as np

    _, labels = bench.real_at_class_frequencies([0, 0, 1, 0, 0, 0, 0, 0, 0, 3], 400, seed=0)
    counts = np.bincount(labels, minlength=10)
    assert counts.sum() == 400 and counts[2] + counts[9] == 400 and 60 < counts[2] < 140
    balanced = bench.class_mix_fd(np.ones(10), 400, seed=0)
    one_class = bench.class_mix_fd(np.eye(10)[0], 400, seed=0)
    assert one_class > 5 * balanced
