"""Search f-GAN divergences on the 2-D grid of 25 Gaussians with KerasTuner.

Each trial trains an f-GAN with one divergence (and sampled learning rates,
Adam betas, latent size and width) and is scored by sample quality, not by a
loss: `score = modes / 25 + high_quality` from `kf.evaluation.mode_coverage`
on 2,500 generated samples (higher is better, at most 2). Failed trials
(training that diverges to NaN) are listed with their reason.

Run:

    python examples/tune_fgan.py --out runs/tune_fgan [--fast] [--tuner random|bayesian|hyperband]

It prints the table of trials and writes it to `trials.txt` under `--out`,
with KerasTuner's project (trials and checkpoints) beside it. `--fast` (for
CI) runs 2 trials of a few training steps each: a smoke test, not a result.
Needs the `tuner` extra: `pip install keras-fgan[tuner]`.
"""

import argparse
import os

import keras_fgan as kf  # kf.tuning is imported on first use (needs keras-tuner)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/tune_fgan", help="output directory")
    parser.add_argument("--fast", action="store_true", help="2 tiny trials (CI smoke test)")
    parser.add_argument("--tuner", default="random", choices=kf.tuning.TUNERS)
    parser.add_argument("--trials", type=int, default=6, help="trials (random, bayesian)")
    parser.add_argument("--epochs", type=int, default=5, help="epochs per trial")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    settings = dict(n_train=10_000, batch_size=128, width=128, depth=3, eval_samples=2500)
    trials, epochs = args.trials, args.epochs
    if args.fast:
        settings = dict(n_train=512, batch_size=128, width=32, depth=2, eval_samples=2500)
        trials, epochs = 2, 1

    os.makedirs(args.out, exist_ok=True)
    rows = kf.tuning.tune(
        "grid",
        args.tuner,
        max_trials=trials,
        epochs=epochs,
        directory=args.out,
        seed=args.seed,
        fixed={"objective": "fgan"},
        project_name="divergences",
        **settings,
    )
    rows.sort(key=lambda row: -1.0 if row["score"] is None else row["score"], reverse=True)
    table = kf.tuning.format_trials(rows)
    print(table)
    path = os.path.join(args.out, "trials.txt")
    with open(path, "w") as f:
        f.write(table + "\n")
    completed = [row for row in rows if row["status"] == "COMPLETED"]
    if completed:
        best = completed[0]
        print(
            f"\nbest: trial {best['trial_id']}, divergence "
            f"{best['hyperparameters']['divergence']}, score {best['score']:.3f} "
            f"({best['metrics']['modes']:.0f}/25 modes, "
            f"{best['metrics']['high_quality']:.1%} high quality)"
        )
    print(f"wrote {path} (KerasTuner's project: {os.path.join(args.out, 'divergences')})")
    return rows


if __name__ == "__main__":
    main()
