"""`benchmarks/bigan_r1_finetune.py` on a few images: it starts from the
shipped BiGAN preset, trains with R1, and a frozen encoder stays the
preset's while the generator moves."""

import numpy as np
import pytest

from repo_files import load_module


@pytest.fixture
def bench():
    return load_module("benchmarks/bigan_r1_finetune.py")


@pytest.mark.parametrize("freeze", [True, False], ids=["frozen", "trainable"])
def test_finetune_starts_from_the_preset_with_r1(bench, tmp_path, freeze):
    import keras_fgan as kf

    preset = kf.zoo.load(bench.PRESET)
    model, recipe, _ = bench.finetune(0.1, 1, freeze, tmp_path / "backup", limit=128)
    assert recipe["regularizers"] == ["r1"] and recipe["gamma"] == 0.1
    assert [type(r).__name__ for r in model.regularizers] == ["R1"] and model.regularizers[0].gamma == 0.1
    assert "r1" in model.history.history
    encoder_same = all(np.array_equal(a, b) for a, b in zip(preset.encoder.get_weights(), model.encoder.get_weights()))
    generator_same = all(np.array_equal(a, b)
                         for a, b in zip(preset.generator.get_weights(), model.generator.get_weights()))
    assert encoder_same == freeze
    assert not generator_same
    assert model.encoder.trainable  # handed back trainable, as a loaded model
    assert not (tmp_path / "backup").exists()  # the backup goes once training ends
