"""The modern objectives of `kf.AdversarialModel` cover the 8-Gaussian ring.

Two compositions of a loss, regularizers and constraints, each trained with
the reference MLPs and packing 2 (Lin et al. 2018) for 600 steps of 256
samples, must capture all 8 modes (PacGAN's protocol: 2,500 samples, a mode
counts when one sample lies within 3 standard deviations of it), on every
backend:

- R3GAN's objective (Huang et al. 2024): the relativistic pairing loss with
  R1 and R2 penalties (Mescheder et al. 2018), gamma 0.1 each.
- The hinge loss (Lim & Ye 2017) on a spectrally normalised discriminator
  (Miyato et al. 2018).

Recipe: Adam without momentum (beta_1 0, beta_2 0.9, as in both papers),
both rates cosine-decayed to 5%. At 600 steps, seeds 0-2 all reached 8/8 on
JAX and TensorFlow, and seed 0 on PyTorch (2026-12-01; the smallest mode
then held 1-8 of the 2,500 samples for hinge + SN and 6-13 for R3GAN). The
high-quality fraction after so short a run is low (0.05-0.08): these tests
check coverage, the zoo's cards report quality after full training. Alone,
a backend runs the pair in 28-55 s.
"""

import keras
import pytest

import keras_fgan as kf
from test_wgan import single_threaded_torch  # noqa: F401  (autouse fixture)

STEPS = 600
BATCH = 256
RECIPES = {
    "r3gan": dict(loss="relativistic", regularizers=[kf.regularizers.R1(0.1), kf.regularizers.R2(0.1)],
                  spectral_norm=False, learning_rate=1e-3),
    "hinge_spectral_norm": dict(loss="hinge", regularizers=[], spectral_norm=True, learning_rate=2e-3),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(RECIPES))
def test_objective_captures_every_ring_mode(name):
    recipe = RECIPES[name]
    keras.utils.set_random_seed(0)
    model = kf.AdversarialModel(
        kf.networks.mlp_generator(8, 2, width=128, depth=3),
        kf.networks.mlp_discriminator(2, width=128, depth=3, pack=2,
                                      spectral_norm=recipe["spectral_norm"]),
        loss=recipe["loss"],
        regularizers=recipe["regularizers"],
        pack=2,
        seed=0,
    )

    def adam():
        schedule = keras.optimizers.schedules.CosineDecay(recipe["learning_rate"], STEPS, alpha=0.05)
        return keras.optimizers.Adam(schedule, beta_1=0.0, beta_2=0.9)

    # One execution per epoch of 40 steps (TensorFlow: Keras' per-call
    # overhead paid once per epoch).
    model.compile(d_optimizer=adam(), g_optimizer=adam(), steps_per_execution=40)
    data = kf.datasets.load("ring", n=BATCH * 40, seed=0)
    before = kf.evaluation.mode_coverage(model.generate(2500, seed=0), "ring")
    model.fit(data, batch_size=BATCH, epochs=STEPS // 40, verbose=0)
    after = kf.evaluation.mode_coverage(model.generate(2500, seed=0), "ring")
    assert before["modes"] < 8, before  # untrained, the bar is not met
    assert after["modes"] == 8, (name, after)
