"""GAN and f-GAN through the public API, on the current backend."""

import pytest

import keras_fgan as kf
from adversarial_test_case import run_adversarial_model_test


def _mlp_pair(width=32):
    return (
        kf.networks.mlp_generator(2, 2, width=width, depth=2),
        kf.networks.mlp_discriminator(2, width=width, depth=2),
    )


@pytest.mark.parametrize("loss", ["non_saturating", "minimax"])
def test_gan_standard(loss, ring_data, tmp_path):
    run_adversarial_model_test(lambda: kf.GAN(*_mlp_pair(), loss=loss, seed=1), ring_data, tmp_path)


@pytest.mark.parametrize("generator_loss", ["heuristic", "minimax"])
def test_fgan_standard(generator_loss, ring_data, tmp_path):
    run_adversarial_model_test(
        lambda: kf.FGAN(*_mlp_pair(), divergence=kf.divergences.get("alpha", alpha=0.5),
                        generator_loss=generator_loss, d_steps=2, seed=1),
        ring_data, tmp_path,
    )
