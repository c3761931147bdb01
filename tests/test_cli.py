"""The `keras-fgan` command as a stranger meets it, on the current backend:
fast help, one-line errors that write nothing, and the own-images path
(train on a folder of PNGs, evaluate, sample, export to ONNX)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from PIL import Image

from keras_fgan import cli

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--width", "8", "--latent-dim", "8", "--verbose", "0"]


def _run(argv, capsys):
    """`keras-fgan argv` in this process: (exit status, stderr lines)."""
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as exit_info:
        code = exit_info.code
    return code, capsys.readouterr().err.strip().splitlines()


def test_help_and_version_import_no_backend():
    """--help and --version answer without importing Keras or a backend
    (what makes them take a fraction of a second instead of seconds)."""
    probe = (
        "import sys, keras_fgan_cli\n"
        "for argv in (['--help'], ['--version'], ['sample', 'model.keras', '--n', '0']):\n"
        "    sys.argv = ['keras-fgan', *argv]\n"
        "    try:\n"
        "        keras_fgan_cli.main()\n"
        "    except SystemExit as exit_info:\n"
        "        print('exit', exit_info.code)\n"
        "heavy = {'keras', 'tensorflow', 'jax', 'torch', 'keras_fgan'} & set(sys.modules)\n"
        "print('imported', sorted(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    lines = result.stdout.splitlines()
    assert lines[-1] == "imported []", result.stdout[-2000:] + result.stderr[-2000:]
    assert [line for line in lines if line.startswith("exit")] == ["exit 0", "exit 0", "exit 2"]
    assert any(line.startswith("keras-fgan ") and "(keras 3." in line for line in lines)
    assert "usage: keras-fgan" in result.stdout


def _subparsers(parser):
    """Every parser under `parser` by its command path, populated."""
    import argparse

    found = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                sub.format_help()  # adds the lazily populated options (train's)
                found[name] = sub
                found.update({f"{name} {k}": v for k, v in _subparsers(sub).items()})
    return found


def test_every_option_and_argument_says_what_it_is():
    """`keras-fgan CMD --help` describes each of its options, as a stranger
    reads it before guessing at `--n` or `--seed`."""
    import argparse

    parsers = {"keras-fgan": cli.build_parser(), **_subparsers(cli.build_parser())}
    bare = []
    for command, parser in parsers.items():
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                bare += [f"{command} {choice.dest}" for choice in action._choices_actions if not choice.help]
            elif not action.help:
                bare.append(f"{command} {'/'.join(action.option_strings) or action.dest}")
    assert len(parsers) > 8 and not bare, bare


@pytest.mark.parametrize(
    "argv, code, message",
    [
        (["train", "--divergence", "kl"], 2, r"`divergence` applies to objective fgan, not 'gan'"),
        (["train", "--lipschitz", "weight_clip"], 2, r"`lipschitz` applies to objective wgan"),
        (["train", "--n-critic", "3"], 2, r"`n_critic` applies to objective wgan"),
        (["train", "--objective", "wgan", "--loss", "minimax"], 2, r"`loss` applies to objective gan, bigan or adversarial, not 'wgan'"),
        (["train", "--objective", "fgan", "--d-steps", "2", "--lipschitz", "weight_clip"], 2, "`lipschitz`"),
        (["train", "--objective", "fgan", "--divergence", "nope"], 2, r"Unknown divergence 'nope'"),
        (["train", "--gamma", "1.0"], 2, r"`gamma` weighs the discriminator regularizers; the recipe has none"),
        (["train", "--regularizers", "r9"], 2, r"Unknown regularizers 'r9'. Did you mean"),
        (["train", "--objective", "wgan", "--lipschitz", "weight_clip", "--gamma", "1"], 2,
         r"`gamma` weighs the gradient penalty; lipschitz='weight_clip' has none"),
        (["train", "--latent-dim", "100000000"], 2, r"--latent-dim: expected an integer from 1 to 4,096"),
        (["train", "--width", "0"], 2, r"--width: expected an integer from 1 to 4,096"),
        (["train", "--resume"], 2, r"--resume: .* holds no run to continue"),
        (["train", "--data", "cifar100"], 2, r"--data: Unknown dataset name='cifar100'"),
        (["train", "--data", "no/such/folder"], 2, r"--data: No such file or folder"),
        (["train", "--data", "ring", "--limit", "10"], 2, r"--limit is for data sets of samples"),
        (["train", "--data", "fashion_mnist", "--n", "10"], 2, r"--n draws points of ring or grid"),
        (["sample", "model.keras", "--n", "100000000"], 2, r"--n: expected an integer from 1 to 10,000"),
        (["sample", "missing.keras"], 1, r"neither an existing `.keras` file nor a known preset"),
        (["export", "missing.keras", "--format", "tflite"], 2, r"invalid choice: 'tflite'"),
        (["evaluate", "missing.keras", "--samples", "0"], 2, r"--samples: expected an integer"),
    ],
)
def test_user_errors_are_one_line_and_write_nothing(argv, code, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "run"
    if argv[0] == "train":
        argv = [*argv, "--out", out]
    status, err = _run(argv, capsys)
    assert status == code, err
    assert len(err) == 1 and err[0].startswith("keras-fgan") and "error:" in err[0], err
    assert re.search(message, err[0]), err[0]
    assert not out.exists() and sorted(os.listdir(tmp_path)) == []


def test_corrupt_file_and_wrong_data_are_one_line_errors(tmp_path, capsys):
    """A `.keras` file that is not a zip archive, and a preset evaluated on a
    data set of another sample shape, fail with one line naming the cause
    (not Keras' 'File not found' or a feature-dimension mismatch)."""
    corrupt = tmp_path / "model.keras"
    corrupt.write_bytes(b"not a zip archive")
    for argv, message in (
        (["sample", corrupt, "--out", tmp_path / "s.png"], r"'.*model.keras' is not a valid `.keras` file"),
        (["evaluate", "gan_ring", "--data", "fashion_mnist", "--samples", "100"],
         r"generates samples of shape \(2,\), but 'fashion_mnist' holds samples of shape \(28, 28, 1\)"),
        (["evaluate", "gan_fashion_mnist", "--data", "grid", "--samples", "100"],
         r"generates samples of shape \(28, 28, 1\), but 'grid' holds samples of shape \(2,\)"),
    ):
        status, err = _run(argv, capsys)
        assert status == 1 and len(err) == 1 and re.search(message, err[0]), err
    assert sorted(os.listdir(tmp_path)) == ["model.keras"]
    import keras_fgan as kf

    kf.networks.mlp_generator(2, 2, width=4, depth=1).save(tmp_path / "generator.keras")
    for command in ("sample", "evaluate"):
        status, err = _run([command, tmp_path / "generator.keras"], capsys)
        assert status == 1 and len(err) == 1 and "holds a plain Functional network, not an adversarial" in err[0], err


def test_failed_train_keeps_the_previous_run(tmp_path, capsys):
    """A `train` that fails leaves the run already in --out as it was."""
    out = tmp_path / "run"
    out.mkdir()
    (out / "recipe.json").write_text('{"objective": "gan"}')
    for argv, code in (
        (["--latent-dim", "100000000"], 2),
        (["--objective", "fgan", "--divergence", "nope"], 2),
    ):
        status, err = _run(["train", *argv, "--out", out], capsys)
        assert status == code and len(err) == 1, err
    (out / "backup").mkdir()  # what an interrupted or finished run leaves
    for argv, message in (
        ([], "holds an earlier run: pass --resume"),
        (["--resume", "--width", "4"], "takes only --epochs; drop --width"),
    ):
        status, err = _run(["train", *argv, "--out", out], capsys)
        assert status == 2 and len(err) == 1 and message in err[0], err
    assert sorted(os.listdir(out)) == ["backup", "recipe.json"]
    assert (out / "recipe.json").read_text() == '{"objective": "gan"}'


def test_train_options_come_from_the_registry(tmp_path, capsys):
    """`train` has an option for every recipe parameter of every family, and
    trains the composable objective (R3GAN's loss and penalties, packed)."""
    from keras_fgan import registry

    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", "--help"])
    assert exit_info.value.code == 0
    help_text = capsys.readouterr().out
    keys = {key for family in registry.FAMILIES.values() for key in family.recipe_keys()}
    for key in sorted(keys | set(registry.TRAINING)):
        assert f"--{key.replace('_', '-')} " in help_text, key

    run = tmp_path / "run"
    status, err = _run(["train", "--objective", "adversarial", "--loss", "relativistic",
                        "--regularizers", "r1", "r2", "--gamma", "0.1", "--pack", "2",
                        "--n", "256", "--batch-size", "128", "--epochs", "1", *TINY, "--out", run],
                       capsys)
    assert status == 0, err
    recipe = json.loads((run / "recipe.json").read_text())
    assert recipe["regularizers"] == ["r1", "r2"] and recipe["pack"] == 2
    model = keras.saving.load_model(run / "model.keras")
    assert model.pack == 2 and model.discriminator.input_shape == (None, 4)

    # Standard JSON out: a 1-epoch model puts few or no samples near a mode,
    # whose infinite `kl` is null, as in the zoo's cards.
    def strict(text):
        return json.loads(text, parse_constant=lambda name: pytest.fail(f"non-standard JSON {name}"))

    assert cli.main(["evaluate", str(run / "model.keras"), "--samples", "200"]) in (0, None)
    assert {"modes", "high_quality", "kl"} <= set(strict(capsys.readouterr().out))
    strict((run / "summary.json").read_text())
    assert strict(cli._json_text({"kl": float("inf"), "x": np.float32(0.5), "ok": True})) == {
        "kl": None, "x": 0.5, "ok": True}


def test_own_vectors_of_any_width_train_and_evaluate(tmp_path, capsys):
    """Vectors wider than the plane train (with no sample pictures, which
    only images and 2-D points have) and are evaluated in sample space."""
    np.save(tmp_path / "x.npy", np.random.default_rng(0).standard_normal((300, 3)).astype("float32"))
    run = tmp_path / "run"
    status, err = _run(["train", "--data", tmp_path / "x.npy", "--epochs", "1", "--evaluate", *TINY,
                        "--out", run], capsys)
    assert status == 0, err
    metrics = json.loads((run / "summary.json").read_text())["metrics"]
    assert metrics["features"] == "samples" and metrics["num_real"] == 300
    assert (run / "model.keras").is_file() and not (run / "samples").exists()


@pytest.mark.skipif(keras.backend.backend() != "torch", reason="SavedModel export works on TF and JAX")
def test_saved_model_on_torch_is_one_line(tmp_path, capsys):
    import keras_fgan as kf

    gan = kf.GAN(kf.networks.mlp_generator(2, 2, width=4, depth=1),
                 kf.networks.mlp_discriminator(2, width=4, depth=1))
    gan.save(tmp_path / "gan.keras")
    status, err = _run(["export", tmp_path / "gan.keras", "--format", "saved_model",
                        "--out", tmp_path / "sm"], capsys)
    assert status == 1 and len(err) == 1, err
    assert "SavedModel export needs the TensorFlow or JAX backend" in err[0]
    assert not (tmp_path / "sm").exists()


def test_own_images_train_sample_export(tmp_path, capsys):
    """A folder of 200 32x32 RGB PNGs: `train --objective wgan` builds DCGAN
    networks at 32x32x3, then `sample` draws a grid and `export` writes an
    ONNX generator that onnxruntime runs."""
    ort = pytest.importorskip("onnxruntime")
    images = tmp_path / "images"
    images.mkdir()
    rng = np.random.default_rng(0)
    for i in range(200):
        pixels = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(images / f"{i:03d}.png")

    run = tmp_path / "run"
    status, err = _run(["train", "--data", images, "--objective", "wgan", "--epochs", "1",
                        "--batch-size", "100", "--evaluate", *TINY, "--out", run], capsys)
    assert status == 0, err
    recipe = json.loads((run / "recipe.json").read_text())
    assert recipe["sample_shape"] == [32, 32, 3] and recipe["objective"] == "wgan"
    assert (run / "model.keras").is_file() and list((run / "samples").glob("*.png"))
    # Your own data is scored in pixel space against (a random subset of) it.
    metrics = json.loads((run / "summary.json").read_text())["metrics"]
    assert metrics["features"] == "pixels" and metrics["num_real"] == metrics["num_samples"] == 200
    assert cli.main(["evaluate", str(run / "model.keras"), "--samples", "100"]) in (0, None)
    subset = json.loads(capsys.readouterr().out)
    assert subset.keys() == metrics.keys() and subset["num_real"] == subset["num_samples"] == 100
    assert subset["frechet_distance"] > 0 and 0 <= subset["precision"] <= 1

    status, err = _run(["sample", run / "model.keras", "--n", "16", "--out", tmp_path / "s.png"], capsys)
    assert status == 0, err
    with Image.open(tmp_path / "s.png") as grid:
        assert grid.mode == "RGB" and grid.size[0] > 4 * 32

    status, err = _run(["export", run / "model.keras", "--format", "onnx", "--out", tmp_path / "onnx"], capsys)
    assert status == 0, err
    session = ort.InferenceSession(str(tmp_path / "onnx" / "generator.onnx"),
                                   providers=["CPUExecutionProvider"])
    (x,) = session.run(None, {"z": np.zeros((2, 8), "float32")})
    assert x.shape == (2, 32, 32, 3) and np.all(np.abs(x) <= 1)
