"""`benchmarks/bigan_finetune.py` on a few images: it starts from the
shipped BiGAN preset, trains with R1 or unary scores, and a frozen encoder
stays the preset's while the generator moves."""

import numpy as np
import pytest

from repo_files import load_module


@pytest.fixture
def bench():
    return load_module("benchmarks/bigan_finetune.py")


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


def test_finetune_with_unary_scores_adds_fresh_heads_to_the_preset(bench, tmp_path):
    import train_zoo  # on the path once the benchmark is loaded

    import keras_fgan as kf
    from keras_fgan import builders

    preset = kf.zoo.load(bench.PRESET)
    fresh_model = builders.build_model(**builders.split_recipe(
        dict(train_zoo.PRESETS[bench.PRESET], unary_scores=True))[0])
    assert sorted(bench.copy_preset_weights(fresh_model, preset)) == ["x_score", "z_score"]
    np.testing.assert_array_equal(fresh_model.discriminator.get_layer("joint_dense").get_weights()[0],
                                  preset.discriminator.get_layer("joint_dense").get_weights()[0])
    np.testing.assert_array_equal(fresh_model.ema_generator.get_weights()[0], preset.ema_generator.get_weights()[0])

    model, recipe, _ = bench.finetune(0, 1, True, tmp_path / "backup", limit=128, unary_scores=True)
    assert recipe["unary_scores"] is True and "regularizers" not in recipe
    assert model.regularizers == [] and model.discriminator.output.shape == (None, 3)
    assert all(np.array_equal(a, b) for a, b in zip(preset.encoder.get_weights(), model.encoder.get_weights()))
    assert not np.array_equal(preset.generator.get_weights()[0], model.generator.get_weights()[0])
    with pytest.raises(ValueError, match="lacks the preset's layers"):
        bench.copy_preset_weights(preset, model)  # the unary heads have nowhere to go


@pytest.mark.parametrize("argv, message", [(["--gamma", "0"], "nothing to fine-tune with"),
                                            (["--gamma", "-1"], "--gamma must be >= 0")])
def test_refuses_an_empty_or_negative_change(bench, argv, message, capsys):
    with pytest.raises(SystemExit):
        bench.main(argv)
    assert message in capsys.readouterr().err
