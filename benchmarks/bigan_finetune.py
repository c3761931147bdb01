"""BiGAN fine-tuning trial: can R1 or BigBiGAN's unary scores sharpen the
BiGAN preset's samples while its encoder keeps the linear-probe lead?

Issue 20 asks the Fashion-MNIST BiGAN preset for both a Frechet distance
<= 2 and an encoder whose linear probe beats random encoders by >= 10 points.
Trained from the start with an R1 penalty (Mescheder et al. 2018, Eq. 9) or
with unary scores (Donahue and Simonyan 2019, Sec. 2) the BiGAN's samples
improve but the probe's lead falls to 3-7 points; without either the lead is
12.7 points and FD 5.3 (`benchmarks/results/fashion_mnist_presets_sweep.md`).
This trial starts from the shipped `bigan_fashion_mnist` (neither), adds R1
with weight `--gamma` (0: none) on the joint discriminator and, with
`--unary-scores`, the discriminator's scores of x alone and z alone (new
heads on the preset's layers, the rest copied), and trains `--epochs` more
epochs on all 60,000 training images with fresh optimizers at the preset's
rates, with the encoder frozen (`--freeze-encoder`: only G and D learn, so
the probe is the preset's) or trainable. It then scores the result with the
zoo's card protocol (`scripts/train_zoo.py`'s `evaluate`: 5,000 samples,
seed 0, and the encoder probe beside 3 random encoders) and writes a
Markdown record to `benchmarks/results/`.

    KERAS_BACKEND=jax python benchmarks/bigan_finetune.py --gamma 0.1 --epochs 15 --freeze-encoder
    KERAS_BACKEND=jax python benchmarks/bigan_finetune.py --gamma 0 --unary-scores --epochs 15 --freeze-encoder
"""

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

PRESET = "bigan_fashion_mnist"
NETWORKS = ("generator", "encoder", "discriminator", "ema_generator")
SHOWN = ("frechet_distance", "precision", "recall", "class_kl", "linear_probe_accuracy",
         "random_encoder_linear_probe_accuracy")


def copy_preset_weights(model, preset):
    """Copies each network's weights from `preset` into `model` layer by layer,
    by name. Returns the names of `model`'s layers with weights that the
    preset lacks (the unary heads), which keep their fresh initialisation.

    Raises:
        ValueError: a preset layer with weights has no counterpart in `model`.
    """
    fresh = []
    for network in NETWORKS:
        mine, theirs = getattr(model, network), getattr(preset, network)
        sources = {layer.name: layer for layer in theirs.layers if layer.weights}
        for layer in mine.layers:
            if not layer.weights:
                continue
            if layer.name in sources:
                layer.set_weights(sources.pop(layer.name).get_weights())
            else:
                fresh.append(layer.name)
        if sources:
            raise ValueError(f"The fine-tuned {network} lacks the preset's layers {sorted(sources)}.")
    return fresh


def finetune(gamma, epochs, freeze_encoder, backup_dir, limit=None, unary_scores=False):
    """The preset continued for `epochs` epochs on the first `limit` training
    images (all when None), with R1 of weight `gamma` (none when 0) and
    optionally unary scores; returns (model, recipe, wall seconds)."""
    import keras

    import keras_fgan as kf
    import train_zoo
    from keras_fgan import builders
    from keras_fgan.checkpointing import BackupAndRestore

    recipe = dict(train_zoo.PRESETS[PRESET], limit=limit)
    if gamma:
        recipe.update(regularizers=["r1"], gamma=gamma)
    if unary_scores:
        recipe["unary_scores"] = True
    model_keys, compile_keys, _ = builders.split_recipe(recipe)
    keras.utils.set_random_seed(1)
    model = builders.build_model(**model_keys)
    copy_preset_weights(model, kf.zoo.load(PRESET))
    model.encoder.trainable = not freeze_encoder
    builders.compile_model(model, **compile_keys)
    start = time.time()
    model.fit(train_zoo._training_data(recipe), batch_size=recipe["batch_size"], epochs=epochs, verbose=2,
              callbacks=[BackupAndRestore(backup_dir, delete_on_finish=True)])
    model.encoder.trainable = True
    return model, recipe, time.time() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gamma", type=float, default=0.1, help="R1 weight (0: no R1)")
    parser.add_argument("--unary-scores", action="store_true", help="add BigBiGAN's scores of x and z alone")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--freeze-encoder", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    args = parser.parse_args(argv)
    if args.gamma < 0:
        parser.error(f"--gamma must be >= 0; received {args.gamma:g}")
    if not args.gamma and not args.unary_scores:
        parser.error("nothing to fine-tune with: give --gamma > 0, --unary-scores or both")

    import keras

    import train_zoo

    mode = "frozen" if args.freeze_encoder else "trainable"
    changes = [f"r1_g{args.gamma:g}"] * bool(args.gamma) + ["unary"] * args.unary_scores
    name = f"bigan_finetune_{'_'.join(changes)}_{args.epochs}ep_{mode}"
    model, recipe, wall = finetune(args.gamma, args.epochs, args.freeze_encoder,
                                   ROOT / "runs" / "bigan_finetune_backup" / name, unary_scores=args.unary_scores)
    metrics = train_zoo.evaluate(model, recipe)
    lead = 100 * (metrics["linear_probe_accuracy"] - metrics["random_encoder_linear_probe_accuracy"])
    command = (f"KERAS_BACKEND={keras.backend.backend()} python benchmarks/bigan_finetune.py "
               f"--gamma {args.gamma:g}" + " --unary-scores" * args.unary_scores + f" --epochs {args.epochs}"
               + " --freeze-encoder" * args.freeze_encoder)
    title = " and ".join([f"R1 (gamma {args.gamma:g})"] * bool(args.gamma) + ["unary scores"] * args.unary_scores)
    lines = [f"# BiGAN preset + {title}, {args.epochs} more epochs, encoder {mode}", "",
             __doc__.split("\n\n")[1].replace("\n", " ").strip(), "",
             f"Command: `{command}` ({wall:.0f} s of training, {train_zoo.machine()}).", "",
             "| " + " | ".join(SHOWN) + " | probe lead (points) |",
             "|" + "---|" * (len(SHOWN) + 1),
             "| " + " | ".join(f"{metrics[k]:.4f}" for k in SHOWN) + f" | {lead:+.1f} |", "",
             "All figures: " + json.dumps({k: v for k, v in metrics.items() if isinstance(v, float)}), ""]
    out = Path(args.out) / f"{name}.md"
    out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
