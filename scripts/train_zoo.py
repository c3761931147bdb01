"""Trains the model zoo presets reproducibly and writes their folders.

Each preset is a recipe (the flat dict of `keras_fgan.builders`), trained
with the same builders as `keras-fgan train`. For every preset this writes
`zoo/<preset>/`:

- `model.keras`: the adversarial model (networks and weights, no optimizer
  state), loadable with `keras.saving.load_model(path, safe_mode=True)`;
- `reference.npz`: a fixed latent batch (`z`, 4 rows) and the generator's
  outputs `x` (plus, for BiGAN, fixed inputs `encoder_x` and the encoder's
  outputs `encoder_z`), used by the tests to check every backend gives the
  same outputs;
- `samples.png`: a scatter plot (2-D) or an 8x8 image grid (Fashion-MNIST);
- `README.md`: the model card;
- `preset.json`: recipe, class, files with their sha256, metrics and
  training details (read by `keras_fgan.zoo`).

The PacGAN-style 2-D presets (`pacgan_ring`, `pacgan_grid`, ...) take their
recipe from `benchmarks/mode_coverage_2d.py` (`RECIPES`: separate generator
and discriminator sizes, optional BatchNorm, packing, EMA, a cosine-decayed
rate over a number of generator steps) and train resumably: a
`keras_fgan.checkpointing.BackupAndRestore` backup in `runs/zoo_backup/<preset>`
lets the same command continue an interrupted run.

Usage (TensorFlow was the fastest backend on CPU for the width-128 MLPs and
the image networks; the PacGAN-style presets record the backend they ran on):

    KERAS_BACKEND=tensorflow python scripts/train_zoo.py --preset gan_ring
    KERAS_BACKEND=jax python scripts/train_zoo.py --preset pacgan_ring
    KERAS_BACKEND=tensorflow python scripts/train_zoo.py --group 2d
    KERAS_BACKEND=tensorflow python scripts/train_zoo.py --group fashion_mnist
    KERAS_BACKEND=tensorflow python scripts/train_zoo.py --list
"""

import argparse
import collections
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
ZOO = ROOT / "zoo"
BACKUPS = ROOT / "runs" / "zoo_backup"
sys.path.insert(0, str(ROOT / "benchmarks"))
import mode_coverage_2d as mc2d  # noqa: E402 - the 2-D recipes' table and trainer

from keras_fgan import datasets  # noqa: E402
from keras_fgan import divergences  # noqa: E402
from keras_fgan import registry  # noqa: E402
from keras_fgan.zoo import targets  # noqa: E402

REFERENCE_SEED = 1234
EVAL_SEEDS = (0, 1, 2, 3, 4)

# ------------------------------------------------------------------ recipes --

PLANE_BASE = {
    "latent_dim": 8, "width": 128, "depth": 3, "n": 20000, "batch_size": 512,
    "d_lr": 1e-3, "g_lr": 1e-3, "seed": 0,
}
PLANE_EPOCHS = {"ring": 80, "grid": 80}
PLANE_DECAY_EPOCHS = 20  # the last epochs run at a tenth of the learning rates
WGAN_EPOCHS, WGAN_DECAY_EPOCHS = 25, 6  # n_critic=5 makes an epoch about 3x as costly
DIVERGENCES = divergences.names()


# The README's recipe (latent 2, batch 256, Adam beta_1 0.5, discriminator
# rate 4e-3 and generator 1e-3, here with the last 20 of 80 epochs at a
# tenth of the rates), for the presets where it beat PLANE_BASE in the sweep
# of benchmarks/results/plane_presets_sweep.md.
PLANE_TUNED_RECIPE = {"latent_dim": 2, "batch_size": 256, "d_lr": 4e-3, "g_lr": 1e-3, "beta_1": 0.5}
WGAN_GP_TUNED = dict(PLANE_TUNED_RECIPE, d_lr=1e-4, g_lr=1e-4, beta_2=0.9, epochs=400, decay_epochs=80, gamma=0.1)
PLANE_GRID_RECIPE = dict(PLANE_TUNED_RECIPE, ema=0.999, epochs=400, decay_epochs=80)
WGAN_CLIP_TUNED = dict(latent_dim=2, batch_size=256, clip_value=0.1, epochs=80, decay_epochs=20)
# The f-GAN presets trained with an R1 penalty (the recipe and its history: PLANE_TUNED).
R1_RECIPE_PRESETS = (
    "fgan_kl_grid", "fgan_squared_hellinger_grid",
    "fgan_alpha_grid", "fgan_jeffrey_grid", "fgan_jeffrey_ring",
    "fgan_neyman_grid", "fgan_neyman_ring", "fgan_pearson_grid", "fgan_pearson_ring",
    "fgan_reverse_kl_grid", "fgan_reverse_kl_ring",
)
# The same penalty for 500 epochs, the last 410 at a tenth of the rates (PLANE_TUNED).
R1_LONG_RECIPE = dict(PLANE_GRID_RECIPE, regularizers=["r1"], gamma=1.0, epochs=500, decay_epochs=410)
PLANE_TUNED = {
    "gan_ring": PLANE_TUNED_RECIPE,
    "fgan_gan_ring": PLANE_TUNED_RECIPE,
    "fgan_jensen_shannon_ring": PLANE_TUNED_RECIPE,
    # Swept at a 1e-3 discriminator rate only.
    "fgan_squared_hellinger_ring": dict(PLANE_TUNED_RECIPE, d_lr=1e-3),
    "fgan_jensen_shannon_weighted_ring": dict(PLANE_TUNED_RECIPE, d_lr=2e-3),
    # KL captured 0-1 modes at rates of 1e-3 and 4e-3.
    "fgan_kl_ring": dict(PLANE_TUNED_RECIPE, d_lr=5e-4, g_lr=5e-4),
    # A generator EMA for 1,600 epochs, the last 1,440 at a tenth of the rates: 8/8 modes
    # at 90.9-91.9%. Of 400 epochs, the last 80 at a tenth gave 84-86%, the last 200 87-89%,
    # 320 88-90%, 380 71-73%; 800 epochs (720) 89-91%, 1,200 (1,040) 86-87%. The README
    # recipe alone gave 47-48%, the base recipe 3-5 modes.
    "bigan_ring": dict(PLANE_GRID_RECIPE, epochs=1600, decay_epochs=1440),
    # The same for the minimax GAN: 8/8 modes at 99.1-99.3% (the base recipe: 61-62%).
    "gan_minimax_ring": PLANE_GRID_RECIPE,
    # gan_toy.py's penalty weight 0.1 (Gulrajani et al. 2017), 400 epochs (31.6k generator
    # steps): 8/8 modes at 96.7-97.5%; at the default weight 10, 73-76% (80 epochs: 15-17%).
    "wgan_gp_ring": WGAN_GP_TUNED,
    # On the grid the same recipe gave 25/25 modes but 24-27% high quality (weight 10,
    # 25 epochs: 9.4 modes at 1.6%); with gan_toy.py's width of 512 (its 3x512 ReLU MLPs):
    # 25/25 at 90.6-91.4% (53 minutes on one core).
    "wgan_gp_grid": dict(WGAN_GP_TUNED, width=512),
    # Weight clipping at c=0.1 (the paper's 0.01 left the critic too weak: 2-5 modes
    # under 1%), 80 epochs: 8/8 modes at 92-94%; c=0.05 gave 49%, c=0.2 54%, EMA 5%.
    "wgan_clip_ring": WGAN_CLIP_TUNED,
    # The same on the grid at width 512 (as wgan_gp_grid): 22-24 of 25 modes at 9-11%, where
    # width 128 gave 16-20 at 3-4% and the base recipe 17-20 at 2%. Looser bounds sharpen the
    # modes (0.2: 18-21 modes at 15-17%; 0.5: 25/25 at 44-46%; 1.0: 58-61%; 2.0: 61-63%, at
    # 80 epochs) and still bind (at 1.0: every output weight and 15% of the last hidden
    # layer's at the bound); for 160 epochs, the last 40 at a tenth: 25/25 at 85-87% (1.0)
    # and 87.7-89.2% (2.0, where every output weight and 9% of the last hidden layer's sit
    # at the bound); at 1.0 for 320 epochs, the last 80 at a tenth: 25/25 at 89.8-91.2%
    # (400 epochs, the last 100 at a tenth: 87.8-89.2%), and with a generator EMA of 0.999
    # 25/25 at 91.2-92.1% (every output weight and a third of the last hidden layer's at
    # the bound).
    "wgan_clip_grid": dict(WGAN_CLIP_TUNED, width=512, clip_value=1.0, epochs=320, decay_epochs=80, ema=0.999),
    # The grid: the README recipe with a generator EMA for 400 epochs (31.6k generator steps):
    # BiGAN 25/25 at 83-85% (width 256: 51-54%; with R1 at gamma 1: 54-55%); the GAN and the
    # f-GANs of the same objective 21-22 of 25 modes at 94-96%, where 80 epochs without EMA
    # gave 10-13 at 28% (they now train with R1_LONG_RECIPE, below). BiGAN with R1 at gamma
    # 0.1 on the joint pairs: 25/25 at 92.2-93.9%, and 25/25 from each of training seeds 1-4
    # at 85-94% (without R1, seeds 1-4 gave 17-25 modes at 56-80%); R1_LONG_RECIPE at gamma
    # 0.1 (500 epochs, the last 410 at a tenth): 25/25 at 93.7-94.9%, and from training
    # seeds 1-4 25/25 at 90.6-94.9% (the sweep's `r1_500ep_gamma0.1_seedK` rows).
    "bigan_grid": dict(R1_LONG_RECIPE, gamma=0.1),
    # KL and squared Hellinger, whose conjugates are exponential, captured 0-3 grid modes
    # without a penalty at every rate tried. An R1 penalty (Mescheder et al. 2018, gamma 1)
    # on the critic and the rates cut to a tenth from epoch 90 of 300: 25/25 modes at
    # 94% after 240 epochs (learning curve, seed 0); at the README rates throughout, the
    # same model reaches 25/25 at 75-80% by epoch 100 and then falls to 0 modes.
    # The same recipe for the f-GANs that captured 0-9 modes with the base recipe
    # (2026-12-03): 25/25 grid modes at 93-95%, 8/8 ring modes at 95-96%; alpha on the
    # ring 83-84% (R1_LONG_RECIPE: 89-90%; 1,600 epochs, the last 1,440 at a tenth: 63%),
    # total variation on the ring 1-2 modes (R1_LONG_RECIPE: 7-8 modes at 57-59%) and on
    # the grid 25/25 at 71% (R1_LONG_RECIPE: 88-90%; 1,000 epochs, the last 900 at a
    # tenth: 94.7-95.5%).
    **{name: dict(PLANE_GRID_RECIPE, regularizers=["r1"], gamma=1.0, epochs=300, decay_epochs=210)
       for name in R1_RECIPE_PRESETS},
    # The minimax GAN keeps all 25 grid modes; 800 epochs (63k generator steps), the last
    # 160 at a tenth of the rates, sharpen them: 25/25 at 96.0-96.6% (400 epochs: 89.6-90.6%).
    # Training seed 3 of 5 loses 2-3 modes (benchmarks/results/mode_coverage_2d_gan_minimax_grid.md);
    # at a discriminator rate of 2e-3 seed 3 keeps them and seed 0 loses them (`_d2e3`).
    "gan_minimax_grid": dict(PLANE_GRID_RECIPE, epochs=800, decay_epochs=160),
    # The non-saturating GAN with fgan_kl_grid's R1 penalty for 500 epochs, the last 410
    # at a tenth of the rates: 25/25 modes on every evaluation seed from each of training
    # seeds 0-4, at 94.8-97.0% (the sweep's `r1_500ep` rows; without R1, 400 epochs: 21-22
    # modes at 94-96%; R1 for 300 epochs: 25/25 at 93-95%). Retrained by
    # benchmarks/mode_coverage_2d.py from seeds 0-4: 25/25 at 95.5-97.5%
    # (benchmarks/results/mode_coverage_2d_gan_grid.md).
    "gan_grid": R1_LONG_RECIPE,
    "fgan_total_variation_grid": dict(R1_LONG_RECIPE, epochs=1000, decay_epochs=900),
    # R1_LONG_RECIPE at gamma 0.1: 8/8 ring modes at 97.1-97.3% (alpha) and 97.9-98.4%
    # (total variation), where gamma 1 gave 89.3-90.4% and 7-8 modes at 57-59%.
    **{name: dict(R1_LONG_RECIPE, gamma=0.1) for name in ("fgan_total_variation_ring", "fgan_alpha_ring")},
    # The f-GANs of the GAN's objective with gan_grid's recipe: 25/25 at 96.2-97.3%
    # (gan, jensen_shannon), 94.9-96.1% (jensen_shannon_weighted).
    **{name: R1_LONG_RECIPE for name in (
        "fgan_gan_grid", "fgan_jensen_shannon_grid", "fgan_jensen_shannon_weighted_grid")},
}


def _plane_presets():
    presets = {}
    for data in registry.MIXTURES:
        base = dict(PLANE_BASE, data=data, epochs=PLANE_EPOCHS[data], decay_epochs=PLANE_DECAY_EPOCHS)
        wgan = dict(base, objective="wgan", n_critic=5, epochs=WGAN_EPOCHS, decay_epochs=WGAN_DECAY_EPOCHS)
        presets[f"gan_{data}"] = dict(base, objective="gan", loss="non_saturating")
        presets[f"gan_minimax_{data}"] = dict(base, objective="gan", loss="minimax")
        for div in DIVERGENCES:
            presets[f"fgan_{div}_{data}"] = dict(base, objective="fgan", divergence=div, generator_loss="auto")
        presets[f"wgan_clip_{data}"] = dict(wgan, lipschitz="weight_clip", d_lr=5e-4, g_lr=5e-4)
        presets[f"wgan_gp_{data}"] = dict(wgan, lipschitz="gradient_penalty", beta_1=0.5, beta_2=0.9)
        presets[f"bigan_{data}"] = dict(base, objective="bigan", loss="non_saturating")
    return {name: dict(recipe, **PLANE_TUNED.get(name, {})) for name, recipe in presets.items()}


IMAGE_BASE = {
    "data": "fashion_mnist", "latent_dim": 64, "width": 32, "batch_size": 64,
    "epochs": 1, "seed": 0, "limit": None,
}


def _image_presets():
    b = IMAGE_BASE
    return {
        # 160 epochs, the last 40 at a tenth of the rates, with a generator EMA: FD 2.58,
        # precision 0.82, recall 0.65 (about 47 s per epoch on one core, JAX). 80 epochs,
        # the last 20 at a tenth, gave FD 2.75, 0.81, 0.68; 40 at constant rates 3.16, 0.79,
        # 0.60; 10 without EMA 5.79, 0.77, 0.47 (benchmarks/results/gan_fashion_mnist_ema40.md).
        "gan_fashion_mnist": dict(b, objective="gan", loss="non_saturating", epochs=160, decay_epochs=40,
                                  ema=0.999),
        # One critic step per generator step with two time-scale rates (critic 3e-4,
        # generator 1e-4; Heusel et al. 2017) in place of Gulrajani et al.'s five critic
        # steps at 1e-4: all 60,000 images for 160 epochs, the last 40 at a tenth of the
        # rates, generator EMA: FD 1.90, precision 0.81, recall 0.68 (150k generator
        # steps, 56-100 s per epoch on JAX, on two cores or one). 80 epochs, the last 20
        # at a tenth: FD 2.53, 0.79, 0.68. Five critic steps at 1e-4 on that schedule gave
        # FD 2.80, 0.79, 0.67; 40 epochs at constant rates 3.27, 0.78, 0.64 (the last 10 of
        # them at a tenth: 3.43); on half the images, 20 epochs FD 6.44, and 5 epochs
        # without EMA FD 12.6, recall 0.13.
        "wgan_gp_fashion_mnist": dict(
            b, objective="wgan", lipschitz="gradient_penalty", n_critic=1, d_lr=3e-4, g_lr=1e-4, epochs=160,
            decay_epochs=40, ema=0.999),
        # A 16-d code: the recipe of benchmarks/bigan_fashion_mnist.py, where E(x)
        # beats random encoders by 11.3 points on the linear probe (latent 64: 2.9).
        # 40 epochs with a generator EMA: FD 5.28, precision 0.88, recall 0.69, probe
        # 77.3% (random encoders 64.6%), where 10 epochs without gave FD 4.13, 0.85,
        # 0.53, 75.4%: better precision, recall and probe, a worse Frechet distance.
        # R1 (gamma 0.03-1) or BigBiGAN's unary scores improve the samples (unary
        # scores, 40 epochs: FD 2.30, class KL 0.025) but cut the probe's lead to 3-7
        # points (fashion_mnist_presets_sweep.md), so this recipe keeps neither. R1 (gamma
        # 0.1) with ALICE's sample reconstruction (lambda 1) came closest: FD 1.66,
        # precision 0.87, recall 0.76, and 9.0 points.
        "bigan_fashion_mnist": dict(b, objective="bigan", loss="non_saturating", latent_dim=16, epochs=40,
                                    ema=0.999),
        # Weight clipping at the paper's 0.01 with RMSprop 5e-5 learns slowly: 5 epochs on
        # 30,000 images gave FD 17.9, recall 0.01 (20 epochs with EMA: 16.3, 0.04). A looser
        # bound and faster rates on all 60,000 images with a generator EMA, 10 epochs: bound
        # 0.05 FD 15.4, 0.1 with rates 2e-4 FD 9.3, 0.2 FD 9.5; 30 epochs at 0.1 and 2e-4:
        # FD 8.02, precision 0.76, recall 0.34 (rates 5e-4: FD 11.4).
        "wgan_clip_fashion_mnist": dict(
            b, objective="wgan", lipschitz="weight_clip", n_critic=5, clip_value=0.1, d_lr=2e-4, g_lr=2e-4,
            epochs=30, ema=0.999),
        **{
            f"fgan_{div}_fashion_mnist": dict(b, objective="fgan", divergence=div, generator_loss="auto", epochs=10)
            for div in DIVERGENCES
        },
        # Total variation collapsed without a penalty (FD 19.8, recall 0.01); with an R1
        # penalty on the critic (gamma 1, as for the 2-D f-GANs) FD 6.24, recall 0.40,
        # and with a generator EMA as well FD 5.64, precision 0.79, recall 0.42
        # (benchmarks/results/fashion_mnist_presets_sweep.md).
        "fgan_total_variation_fashion_mnist": dict(
            b, objective="fgan", divergence="total_variation", generator_loss="auto", epochs=10,
            regularizers=["r1"], gamma=1.0, ema=0.999),
        # The best f-GAN at 10 epochs (FD 5.44, precision 0.79, recall 0.43); 40 epochs
        # with a generator EMA: FD 3.07, precision 0.81, recall 0.57; 80 epochs, the last
        # 20 at a tenth of the rates, as the GAN preset: FD 2.44, 0.82, 0.60; 160 epochs,
        # the last 40 at a tenth (about 45 s per epoch on one core, JAX): FD 1.74, 0.81, 0.65.
        "fgan_jeffrey_fashion_mnist": dict(b, objective="fgan", divergence="jeffrey", generator_loss="auto",
                                           epochs=160, decay_epochs=40, ema=0.999),
    }


def _mlp_recipe_presets():
    """2-D presets from the recipes of benchmarks/mode_coverage_2d.py
    (objective "adversarial": `kf.AdversarialModel` with a loss, regularizers,
    packing and EMA on PacGAN's networks)."""
    presets = {}
    for name, data, recipe, overrides in (
        # Packing 3 at 40k steps: 8/8 modes at 96.5-98.8% high quality from
        # training seeds 0-2 (benchmarks/results/mode_coverage_2d_pacgan_ring_pack3_40k.md);
        # packing 2 at 20k: 96.3%.
        ("pacgan_ring", "ring", "pacgan", {"pack": 3, "steps": 40000}),
        # 200k steps: 25/25 modes on 4 of 5 evaluation seeds (24 on the fifth) at
        # 96.7-97.5% high quality; 20k steps gave 22-24 modes at 19-21%.
        ("pacgan_grid", "grid", "pacgan", {"steps": 200000}),
    ):
        presets[name] = dict(mc2d.RECIPES[recipe], **overrides, objective="adversarial",
                             recipe=recipe, data=data, seed=0)
    return presets


PRESETS = {**_plane_presets(), **_image_presets(), **_mlp_recipe_presets()}


def _is_mlp_recipe(recipe):
    """True for the recipes of benchmarks/mode_coverage_2d.py (generator
    and discriminator sized apart, trained for a number of steps)."""
    return "g_width" in recipe


# ------------------------------------------------------------------ helpers --

def file_record(path):
    """A preset file's entry in preset.json and the registry: sha256 and size."""
    from keras_fgan.fileio import sha256_of

    return {"sha256": sha256_of(path), "size": Path(path).stat().st_size}


def machine():
    try:
        load = os.getloadavg()
        load_text = f"; load average during training {load[0]:.1f} (shared with other jobs)"
    except OSError:
        load_text = ""
    return f"{platform.machine()} CPU, {os.cpu_count()} cores, {platform.system()} (no GPU){load_text}"


def _family(recipe):
    """The recipe's `keras_fgan.registry.Family` (imported late: keras reads
    KERAS_BACKEND on import)."""
    from keras_fgan import registry

    return registry.family(recipe["objective"])


def _title(name, recipe):
    if _is_mlp_recipe(recipe):
        regs = "".join(f" + {k.upper()}" for k in sorted(recipe["regularizers"]))
        pack = f", packing {recipe['pack']}" if recipe["pack"] > 1 else ""
        ema = f", EMA {recipe['ema']}" if recipe.get("ema") else ""
        return f"PacGAN-style MLPs, {recipe['loss']} loss{regs}{pack}{ema}"
    return _family(recipe).describe(recipe)


def _training_data(recipe):
    if recipe["data"] in registry.MIXTURES:
        return datasets.load(recipe["data"], n=recipe["n"], seed=recipe["seed"])
    x = datasets.load(recipe["data"], split="train")
    return x[: recipe["limit"]] if recipe.get("limit") else x


def _bigan_probe(model):
    """Linear-probe and 1-NN accuracy of the BiGAN encoder's codes (10k train
    images -> test split's first 5k), beside the mean of 3 randomly
    initialised encoders of the same architecture."""
    import keras

    from keras_fgan.evaluation import probe_accuracy

    xtr, ytr = datasets.load("fashion_mnist", split="train", n=10000, with_labels=True)
    xte, yte = datasets.load("fashion_mnist", split="test", n=5000, with_labels=True)

    def scores(encoder):
        return probe_accuracy(
            encoder.predict(xtr, batch_size=256, verbose=0), ytr,
            encoder.predict(xte, batch_size=256, verbose=0), yte,
        )

    keras.utils.set_random_seed(REFERENCE_SEED)
    random = [scores(keras.models.clone_model(model.encoder)) for _ in range(3)]
    return {
        **scores(model.encoder),
        **{f"random_encoder_{k}": float(np.mean([r[k] for r in random])) for k in random[0]},
        "probe_protocol": "encoder codes standardised; logistic regression and 1-NN fit on train[:10000], "
                          "scored on test[:5000]; random_encoder_*: mean of 3 freshly initialised encoders",
    }


def evaluate(model, recipe):
    from keras_fgan import evaluation
    from keras_fgan.evaluation.report import evaluate_model

    data = recipe["data"]
    if data in registry.MIXTURES:
        per_seed = []
        for seed in EVAL_SEEDS:
            result = evaluation.mode_coverage(model.generate(2500, seed=seed), data)
            per_seed.append({"seed": seed, "modes": result["modes"], "high_quality": round(result["high_quality"], 4),
                             "kl": round(result["kl"], 4) if np.isfinite(result["kl"]) else None})
        modes = [r["modes"] for r in per_seed]
        hq = [r["high_quality"] for r in per_seed]
        num_modes = len(datasets.mixture_modes(data)[0])
        return {
            "protocol": "mode_coverage of 2,500 samples per seed, seeds 0-4 (PacGAN/VEEGAN)",
            "num_modes": num_modes,
            "per_seed": per_seed,
            "modes_mean": float(np.mean(modes)),
            "modes_min": int(np.min(modes)),
            "high_quality_mean": round(float(np.mean(hq)), 4),
            "high_quality_min": round(float(np.min(hq)), 4),
            "kl_mean": (round(float(np.mean([r["kl"] for r in per_seed])), 4)
                        if all(r["kl"] is not None for r in per_seed) else None),
            "meets_target": targets.meets_mixture_target(per_seed, num_modes),
        }
    metrics = evaluate_model(model, "fashion_mnist", num_samples=5000, seed=0, class_frequencies=True)
    # The samples' class histograms, for the card (class_kl is their distance).
    metrics["class_frequencies"] = {kind: [round(v, 4) for v in values]
                                    for kind, values in metrics["class_frequencies"].items()}
    metrics = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in metrics.items()}
    metrics["protocol"] = "evaluate_model(model, 'fashion_mnist', num_samples=5000, seed=0): 5,000 generated vs test[:5000]"
    if _family(recipe).joint:
        metrics.update({k: (round(v, 4) if isinstance(v, float) else v) for k, v in _bigan_probe(model).items()})
    return metrics


def _reference(model, recipe):
    z = model.latent_batch(4, seed=REFERENCE_SEED)
    arrays = {"z": z, "x": np.asarray(model.generator.predict(z, verbose=0), dtype="float32")}
    if _family(recipe).joint:
        rng = np.random.default_rng(REFERENCE_SEED)
        shape = (4,) + tuple(model.sample_shape)
        ex = (rng.normal(0, 1, shape) if recipe["data"] in registry.MIXTURES else rng.uniform(-1, 1, shape)).astype("float32")
        arrays["encoder_x"] = ex
        arrays["encoder_z"] = np.asarray(model.encoder.predict(ex, verbose=0), dtype="float32")
    return arrays


def _samples_png(model, recipe, path, name=None):
    from keras_fgan import imaging

    if recipe["data"] in registry.MIXTURES:
        centres, _ = datasets.mixture_modes(recipe["data"])
        extent = 1.4 * float(np.abs(centres).max()) + 0.2
        lim = (-extent, extent)
        imaging.save_scatter(model.generate(2500, seed=0), path, reference=centres, limits=lim,
                             title=f"{name or recipe['objective']}: 2,500 samples (seed 0)")
    else:
        imaging.save_image_grid(model.generate(64, seed=0), path, ncols=8)


def reproduce_command(name, recipe=None, backend="tensorflow"):
    """The script command that reproduces a preset (with `--set` for any
    setting that differs from the script's current recipe)."""
    command = f"KERAS_BACKEND={backend} python scripts/train_zoo.py --preset {name}"
    if recipe is None:
        return command
    default = PRESETS.get(name, {})
    # A key the recipe lacks took its default: null (None) restores it.
    for key in sorted(set(recipe) | set(default)):
        if default.get(key) != recipe.get(key):
            command += " --set " + shlex.quote(f"{key}={json.dumps(recipe.get(key))}")
    return command


def cli_command(recipe):
    """The `keras-fgan train` command line of a builders recipe: one flag per
    recipe key the command line takes (every registry parameter; not the
    script's `decay_epochs`)."""
    options = {key for family in registry.FAMILIES.values() for key in family.recipe_keys()}
    options |= set(registry.TRAINING)
    family = registry.family(recipe["objective"])
    flags = [f"--objective {recipe['objective']}", f"--data {recipe['data']}"]
    for key, value in recipe.items():
        if key in ("objective", "data") or key not in options or value is None:
            continue
        if key == "n" and recipe["data"] not in registry.MIXTURES:
            continue
        flag = f"--{key.replace('_', '-')}"
        if isinstance(value, bool):  # --spectral-norm, --no-penalize-latent: only what differs
            if value != family.parameter(key).default:
                flags.append(flag if value else f"--no-{flag[2:]}")
        elif isinstance(value, (list, tuple)):
            flags.append(" ".join([flag, *map(str, value)]))
        else:
            flags.append(f"{flag} {value}")
    return "KERAS_BACKEND=tensorflow keras-fgan train " + " ".join(flags) + " --out runs/NAME"


# -------------------------------------------------------------------- cards --

# PacGAN Table 1's best rows (Lin et al. 2018): all modes with at least this
# high-quality fraction on every evaluation seed goes beyond every row.
PACGAN_HQ = {"ring": 0.97, "grid": 0.95}


# PacGAN Table 1's plain GAN (mean of 10 runs): the mode count issue 20 asks of
# every GAN, f-GAN, BiGAN and WGAN preset, with at least the target's high quality.
PACGAN_GAN_MODES = {"ring": 6.3, "grid": 17.3}

# The best recipe per mixture retrained from 5 training seeds by
# benchmarks/mode_coverage_2d.py: (mixture, preset, its record under
# benchmarks/results), shown in zoo/README.md.
SEED_BENCHMARKS = (
    ("ring", "pacgan_ring", "mode_coverage_2d_pacgan_ring_pack3_40k"),
    ("grid", "gan_grid", "mode_coverage_2d_gan_grid"),
)
# PacGAN Table 1's rows with the most modes (means of 10 runs).
PACGAN_BEST_ROW = {"ring": "PacGAN3: 7.8 at 97.7%", "grid": "PacGAN4: 24.8 at 93.6%"}


def seed_benchmark_lines():
    """zoo/README.md's table of the 5-training-seed benchmarks, from their
    records under benchmarks/results (SEED_BENCHMARKS)."""
    lines = ["| mixture | recipe of | training seeds | modes: mean (range of seed means) | "
             "high quality: mean (range) | PacGAN's best | report |", "|---|---|---|---|---|---|---|"]
    for data, name, stem in SEED_BENCHMARKS:
        path = ROOT / "benchmarks" / "results" / f"{stem}.json"
        if not path.is_file():
            raise SystemExit(f"{path} is missing: run its benchmark (benchmarks/mode_coverage_2d.py) first")
        record = json.loads(path.read_text())
        m = mc2d.seed_summary([row["scores"] for row in record["seeds"].values()])
        lines.append(f"| {data} | [{name}]({name}/README.md) | {m['seeds']} | {m['modes']:.2f} "
                     f"({m['modes_min']:.1f}-{m['modes_max']:.1f}) | {m['high_quality']:.1f}% "
                     f"({m['high_quality_min']:.1f}-{m['high_quality_max']:.1f}) | {PACGAN_BEST_ROW[data]} | "
                     f"[{stem}.md](../benchmarks/results/{stem}.md) |")
    return lines


def reaches_pacgan_gan(preset):
    """True when every evaluation seed captures at least PacGAN's plain-GAN
    mode count with at least `targets.MIXTURE_HIGH_QUALITY` high-quality samples."""
    m, data = preset["metrics"], preset["recipe"]["data"]
    return all(s["modes"] >= PACGAN_GAN_MODES[data] and s["high_quality"] >= targets.MIXTURE_HIGH_QUALITY for s in m["per_seed"])


def beyond_pacgan(preset):
    """True when every evaluation seed captures all modes with at least
    `PACGAN_HQ` high-quality samples."""
    m, data = preset["metrics"], preset["recipe"]["data"]
    return all(s["modes"] == m["num_modes"] and s["high_quality"] >= PACGAN_HQ[data] for s in m["per_seed"])


def _mlp_recipe_card_parts(r):
    """(networks, data, notes) of a card for a benchmarks/mode_coverage_2d.py recipe."""
    regs = ", ".join(f"{k.upper()}({g})" for k, g in sorted(r["regularizers"].items()))
    nets = (f"From `keras_fgan.networks`: `mlp_generator(latent_dim={r['latent_dim']}, 2, width={r['g_width']}, "
            f"depth={r['g_depth']}, batch_norm={r['batch_norm']})` and `mlp_discriminator(2, width={r['d_width']}, "
            f"depth={r['d_depth']}, pack={r['pack']})` (LeakyReLU 0.2 where PacGAN used maxout), in "
            f"`kf.AdversarialModel(loss={r['loss']!r}, regularizers=[{regs}], pack={r['pack']}, "
            f"ema={r['ema']})`.")
    n = mc2d.STEPS_PER_EPOCH * r["batch_size"]
    data = (f"`kf.datasets.load('{r['data']}', n={n}, seed={r['seed']})`: "
            + ("8 Gaussians on the unit circle, std 0.01" if r["data"] == "ring"
               else "25 Gaussians on {-4,-2,0,2,4}^2, std 0.05") + " (train split).")
    rates = f"{r['lr']}" + (f" (discriminator x{r['d_lr_ratio']})" if r.get("d_lr_ratio") else "")
    notes = [f"Recipe `{r['recipe']}` of `benchmarks/mode_coverage_2d.py` (its docstring gives the sources). "
             f"Adam(learning rate {rates}, beta_1 {r['beta_1']}, beta_2 {r['beta_2']}) for both networks, "
             f"cosine-decayed to {r['decay_to']} of the initial rate over the {r['steps']} generator steps; "
             f"batch {r['batch_size']}. The `keras-fgan train` command line has no options for these "
             "networks and schedules; the script above is the way to reproduce this preset.", ""]
    return nets, data, notes


# The sweeps of preset recipes (benchmarks/presets_sweep.py): the 2-D
# presets' and the Fashion-MNIST presets' tables, each beside its record (.json).
SWEEP_TABLES = {
    "plane": ROOT / "benchmarks" / "results" / "plane_presets_sweep.md",
    "image": ROOT / "benchmarks" / "results" / "fashion_mnist_presets_sweep.md",
}


def sweep_kind(data):
    """The sweep (`SWEEP_TABLES` key) of the presets trained on `data`."""
    return "plane" if data in registry.MIXTURES else "image"


def _recipes_tried(name, data):
    """(the sweep's Markdown, the header and rows of its table for preset
    `name`); no rows when the preset was not in the sweep."""
    markdown = SWEEP_TABLES[sweep_kind(data)]
    if not markdown.is_file():
        return markdown, []
    table = [line for line in markdown.read_text().splitlines() if line.startswith("|")]
    rows = [line for line in table[2:] if line.split("|")[1].strip() == name]
    return markdown, table[:2] + rows if rows else []


def _networks_and_data(r):
    """The Networks and Data paragraphs of a card for a recipe built by
    `keras_fgan.builders` (an MLP mixture or dcgan28 image recipe)."""
    if r["data"] in registry.MIXTURES:
        nets = (f"MLPs from `keras_fgan.networks`: `mlp_generator(latent_dim={r['latent_dim']}, 2, "
                f"width={r['width']}, depth={r['depth']})` and ")
        nets += ("`mlp_encoder` + `mlp_joint_discriminator` of the same width and depth." if _family(r).joint
                 else f"`mlp_discriminator(2, width={r['width']}, depth={r['depth']})`.")
        data = (f"`kf.datasets.load('{r['data']}', n={r['n']}, seed={r['seed']})`: "
                + ("8 Gaussians on the unit circle, std 0.01" if r["data"] == "ring"
                   else "25 Gaussians on {-4,-2,0,2,4}^2, std 0.05") + " (train split).")
        return nets, data
    nets = (f"`keras_fgan.networks.dcgan28_generator(latent_dim={r['latent_dim']}, width={r['width']})` and "
            + ("`dcgan28_encoder` + `dcgan28_joint_discriminator` of the same width."
               if _family(r).joint else f"`dcgan28_discriminator(width={r['width']})`."))
    data = ("Fashion-MNIST train split (60,000 images"
            + (f", first {r['limit']} used" if r.get("limit") else "")
            + ") from `kf.datasets.load('fashion_mnist')`, pixels scaled to [-1, 1]; metrics on the test split.")
    return nets, data


def model_card(name, preset):
    r = preset["recipe"]
    m = preset["metrics"]
    t = preset["training"]
    lines = [f"# {name}: {_title(name, r)} on {r['data']}", ""]
    if r["data"] in registry.MIXTURES:
        target = m["num_modes"]
        if m["meets_target"]:
            verdict = (f"**Meets the target**: all {target} modes captured with a high-quality fraction of at "
                       f"least {targets.MIXTURE_HIGH_QUALITY:.0%} on every one of the 5 evaluation seeds (mean {m['high_quality_mean']:.1%}).")
        else:
            verdict = (f"**Does not meet the target** of all {target} modes with at least {targets.MIXTURE_HIGH_QUALITY:.0%} "
                       "high-quality samples: "
                       f"modes captured {m['modes_min']}-{max(s['modes'] for s in m['per_seed'])} of {target} "
                       f"(mean {m['modes_mean']:.1f}), high-quality fraction {m['high_quality_min']:.1%} at worst, "
                       f"{m['high_quality_mean']:.1%} on average over the 5 seeds.")
        lines += [verdict, ""]
        gan_modes = PACGAN_GAN_MODES[r["data"]]
        lines += [("**Reaches PacGAN's plain GAN**" if reaches_pacgan_gan(preset) else "Below PacGAN's plain GAN")
                  + f" (at least {gan_modes} of {target} modes, PacGAN Table 1's GAN row, with at least "
                  f"{targets.MIXTURE_HIGH_QUALITY:.0%} high-quality samples on every evaluation seed).", ""]
        hq = PACGAN_HQ[r["data"]]
        lines += [("**Beyond PacGAN Table 1**" if beyond_pacgan(preset) else "Not beyond PacGAN Table 1")
                  + f" (all {target} modes with at least {hq:.0%} high-quality samples on every evaluation seed; "
                  "PacGAN's best rows: " + ("GAN 6.3/8 at 98.2%, PacGAN3 7.8/8 at 97.7%)." if r["data"] == "ring"
                                            else "ALI 24.1/25 at 95.7%, PacGAN4 24.8/25 at 93.6%)."), ""]
    else:
        lines += [_image_budget_verdict(preset), ""]
    lines += ["![samples](samples.png)", "", "## Load", "", "```python", "import keras_fgan as kf",
              f'model = kf.zoo.load("{name}")            # {preset["class"]}',
              f'generator = kf.zoo.load_generator("{name}")']
    if _family(r).joint:
        lines.append(f'encoder = kf.zoo.load_encoder("{name}")')
    lines += [f'model = kf.{preset["class"]}.from_preset("{name}")', "x = model.generate(16, seed=0)", "```", ""]
    lines += ["## Objective and hyperparameters", "", "| setting | value |", "|---|---|"]
    for key in sorted(r):
        lines.append(f"| `{key}` | `{json.dumps(r[key])}` |")
    mlp_notes = []
    if _is_mlp_recipe(r):
        lines.append("")
        nets, data, mlp_notes = _mlp_recipe_card_parts(r)
    else:
        lines += ["", "Settings not listed take the `keras_fgan.builders` defaults (`divergence='alpha'` uses "
                  "alpha=0.5, `jensen_shannon_weighted` uses pi=0.5). Optimizers: the objective's defaults "
                  "(`model.default_optimizers()`, e.g. Adam(2e-4, beta_1=0.5) for GAN/f-GAN/BiGAN), with "
                  "`d_lr`/`g_lr`/`beta_1`/`beta_2` overriding them where listed.", ""]
        nets, data = _networks_and_data(r)
    budget = (f"| generator steps | {r['steps']}, batch size {r['batch_size']} |" if _is_mlp_recipe(r)
              else f"| epochs | {r['epochs']}, batch size {r['batch_size']} |")
    lines += ["## Networks", "", nets, "", "## Data", "", data, "", "## Training", "",
              "| | |", "|---|---|",
              f"| seed | {r['seed']} (`keras.utils.set_random_seed` and the latent sampler) |",
              budget,
              f"| wall time | {t['wall_time_s']} s training"
              + (f" (the last run only: it resumed from a backup after {t['resumed_after_epochs']} epochs"
                 + (", counted in 200-step epochs" if _is_mlp_recipe(r) else "") + ")"
                 if t.get("resumed_after_epochs") else "") + " |",
              f"| machine | {t['machine']} |",
              f"| backend | {t['backend']} (Keras {t['keras']}) |",
              f"| date | {t['date']} |", "",
              "Reproduce (writes this folder):", "", "```", reproduce_command(name, r, t["backend"]), "```", ""]
    if _is_mlp_recipe(r):
        lines += mlp_notes
    else:
        lines += ["The same training through the command line (without the card, reference outputs and "
                  "no-optimizer export):", "", "```", cli_command(r).replace("NAME", name), "```", ""]
        if r.get("decay_epochs"):
            lines += [f"(the script trains the last {r['decay_epochs']} of the {r['epochs']} epochs at a tenth "
                      "of the learning rates; the CLI has no such option, so the command above trains at the "
                      "constant rates and only approximates this preset.)", ""]
    lines += ["## Metrics", ""]
    if r["data"] in registry.MIXTURES:
        lines += [f"Protocol: {m['protocol']}. A sample is high quality within 3 std of its nearest mode; "
                  "a mode is captured when it has at least one high-quality sample.", "",
                  "| seed | modes | high-quality | KL(modes hist. || uniform) |", "|---|---|---|---|"]
        for s in m["per_seed"]:
            kl = "inf (no high-quality sample)" if s["kl"] is None else f"{s['kl']:.4f}"
            lines.append(f"| {s['seed']} | {s['modes']}/{m['num_modes']} | {s['high_quality']:.4f} | {kl} |")
        kl = "inf" if m["kl_mean"] is None else f"{m['kl_mean']:.4f}"
        lines.append(f"| mean | {m['modes_mean']:.1f}/{m['num_modes']} | {m['high_quality_mean']:.4f} | {kl} |")
    else:
        lines += [f"Protocol: {m['protocol']}; features of the shipped classifier "
                  "(`zoo/fashion_mnist_classifier`).", "",
                  "| Frechet distance | precision | recall | density | coverage |", "|---|---|---|---|---|",
                  f"| {m['frechet_distance']:.4f} | {m['precision']:.4f} | {m['recall']:.4f} | {m['density']:.4f} | {m['coverage']:.4f} |",
                  "", "Real-vs-real floor in the same feature space (from the classifier's card, 10k vs 10k): "
                  "Frechet distance 0.0124-0.0170, precision 0.88-0.89, recall 0.88-0.89, density ~1.0, coverage 0.97. "
                  "Our 5k-vs-5k estimate is biased upwards a little more than the 10k floor."]
        if "class_frequencies" in m:
            lines += ["", class_balance_sentence(m)]
        if "linear_probe_accuracy" in m:
            lines += ["", f"Encoder representation ({m['probe_protocol']}): linear-probe accuracy "
                      f"**{m['linear_probe_accuracy']:.4f}**, 1-NN accuracy **{m['knn1_accuracy']:.4f}**"]
            if "random_encoder_linear_probe_accuracy" in m:
                lines[-1] += (f"; randomly initialised encoders of the same architecture: "
                              f"{m['random_encoder_linear_probe_accuracy']:.4f} and "
                              f"{m['random_encoder_knn1_accuracy']:.4f}")
            lines[-1] += "."
    sweep, tried = _recipes_tried(name, r["data"])
    if tried:
        lines += ["", "## Recipes tried", "",
                  f"Trials of this preset in the sweep of `{sweep.relative_to(ROOT)}` (same protocol; "
                  "each command reproduces its row):", "", *tried]
    lines += ["", "## Files", "", "| file | sha256 |", "|---|---|"]
    for fname, info in sorted(preset["files"].items()):
        lines.append(f"| `{fname}` | `{info['sha256']}` |")
    lines += ["", "`reference.npz` holds a fixed latent batch (`z`, `model.latent_batch(4, seed=1234)`) and the "
              "generator's outputs `x` when the preset was made; the tests check every backend reproduces them "
              "to 1e-5.", "", "## References", ""]
    lines += [f"- {_family(r).reference}",
              "- Lin et al., 2018. PacGAN (mode-coverage protocol). https://arxiv.org/abs/1712.04086"
              if r["data"] in registry.MIXTURES else
              "- Xiao, Rasul and Vollgraf, 2017. Fashion-MNIST. https://arxiv.org/abs/1708.07747", ""]
    return "\n".join(lines)


# -------------------------------------------------------------------- train --

def _backed_up_epochs(backup_dir):
    """The epochs a `BackupAndRestore` folder holds (0 when there is none)."""
    state = Path(backup_dir) / "state.json"
    return json.loads(state.read_text())["epoch"] if state.is_file() else 0


def claim_backup(backup_dir, recipe):
    """Ties `backup_dir` to `recipe` (its `recipe.json`), so that a rerun
    resumes only the run it was written for: a backup of another recipe
    (say, an interrupted trial with other `--set` values) is refused."""
    backup_dir = Path(backup_dir)
    claim = backup_dir / "recipe.json"
    if claim.is_file():
        if json.loads(claim.read_text()) != json.loads(json.dumps(recipe)):
            raise SystemExit(f"{backup_dir} holds an interrupted run of another recipe ({claim.read_text().strip()}); "
                             "rerun that command to finish it, or remove the folder to start this one.")
        return
    backup_dir.mkdir(parents=True, exist_ok=True)
    claim.write_text(json.dumps(recipe, sort_keys=True) + "\n")


def train_builders_recipe(recipe, backup_dir):
    """Trains a `keras_fgan.builders` recipe; returns (model, history, wall
    seconds, epochs restored from a backup). Each phase (the epochs at the
    recipe's rates, then the `decay_epochs` at a tenth of them) is
    resumable: rerunning the same command after an interruption continues
    from the last finished epoch (`BackupAndRestore` under `backup_dir`);
    the wall time is then this run's only. The backup is kept: the caller
    removes it (`discard_backup`) once the results are saved, so that a run
    whose evaluation fails is not trained again."""
    import keras

    from keras_fgan import builders
    from keras_fgan.checkpointing import BackupAndRestore

    restored = _backed_up_epochs(Path(backup_dir) / "main") + _backed_up_epochs(Path(backup_dir) / "decay")
    keras.utils.set_random_seed(recipe["seed"])
    model = builders.from_recipe(recipe)
    x = _training_data(recipe)
    start = time.time()
    decay = int(recipe.get("decay_epochs") or 0)
    history = model.fit(x, batch_size=recipe["batch_size"], epochs=recipe["epochs"] - decay, verbose=0,
                        callbacks=[BackupAndRestore(Path(backup_dir) / "main", delete_on_finish=False)])
    if decay:
        # The last `decay_epochs` epochs at a tenth of the learning rates: sharper modes.
        for opt in (model.d_optimizer, model.g_optimizer):
            opt.learning_rate = float(opt.learning_rate) * 0.1
        history = model.fit(x, batch_size=recipe["batch_size"], epochs=decay, verbose=0,
                            callbacks=[BackupAndRestore(Path(backup_dir) / "decay", delete_on_finish=False)])
    return model, history, time.time() - start, restored


def train_preset(name, epochs=None, out_root=ZOO, overrides=None, backups=BACKUPS):
    import keras

    from keras_fgan import builders

    recipe = dict(PRESETS[name])
    if epochs is not None:
        recipe["epochs"] = epochs
    recipe.update(overrides or {})
    out = Path(out_root) / name
    out.mkdir(parents=True, exist_ok=True)
    # Resumable: rerunning the same command continues from the last epoch.
    claim_backup(Path(backups) / name, recipe)
    if _is_mlp_recipe(recipe):
        from keras_fgan.checkpointing import BackupAndRestore

        backup = BackupAndRestore(Path(backups) / name, delete_on_finish=False)
        restored = _backed_up_epochs(Path(backups) / name)
        model, wall = mc2d.train(recipe, recipe["data"], recipe["seed"], callbacks=[backup])
        history = model.history
        export = mc2d.build(recipe, recipe["seed"])
    else:
        model, history, wall, restored = train_builders_recipe(recipe, Path(backups) / name)
        export = builders.from_recipe(recipe, compile=False)
    # An uncompiled copy: networks and weights only, no optimizer state.
    export.set_weights(model.get_weights())
    export.save(out / "model.keras")
    model = keras.saving.load_model(out / "model.keras", safe_mode=True)
    np.savez(out / "reference.npz", **_reference(model, recipe))
    _samples_png(model, recipe, out / "samples.png", name)
    metrics = evaluate(model, recipe)
    last = {k: round(float(v[-1]), 4) for k, v in history.history.items()}
    preset = {
        "name": name,
        "class": _family(recipe).class_name,
        "description": f"{_title(name, recipe)} on {recipe['data']}",
        "recipe": recipe,
        "metrics": metrics,
        "training": {
            "wall_time_s": round(wall, 1),
            "backend": keras.backend.backend(),
            "keras": keras.__version__,
            "machine": machine(),
            "date": datetime.date.today().isoformat(),
            "final_logs": last,
            "command": reproduce_command(name, recipe, keras.backend.backend()),
        },
        "files": {},
    }
    if restored:
        preset["training"]["resumed_after_epochs"] = restored
    for fname in ("model.keras", "reference.npz", "samples.png"):
        preset["files"][fname] = file_record(out / fname)
    (out / "README.md").write_text(model_card(name, preset))
    preset["files"]["README.md"] = file_record(out / "README.md")
    write_preset_json(out / "preset.json", preset)
    discard_backup(Path(backups) / name)
    return preset


def discard_backup(backup_dir):
    """Removes a finished run's backup once its results are saved. Until
    then it stays: rerunning the command after a failure past the training
    (say, in the evaluation) restores the trained model without training."""
    shutil.rmtree(backup_dir, ignore_errors=True)


def write_preset_json(path, preset):
    """Writes a preset.json atomically: an interrupted write leaves the old one."""
    tmp = Path(path).with_suffix(".json.tmp")
    tmp.write_text(json.dumps(preset, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


def reevaluate(name, out_root=ZOO):
    """Recomputes a trained preset's metrics from its saved `model.keras`
    (after the evaluation protocol gained a metric, say); its weights,
    files and training record stay as they are. Run it on the backend the
    preset was trained on (`training.backend`) to reproduce its figures
    exactly. `recard` then rewrites the card."""
    import keras

    path = Path(out_root) / name / "preset.json"
    preset = json.loads(path.read_text())
    model = keras.saving.load_model(path.parent / "model.keras", safe_mode=True)
    preset["metrics"] = evaluate(model, preset["recipe"])
    write_preset_json(path, preset)
    return preset


def recard(out_root=ZOO):
    """Rewrites every preset's README.md from its preset.json (and the
    README's sha256 in preset.json), e.g. after a change to the card text."""
    for path in sorted(Path(out_root).glob("*/preset.json")):
        preset = json.loads(path.read_text())
        if preset["class"] == "Classifier":
            continue
        preset["files"].pop("README.md", None)
        preset["training"]["command"] = reproduce_command(preset["name"], preset["recipe"], preset["training"]["backend"])
        card = path.parent / "README.md"
        card.write_text(model_card(preset["name"], preset))
        preset["files"]["README.md"] = file_record(card)
        write_preset_json(path, preset)


def write_classifier_preset(out_root=ZOO):
    """Writes `zoo/fashion_mnist_classifier/preset.json` (files and sha256) for
    the classifier trained by scripts/train_classifier.py."""
    directory = Path(out_root) / "fashion_mnist_classifier"
    config = json.loads((directory / "config.json").read_text())
    files = {}
    for fname in ("classifier.weights.h5", "classifier.weights.h5.sha256", "config.json", "README.md"):
        files[fname] = file_record(directory / fname)
    preset = {
        "name": "fashion_mnist_classifier",
        "class": "Classifier",
        "description": "Fashion-MNIST classifier whose features define the Frechet distance, "
                       "precision/recall and density/coverage",
        "recipe": {"data": "fashion_mnist", "architecture": config.get("architecture")},
        "metrics": {**config.get("metrics", {}), "real_vs_real": config.get("reference_metrics")},
        "training": {"command": "KERAS_BACKEND=tensorflow python scripts/train_classifier.py"},
        "files": files,
    }
    (directory / "preset.json").write_text(json.dumps(preset, indent=2, sort_keys=True) + "\n")
    return preset


def write_index(out_root=ZOO):
    """Writes `index.json` of a zoo folder and, for the repository's `zoo/`,
    the registry packaged inside keras_fgan (the trust root every download is
    checked against; tests/test_zoo.py checks it against `zoo/`) and the
    data package's list of packages."""
    from keras_fgan import zoo

    if Path(out_root).resolve() == ZOO.resolve():
        zoo.write_index(out_root, zoo.REGISTRY_PATH)
        write_data_package_list(out_root)
    return zoo.write_index(out_root)


def data_package_list(out_root=ZOO):
    """The `packages` of zoo/pyproject.toml: `keras_fgan_zoo` and one
    subpackage per preset folder, so that setuptools ships each folder's
    files as that package's data (a folder it is not told about is a
    warning per folder, to become an error)."""
    folders = sorted(p.parent.name for p in Path(out_root).glob("*/preset.json"))
    return ["keras_fgan_zoo"] + [f"keras_fgan_zoo.{name}" for name in folders]


def write_data_package_list(out_root=ZOO):
    path = Path(out_root) / "pyproject.toml"
    items = "".join(f'    "{name}",\n' for name in data_package_list(out_root))
    text = re.sub(r"(?ms)^packages = \[.*?^\]\n", lambda _: f"packages = [\n{items}]\n", path.read_text(), count=1)
    path.write_text(text)


# Frechet distance (shipped classifier's features, 5,000 samples) below which the
# samples of a Fashion-MNIST preset read as garments with fine detail missing, and
# above which they are blurred, partly formed shapes, and above that blobs
# (judged on samples.png files: FD 3.1-3.3 vs 5.3-8.0 vs 17.9). The zoo's
# target is keras_fgan.zoo.targets.IMAGE_FRECHET_DISTANCE.
IMAGE_FD_RECOGNISABLE = 4.0
IMAGE_FD_PARTLY_FORMED = 12.0


def _image_budget_verdict(preset):
    """The opening sentence of an image preset's card: its training budget and
    what its measured Frechet distance says about the samples."""
    r, m = preset["recipe"], preset["metrics"]
    images = r.get("limit") or 60000
    budget = (f"**Budget**: {r['epochs']} epoch{'s' if r['epochs'] != 1 else ''} over {images:,} images "
              f"({_generator_steps(preset):,} generator steps, batch {r['batch_size']})"
              + (f" with generator EMA {r['ema']}" if r.get("ema") else "") + f", width {r['width']} (machine below).")
    fd = m["frechet_distance"]
    if fd <= targets.IMAGE_FRECHET_DISTANCE:
        met = targets.meets_image_target(m)
        quality = (f"Frechet distance {fd:.2f}, precision {m['precision']:.2f} and recall {m['recall']:.2f} "
                   f"{'meet' if met else 'miss'} the zoo's target (Frechet distance at most "
                   f"{targets.IMAGE_FRECHET_DISTANCE} with precision at least {targets.IMAGE_PRECISION} and recall at "
                   f"least {targets.IMAGE_RECALL}).")
    elif fd <= IMAGE_FD_RECOGNISABLE:
        quality = (f"Recognisable garments with fine detail missing; not converged: Frechet distance {fd:.2f}, "
                   f"where the zoo's target is {targets.IMAGE_FRECHET_DISTANCE}.")
    elif fd <= IMAGE_FD_PARTLY_FORMED:
        quality = (f"Far from converged (Frechet distance {fd:.2f}, target {targets.IMAGE_FRECHET_DISTANCE}): expect blurred, "
                   "partly formed garments.")
    else:
        quality = (f"Far from converged (Frechet distance {fd:.2f}, target {targets.IMAGE_FRECHET_DISTANCE}): the samples are "
                   "blobs in roughly garment-like shapes.")
    return f"{budget} {quality}"


def class_balance_sentence(metrics):
    """How evenly an image preset's samples cover the ten classes, from its
    metrics (`kf.evaluation.class_balance` of the card's samples)."""
    fake, real = (np.asarray(metrics["class_frequencies"][k]) for k in ("fake", "real"))
    ratio = fake / np.maximum(real, 1e-12)
    over, under = int(np.argmax(ratio)), int(np.argmin(ratio))
    names = datasets.FASHION_MNIST_CLASSES
    return (f"Class balance (`kf.evaluation.class_balance`: the shipped classifier's labels of the same samples "
            f"and test images): KL {metrics['class_kl']:.4f} nats from the test images' class histogram (5,000 "
            f"training images instead of samples: 0.001-0.0025). Most over-drawn: {names[over]}, {fake[over]:.1%} of the samples "
            f"against {real[over]:.1%} of the test images; most under-drawn: {names[under]}, {fake[under]:.1%} "
            f"against {real[under]:.1%}.")


def _generator_steps(preset):
    """Generator updates in a preset's training: one per batch."""
    recipe = preset["recipe"]
    if _is_mlp_recipe(recipe):
        return recipe["steps"]
    if recipe["data"] in registry.MIXTURES:
        return recipe["epochs"] * -(-recipe["n"] // recipe["batch_size"])
    images = recipe.get("limit") or 60000
    return recipe["epochs"] * -(-images // recipe["batch_size"])


def _wall(training):
    """A preset's training wall time for the tables: a run resumed from a
    backup counts only its last part."""
    resumed = training.get("resumed_after_epochs")
    return f"{training['wall_time_s']}" + (f" (after {resumed} epochs resumed)" if resumed else "")


def write_zoo_readme(out_root=ZOO):
    """Writes zoo/README.md: the table of every preset and its measured figures."""
    out_root = Path(out_root)
    presets = [json.loads(p.read_text()) for p in sorted(out_root.glob("*/preset.json"))]
    plane = [p for p in presets if p["recipe"].get("data") in registry.MIXTURES]
    images = [p for p in presets if p["class"] != "Classifier" and p["recipe"].get("data") not in registry.MIXTURES]
    trained_divs = sorted(p["recipe"]["divergence"] for p in images if "divergence" in p["recipe"])
    missing = [d for d in DIVERGENCES if d not in trained_divs]
    met = sum(p["metrics"]["meets_target"] for p in plane)
    reached = sum(reaches_pacgan_gan(p) for p in plane)
    tuned = ", ".join(f"`{n}`" for n in sorted(PLANE_TUNED))
    trained_on = collections.Counter(p["training"]["backend"] for p in presets if "backend" in p.get("training", {}))
    backends = ", ".join(f"{name}: {count} preset{'s' * (count != 1)}" for name, count in trained_on.most_common())
    lines = [
        "# Model zoo", "",
        "Pretrained presets of keras-fgan, one folder each: `preset.json` (recipe, files with sha256, metrics), "
        "`model.keras`, `README.md` (model card), `samples.png`, `reference.npz` (fixed latents and outputs "
        "checked on every backend).", "",
        "```python", "import keras_fgan as kf", "kf.zoo.list_presets()",
        'model = kf.zoo.load("gan_ring"); kf.zoo.load_generator("wgan_gp_fashion_mnist")',
        'kf.zoo.load_encoder("bigan_fashion_mnist"); kf.WGAN.from_preset("wgan_gp_ring")',
        "```", "",
        "The registry (names, classes, recipes, headline metrics, each file's size and sha256) ships inside "
        "keras_fgan (`keras_fgan/zoo/registry.json`, written with `index.json` here by this script). Files come "
        "from `$KERAS_FGAN_ZOO_URL` (https/http/file URL or a folder), else a local copy (this folder in a "
        "checkout, or this folder installed as a data package with `pip install ./zoo`), else the release "
        "location; each is checked against the packaged sha256 and cached in `$KERAS_HOME/keras_fgan/zoo/<preset>/`. "
        "Command line: `keras-fgan zoo list | show NAME | download NAME|all`.", "",
        "Every preset was trained by `KERAS_BACKEND=<backend> python scripts/train_zoo.py --preset NAME` "
        f"({backends}) on a 2-core x86_64 CPU shared with other jobs (no GPU), "
        "on a small budget; backend, wall time and the exact command in the cards.", "",
        "## 2-D mixtures (ring: 8 modes, grid: 25 modes)", "",
        f"Target: all modes captured with at least {targets.MIXTURE_HIGH_QUALITY:.0%} high-quality samples on each of 5 "
        "evaluation seeds "
        f"(2,500 samples each). **{met} of {len(plane)} presets meet it**; every card says plainly whether its "
        "preset does, with the per-seed figures. The column *PacGAN's GAN* asks for less: at least the mode count "
        f"of PacGAN's plain GAN (Table 1: 6.3 of 8 on the ring, 17.3 of 25 on the grid) with at least "
        f"{targets.MIXTURE_HIGH_QUALITY:.0%} "
        f"high-quality samples on every evaluation seed; **{reached} of {len(plane)} reach it**.", "",
        "The base recipe (`PLANE_BASE` in `scripts/train_zoo.py`): MLPs of width 128 and depth 3, latent 8, Adam "
        "at 1e-3 (WGAN-clip 5e-4), batch 512, 20,000 points, 80 epochs (WGAN: 25, with 5 critic steps), the "
        "last quarter at a tenth of the learning rates: far fewer steps than published 2-D results use, and the "
        "high-quality fraction (within 3 std of a mode: 0.03 on the ring, 0.15 on the grid) suffers most, as "
        "generators draw thin bridges between modes (see the scatter plots). "
        f"The presets {tuned} depart from it where the sweep of "
        "`benchmarks/results/plane_presets_sweep.md` found better (`PLANE_TUNED`; each card lists every setting, "
        "and its preset's rows of the sweep): mostly the README example's recipe (latent 2, batch 256, Adam "
        "beta_1 0.5, discriminator and generator rates 4e-3 and 1e-3), with lower rates, a generator EMA, more "
        "epochs, an R1 penalty on the discriminator (the GAN and the BiGAN on the grid, most f-GANs; "
        "gamma 1, or 0.1 where that did better), gan_toy.py's penalty weight 0.1 (WGAN-GP), a clipping "
        "bound of 0.1 (WGAN-clip; 1.0 on the grid) and gan_toy.py's width of 512 (the WGAN grids) where "
        "those did better. The f-GAN with the `gan` or `jensen_shannon` divergence optimises the same "
        "objective as the GAN up to constants, and with the same seed gives nearly the same figures.", "",
        "The PacGAN-style presets (`pacgan_*`) follow the recipes of `benchmarks/mode_coverage_2d.py`: PacGAN's "
        "networks (generator 4x400 ReLU, without PacGAN's BatchNorm, which cost high-quality samples here; "
        "discriminator 3x200, packing 2), Adam with a cosine-decayed "
        "rate, generator EMA; their cards give every setting. The column *beyond PacGAN* asks for all modes with "
        "at least 97% (ring) / 95% (grid) high-quality samples on every evaluation seed, which goes beyond every "
        "row of PacGAN's Table 1 (ring: GAN 6.3/8 at 98.2%, PacGAN3 7.8 at 97.7%; grid: ALI 24.1/25 at 95.7%, "
        "PacGAN4 24.8 at 93.6%).", "",
        "The best recipe per mixture retrained from 5 training seeds (`benchmarks/mode_coverage_2d.py`; "
        "each seed scored on the 5 evaluation seeds), beside the mean mode count and quality of PacGAN's best "
        "rows:", "",
        *seed_benchmark_lines(), "",
        "| preset | generator steps | modes (min / mean) | high-quality (min / mean) | "
        f"target ({targets.MIXTURE_HIGH_QUALITY:.0%}) | "
        "PacGAN's GAN | beyond PacGAN | train s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for p in plane:
        m = p["metrics"]
        lines.append(f"| [{p['name']}]({p['name']}/README.md) | {_generator_steps(p)} | "
                     f"{m['modes_min']} / {m['modes_mean']:.1f} of {m['num_modes']} | "
                     f"{m['high_quality_min']:.3f} / {m['high_quality_mean']:.3f} | {'yes' if m['meets_target'] else 'no'} | "
                     f"{'yes' if reaches_pacgan_gan(p) else 'no'} | "
                     f"{'yes' if beyond_pacgan(p) else 'no'} | {_wall(p['training'])} |")
    lines += ["", "## Fashion-MNIST (dcgan28 networks, width 32)", "",
              "Trained for the epochs listed, on all 60,000 training images unless the epochs column names "
              "fewer (a WGAN epoch updates its critic `n_critic` times per batch: see each card's recipe), on the "
              "shared 2-core CPU; the presets of 30 epochs or more use a generator EMA, and "
              + "; ".join(f"`{p['name']}` trains its last {p['recipe']['decay_epochs']} of {p['recipe']['epochs']} "
                          "epochs" for p in images if p["recipe"].get("decay_epochs"))
              + " at a tenth of the rates. The zoo's target is Frechet distance "
              f"{targets.IMAGE_FRECHET_DISTANCE} with precision >= {targets.IMAGE_PRECISION} and recall >= {targets.IMAGE_RECALL}. Every recipe tried for them, the shipped ones included, is in "
              "the sweep of `benchmarks/results/fashion_mnist_presets_sweep.md` (each card lists its preset's rows). The "
              "BiGAN has a 16-d code (see benchmarks/results/bigan_fashion_mnist_latent16.md); its 'other' "
              "column gives the probes on its encoder and, in brackets, on randomly initialised encoders of the "
              "same architecture. Metrics: `evaluate_model(model, 'fashion_mnist', num_samples=5000)` in the "
              "shipped classifier's feature space; the real-vs-real floor (10k vs 10k) is Frechet distance 0.012-0.017, "
              "precision/recall 0.88-0.89, density ~1.0, coverage 0.97.", "",
              "The column *class KL* is the KL divergence of the samples' class histogram from the test images' "
              "(`kf.evaluation.class_balance`; each card names the most over- and under-drawn class).", "",
              "| preset | epochs | latent | Frechet distance | precision | recall | density | coverage | class KL | "
              "other | train s |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for p in images:
        m, recipe = p["metrics"], p["recipe"]
        other = (f"linear probe {m['linear_probe_accuracy']:.3f}, 1-NN {m['knn1_accuracy']:.3f}"
                 if "linear_probe_accuracy" in m else "")
        if "random_encoder_linear_probe_accuracy" in m:
            other += (f" (random encoders: {m['random_encoder_linear_probe_accuracy']:.3f}, "
                      f"{m['random_encoder_knn1_accuracy']:.3f})")
        epochs = f"{recipe['epochs']}" + (f" (first {recipe['limit']:,} images)" if recipe.get("limit") else "")
        lines.append(f"| [{p['name']}]({p['name']}/README.md) | {epochs} | {recipe['latent_dim']} | "
                     f"{m['frechet_distance']:.3f} | {m['precision']:.3f} | "
                     f"{m['recall']:.3f} | {m['density']:.3f} | {m['coverage']:.3f} | "
                     f"{format(m['class_kl'], '.3f') if 'class_kl' in m else ''} | {other} | {_wall(p['training'])} |")
    failed = [p["name"] for p in images if p["metrics"]["precision"] < 0.05]
    if failed:
        lines += ["", f"**Did not learn in this budget** (precision and recall near 0, samples are noise): "
                  f"{', '.join(failed)}. Weight clipping at 0.01 with 5 critic steps needs far more generator "
                  f"steps than the {', '.join(str(_generator_steps(p)) for p in images if p['name'] in failed)} "
                  "it got here."]
    shipped = {p["name"] for p in images}
    not_shipped = [n for n, r in PRESETS.items() if r["data"] not in registry.MIXTURES and n not in shipped]
    untried = (f"**Not trained** (CPU budget; they were not tried on images, so no claim is made either way): "
               f"{', '.join(missing)}. All {len(DIVERGENCES)} divergences have 2-D presets above."
               if missing else f"All {len(DIVERGENCES)} divergences are, as on the 2-D mixtures above.")
    lines += ["", f"f-GAN divergences trained on Fashion-MNIST: {', '.join(trained_divs) or 'none'}. " + untried
              + (f" Image presets defined in `scripts/train_zoo.py` but not trained in time: {', '.join(not_shipped)}."
                 if not_shipped else ""), "",
              "## Other presets", "",
              "- [fashion_mnist_classifier](fashion_mnist_classifier/README.md): the feature extractor of the "
              "image metrics (`kf.zoo.load('fashion_mnist_classifier')`).", ""]
    (out_root / "README.md").write_text("\n".join(lines))
    return out_root / "README.md"


def summary_line(preset):
    m = preset["metrics"]
    if "modes_mean" in m:
        return (f"{preset['name']}: modes {m['modes_min']}/{m['num_modes']} (mean {m['modes_mean']:.1f}) "
                f"HQ {m['high_quality_mean']:.3f} (min {m['high_quality_min']:.3f}) "
                f"target={'yes' if m['meets_target'] else 'NO'} wall {preset['training']['wall_time_s']} s")
    return (f"{preset['name']}: FD {m['frechet_distance']:.4f} P {m['precision']:.3f} R {m['recall']:.3f} "
            f"D {m['density']:.3f} C {m['coverage']:.3f} wall {preset['training']['wall_time_s']} s")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", action="append", help="preset name (repeatable)")
    parser.add_argument("--group", choices=["2d", *registry.PROTOCOLS, "all"])
    parser.add_argument("--epochs", type=int, default=None, help="override the recipe's epochs (for trials)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=JSON",
                        help="override a recipe setting (for trials), e.g. --set d_lr=5e-4")
    parser.add_argument("--out", default=str(ZOO))
    parser.add_argument("--backup-dir", default=str(BACKUPS),
                        help="resumable backups, one folder per preset (another folder lets two trials "
                             "of one preset run at once)")
    parser.add_argument("--skip-existing", action="store_true")
    parser.add_argument("--reverse", action="store_true", help="train in reverse order (extra workers)")
    parser.add_argument("--shard", default=None, help="I/N: train every N-th of the selected presets from I")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--readme", action="store_true",
                        help="rewrite the cards, the classifier's preset.json, index.json and zoo/README.md")
    parser.add_argument("--reevaluate", action="store_true",
                        help="recompute the metrics of the selected trained presets from their model.keras "
                             "(on their training backend), then rewrite the cards, index.json and zoo/README.md")
    parser.add_argument("--classifier", action="store_true",
                        help="(re)write zoo/fashion_mnist_classifier/preset.json from its files")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(PRESETS))
        return 0
    if args.readme:
        recard(args.out)
        write_classifier_preset(args.out)
        write_index(args.out)
        print(write_zoo_readme(args.out))
        return 0
    if args.classifier:
        write_classifier_preset(args.out)
        print(write_index(args.out))
    names = list(args.preset or [])
    if args.group:
        names += [n for n, r in PRESETS.items()
                  if args.group == "all" or r["data"] == args.group
                  or (args.group == "2d" and r["data"] in registry.MIXTURES)]
    if args.reverse:
        names = names[::-1]
    if args.shard:
        index, count = (int(v) for v in args.shard.split("/"))
        names = names[index::count]
    unknown = [n for n in names if n not in PRESETS]
    if unknown:
        parser.error(f"unknown presets {unknown}; see --list")
    if args.reevaluate:
        for name in names:
            print(summary_line(reevaluate(name, args.out)), flush=True)
        recard(args.out)
        write_index(args.out)
        print(write_zoo_readme(args.out))
        return 0
    for name in names:
        if args.skip_existing and (Path(args.out) / name).exists():
            continue  # done, or being trained by another worker
        overrides = {k: json.loads(v) for k, v in (item.split("=", 1) for item in args.set)}
        preset = train_preset(name, args.epochs, args.out, overrides, args.backup_dir)
        print(summary_line(preset), flush=True)
        write_index(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
