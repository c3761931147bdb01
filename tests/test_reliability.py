"""Crash safety: kill -9 mid-epoch and resume; checkpoint files are atomic."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

import keras_fgan as kf

SCRIPT = Path(__file__).parent / "scripts" / "resumable_training.py"
sys.path.insert(0, str(SCRIPT.parent))
import resumable_training  # noqa: E402


def _run(*args, check=True):
    # On JAX the subprocesses compile like this process (tests/conftest.py).
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[1]), JAX_DISABLE_MOST_OPTIMIZATIONS="1")
    proc = subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], env=env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(proc.stderr[-3000:])
    return proc


def test_sigkill_mid_epoch_then_resume_matches_uninterrupted_run(tmp_path):
    # The uninterrupted reference runs in this process (the same script's
    # `train`); the crash and the resumption are separate processes.
    resumable_training.train(tmp_path / "ref_backup", tmp_path / "ref.npz")
    # 8 batches per epoch: die in the middle of epoch 2.
    crashed = _run(tmp_path / "backup", tmp_path / "crashed.npz", 12, check=False)
    assert crashed.returncode == -signal.SIGKILL
    state = json.loads((tmp_path / "backup" / "state.json").read_text())
    assert state["epoch"] == 1 and (tmp_path / "backup" / state["weights"]).is_file()
    assert not list((tmp_path / "backup").glob(".*"))  # no temporary file left behind
    _run(tmp_path / "backup", tmp_path / "resumed.npz")
    ref, resumed = np.load(tmp_path / "ref.npz"), np.load(tmp_path / "resumed.npz")
    assert int(resumed["g_iter"]) == int(ref["g_iter"]) == 24
    assert int(resumed["d_iter"]) == int(ref["d_iter"]) == 48
    for key in ref.files:
        np.testing.assert_allclose(resumed[key], ref[key], atol=1e-5, err_msg=key)


def test_atomic_save_keeps_previous_file_on_failure(tmp_path, monkeypatch):
    model = kf.GAN(kf.networks.mlp_generator(2, 2, 8, 1), kf.networks.mlp_discriminator(2, 8, 1))
    path = tmp_path / "model.keras"
    kf.checkpointing.atomic_save(model, path)
    before = path.read_bytes()

    def broken_save(*args, **kwargs):
        Path(args[0]).write_bytes(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(model, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        kf.checkpointing.atomic_save(model, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert isinstance(loaded, kf.GAN)


def test_a_fit_after_a_resumed_fit_trains_all_its_epochs(tmp_path):
    """A fit resumed from a backup at epoch 3 leaves the model's next fit
    (another phase, no backup) to train all its epochs from the start."""
    x = np.random.default_rng(0).standard_normal((64, 2)).astype("float32")

    def gan():
        keras.utils.set_random_seed(0)
        model = kf.GAN(kf.networks.mlp_generator(2, 2, width=8, depth=1),
                       kf.networks.mlp_discriminator(2, width=8, depth=1))
        model.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3))
        return model

    backup = kf.checkpointing.BackupAndRestore(tmp_path / "backup")
    gan().fit(x, batch_size=32, epochs=3, verbose=0, callbacks=[backup])  # leaves a backup at epoch 3
    model = gan()
    resumed = model.fit(x, batch_size=32, epochs=4, verbose=0, callbacks=[backup])
    assert resumed.epoch == [3]
    assert model.fit(x, batch_size=32, epochs=2, verbose=0).epoch == [0, 1]
