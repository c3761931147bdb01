"""Mode coverage on the 2-D ring and grid over several training seeds.

The PacGAN / VEEGAN protocol (`kf.evaluation.mode_coverage`): after training,
2,500 generated samples; a sample is high quality within 3 standard
deviations of its nearest mode (0.03 on the ring, 0.15 on the grid); a mode
is captured when a high-quality sample is nearest to it. For each recipe and
training seed this trains a model through the public API, scores it on the
5 evaluation seeds of the zoo (`generate(2500, seed=s)`, s = 0..4) and writes
a Markdown table, per training seed and as mean (min-max) over the seeds,
beside PacGAN's Table 1, to `--out`/mode_coverage_2d_<recipe>_<data>.md.

    KERAS_BACKEND=jax python benchmarks/mode_coverage_2d.py --recipe pacgan --data ring --seeds 5
    KERAS_BACKEND=jax python benchmarks/mode_coverage_2d.py --preset gan_minimax_grid --seeds 5
    KERAS_BACKEND=jax python benchmarks/mode_coverage_2d.py --list

`--preset NAME` trains a 2-D zoo preset's own recipe (`PRESETS` of
`scripts/train_zoo.py`, the `keras_fgan.builders` recipes of `keras-fgan
train`) with training seeds 0..N-1 in place of its seed, through the
function that trained the preset: the 5-training-seed check of a preset.

Resumable: each finished training seed is recorded in a JSON file beside
the report (`..._<recipe>_<data><tag>.json`), and the report is rewritten
after every seed, so a long run (the grid at 200k steps is about an hour
per seed on one core) can be spread over several sessions: rerunning the
same command skips the recorded seeds. Seeds recorded by another process
(say, `--first-seed 3 --seeds 2` on a second core) are merged, not
overwritten. Within a seed, training resumes
from its last epoch (`kf.checkpointing.BackupAndRestore` under
`--backup-dir`, tied to its recipe, mixture and seed). A record written for
another recipe or mixture is refused. When every seed asked for is recorded,
the command only rewrites the report from the record.

Recipes (`RECIPES`; `scripts/train_zoo.py` trains the zoo presets from the
same table):

- `pacgan`: PacGAN's 2-D setup (Lin et al. 2018, Sec. 6 and App. C):
  generator 4x400 ReLU (their BatchNorm cost high-quality samples here, see
  `PACGAN_NETS`), discriminator 3x200 (LeakyReLU 0.2 in place of maxout),
  packing 2, batch 100, Adam(beta_1 0.8); here with a generator EMA (Yazici
  et al. 2019) and a rate of 5e-4 (theirs: 1e-4 for 400k steps)
  cosine-decayed to 1% over a 20k-step run, which the CPU budget allows.
- `r3gan`: the R3GAN objective (Huang et al. 2024): relativistic loss with
  R1 and R2, on the same networks and packing.
- `gan` / `fgan_kl`: the first version of this benchmark (the test suite's
  ring recipe: MLPs of width 128, two time-scale Adam), kept for comparison.

References:
    Lin, Khetan, Fanti, Oh. "PacGAN: The power of two samples in generative
    adversarial networks." NeurIPS 2018, Table 1.
    Srivastava et al. "VEEGAN: Reducing Mode Collapse in GANs using Implicit
    Variational Learning." NeurIPS 2017, Table 1.
    Yazici et al. "The Unusual Effectiveness of Averaging in GAN Training."
    ICLR 2019.
    Huang, Gokaslan, Kuleshov, Tompkin. "The GAN is dead; long live the GAN!
    A Modern GAN Baseline." NeurIPS 2024.
"""

import argparse
import json
import os
import platform
import shlex
import sys
import time

import keras
import numpy as np

import keras_fgan as kf

EVAL_SEEDS = (0, 1, 2, 3, 4)
STEPS_PER_EPOCH = 200  # the training set is this many batches: one epoch per 200 generator steps
STEPS_PER_EXECUTION = 20  # steps per compiled call (JAX/TensorFlow): ~1.5x faster on these MLPs
# PacGAN's generator has BatchNorm; here it cost HQ (ring, 10k steps, seed 0:
# 60.0% with it, 67.4% without), so the recipes leave it out (`batch_norm`).
PACGAN_NETS = dict(latent_dim=2, g_width=400, g_depth=4, batch_norm=False, d_width=200, d_depth=3)
RECIPES = {
    "pacgan": dict(PACGAN_NETS, loss="non_saturating", regularizers={}, pack=2, ema=0.999,
                   batch_size=100, steps=20000, lr=5e-4, beta_1=0.8, beta_2=0.999, decay_to=0.01),
    "r3gan": dict(PACGAN_NETS, loss="relativistic", regularizers={"r1": 0.1, "r2": 0.1}, pack=2,
                  ema=0.999, batch_size=100, steps=20000, lr=1e-4, beta_1=0.5, beta_2=0.99,
                  decay_to=0.01),
    "gan": dict(latent_dim=8, g_width=128, g_depth=3, batch_norm=False, d_width=128, d_depth=3,
                loss="non_saturating", regularizers={}, pack=1, ema=None, batch_size=128,
                steps=4680, lr=5e-4, d_lr_ratio=4.0, beta_1=0.5, beta_2=0.999, decay_to=0.05),
}
PUBLISHED = """Published (Lin et al. 2018, PacGAN Table 1; 2,500 samples, 10 trials each,
their networks and 400k-step budget):

| mixture | method | modes | high-quality |
|---|---|---|---|
| ring (8) | GAN | 6.3 | 98.2% |
| ring (8) | PacGAN2 | 7.9 | 95.6% |
| ring (8) | PacGAN3 | 7.8 | 97.7% |
| ring (8) | PacGAN4 | 7.8 | 95.9% |
| grid (25) | GAN | 17.3 | 94.8% |
| grid (25) | ALI | 24.1 | 95.7% |
| grid (25) | PacGAN2 | 23.8 | 91.3% |
| grid (25) | PacGAN3 | 24.6 | 94.2% |
| grid (25) | PacGAN4 | 24.8 | 93.6% |
"""


def recipe_with(name, overrides=()):
    """`RECIPES[name]` with `KEY=JSON` overrides applied (unknown keys refused)."""
    recipe = dict(RECIPES[name])
    for item in overrides:
        key, value = item.split("=", 1)
        if key not in recipe and key not in ("d_lr_ratio", "d_steps"):
            raise ValueError(f"Unknown recipe key {key!r}. Valid: {', '.join(sorted(recipe))}.")
        recipe[key] = json.loads(value)
    return recipe


def build(recipe, seed):
    """The adversarial model of a recipe, built and compiled (uncompiled
    models are what the zoo saves)."""
    generator = kf.networks.mlp_generator(
        recipe["latent_dim"], 2, width=recipe["g_width"], depth=recipe["g_depth"],
        batch_norm=recipe["batch_norm"])
    discriminator = kf.networks.mlp_discriminator(
        2, width=recipe["d_width"], depth=recipe["d_depth"], pack=recipe["pack"])
    regs = [kf.regularizers.get({"name": k, "gamma": g}) for k, g in sorted(recipe["regularizers"].items())]
    return kf.AdversarialModel(
        generator, discriminator, loss=recipe["loss"], regularizers=regs, pack=recipe["pack"],
        ema=recipe["ema"], d_steps=recipe.get("d_steps", 1), seed=seed)


def optimizers(recipe):
    """(d, g) Adam optimizers with the recipe's rates, cosine-decayed to
    `decay_to` of their initial value over the run."""

    def adam(rate):
        schedule = keras.optimizers.schedules.CosineDecay(rate, recipe["steps"], alpha=recipe["decay_to"])
        return keras.optimizers.Adam(schedule, beta_1=recipe["beta_1"], beta_2=recipe["beta_2"])

    return adam(recipe["lr"] * recipe.get("d_lr_ratio", 1.0)), adam(recipe["lr"])


def train(recipe, data, seed, callbacks=(), steps_per_execution=STEPS_PER_EXECUTION, verbose=0):
    """Trains a recipe from one seed; returns `(model, wall seconds)`.

    The data are `STEPS_PER_EPOCH * batch_size` points of the mixture, so
    the run is `steps` generator updates in `steps / STEPS_PER_EPOCH` epochs
    (`callbacks`, e.g. a `kf.checkpointing.BackupAndRestore`, run per epoch).
    """
    keras.utils.set_random_seed(seed)
    x = kf.datasets.load(data, n=STEPS_PER_EPOCH * recipe["batch_size"], seed=seed)
    model = build(recipe, seed)
    d_opt, g_opt = optimizers(recipe)
    model.compile(d_optimizer=d_opt, g_optimizer=g_opt, steps_per_execution=steps_per_execution)
    start = time.perf_counter()
    model.fit(x, batch_size=recipe["batch_size"], epochs=recipe["steps"] // STEPS_PER_EPOCH,
              callbacks=list(callbacks), verbose=verbose)
    return model, time.perf_counter() - start


def _train_zoo():
    """`scripts/train_zoo.py`, imported on first use (it imports this module)."""
    scripts = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    import train_zoo

    return train_zoo


def preset_recipe(name, overrides=()):
    """The recipe of the 2-D zoo preset `name` without its training seed,
    with `KEY=JSON` overrides applied (checked when the model is built)."""
    train_zoo = _train_zoo()
    presets = train_zoo.PRESETS
    plane = sorted(n for n, r in presets.items() if r["data"] in ("ring", "grid") and not train_zoo._is_mlp_recipe(r))
    if name not in plane:
        hint = " (the pacgan_* presets: --recipe pacgan)" if name in presets else ""
        raise ValueError(f"Unknown 2-D preset {name!r}{hint}. Valid: {', '.join(plane)}.")
    recipe = {k: v for k, v in presets[name].items() if k != "seed"}
    for item in overrides:
        key, value = item.split("=", 1)
        recipe[key] = json.loads(value)
    return recipe


def train_preset(recipe, seed, backup_dir):
    """Trains a zoo preset's recipe from training seed `seed` as
    `scripts/train_zoo.py` trains the preset (resumable under
    `backup_dir`); returns `(model, wall seconds)`."""
    model, _, seconds, _ = _train_zoo().train_builders_recipe(dict(recipe, seed=seed), backup_dir)
    return model, seconds


class CoverageLog(keras.callbacks.Callback):
    """Prints the mode coverage of `generate(2500, seed=0)` every `every`
    epochs (a learning curve of one run)."""

    def __init__(self, data, every):
        super().__init__()
        self.data, self.every, self.start = data, every, time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            centres, _ = kf.datasets.mixture_modes(self.data)
            parts = []
            z = self.model.latent_batch(2500, seed=0)
            nets = {"generator": self.model.generator, "ema": self.model.ema_generator}
            for label, net in nets.items():
                if net is None:
                    continue
                x = np.asarray(net.predict(z, verbose=0, batch_size=500))
                r = kf.evaluation.mode_coverage(x, self.data)
                d = np.min(np.linalg.norm(x[:, None] - centres[None], axis=-1), axis=1)
                parts.append(f"{label} {r['modes']} modes {100 * r['high_quality']:.1f}% HQ "
                             f"(distance to mode: median {np.median(d):.3f}, 90% {np.quantile(d, 0.9):.3f})")
            print(f"  step {(epoch + 1) * STEPS_PER_EPOCH} ({time.perf_counter() - self.start:.0f} s): "
                  + "; ".join(parts), flush=True)


def score(model, data):
    """Mode coverage on each evaluation seed: a list of dicts."""
    out = []
    for s in EVAL_SEEDS:
        r = kf.evaluation.mode_coverage(model.generate(2500, seed=s), data)
        out.append({"seed": s, "modes": int(r["modes"]), "high_quality": float(r["high_quality"])})
    return out


def table(rows, data):
    num = 8 if data == "ring" else 25
    lines = ["| training seed | modes per evaluation seed | high-quality per evaluation seed | "
             "modes (mean) | high-quality (mean) | train s |", "|---|---|---|---|---|---|"]
    for seed, scores, seconds in rows:
        modes = [s["modes"] for s in scores]
        hq = [100 * s["high_quality"] for s in scores]
        lines.append(f"| {seed} | {', '.join(map(str, modes))} | {', '.join(f'{h:.1f}' for h in hq)} | "
                     f"{np.mean(modes):.1f}/{num} | {np.mean(hq):.1f}% | {seconds:.0f} |")
    m = seed_summary([scores for _, scores, _ in rows])
    lines.append(f"| **mean (min-max) over {m['seeds']} training seeds** | | | **{m['modes']:.2f}** "
                 f"({m['modes_min']:.1f}-{m['modes_max']:.1f}) | **{m['high_quality']:.1f}%** "
                 f"({m['high_quality_min']:.1f}-{m['high_quality_max']:.1f}) | |")
    return "\n".join(lines) + "\n"


def seed_summary(per_seed_scores):
    """Mean over training seeds of the per-seed means (modes; high quality
    in %), with the lowest and highest per-seed mean, from one list of
    evaluation scores per training seed."""
    modes = [np.mean([s["modes"] for s in scores]) for scores in per_seed_scores]
    hq = [100 * np.mean([s["high_quality"] for s in scores]) for scores in per_seed_scores]
    return {"seeds": len(modes), "modes": float(np.mean(modes)), "modes_min": min(modes), "modes_max": max(modes),
            "high_quality": float(np.mean(hq)), "high_quality_min": min(hq), "high_quality_max": max(hq)}


class RunRecord:
    """The finished training seeds of one benchmark run, kept in a JSON file
    (`path`) so that a rerun of the same command skips them."""

    def __init__(self, path, recipe, data):
        self.path, self.recipe, self.data, self.rows = path, recipe, data, {}
        if os.path.isfile(path):
            with open(path) as f:
                saved = json.load(f)
            if saved["recipe"] != recipe or saved["data"] != data:
                raise ValueError(
                    f"{path} records a run of another recipe or mixture ({saved['data']}, "
                    f"{json.dumps(saved['recipe'], sort_keys=True)}); pass another --tag or remove it.")
            self.rows = {int(seed): row for seed, row in saved["seeds"].items()}

    def _saved_rows(self):
        if not os.path.isfile(self.path):
            return {}
        with open(self.path) as f:
            return {int(seed): row for seed, row in json.load(f)["seeds"].items()}

    def add(self, seed, scores, seconds):
        # Seeds another process recorded meanwhile are kept.
        self.rows = {**self._saved_rows(), **self.rows}
        self.rows[seed] = {"scores": scores, "train_s": round(seconds, 1), "backend": keras.backend.backend(),
                           "date": time.strftime("%Y-%m-%d")}
        payload = {"recipe": self.recipe, "data": self.data,
                   "seeds": {str(s): r for s, r in sorted(self.rows.items())}}
        kf.imaging.atomic_write_bytes(self.path, (json.dumps(payload, indent=1, sort_keys=True) + "\n").encode())

    def table_rows(self, seeds):
        return [(s, self.rows[s]["scores"], self.rows[s]["train_s"]) for s in seeds if s in self.rows]


def report(args, argv, recipe, record, seeds):
    """The Markdown report of the recorded seeds among `seeds`."""
    rows = record.table_rows(seeds)
    command = f"KERAS_BACKEND={keras.backend.backend()} python " + shlex.join(["benchmarks/mode_coverage_2d.py", *argv])
    backends = sorted({record.rows[seed]["backend"] for seed, _, _ in rows})
    done = "" if len(rows) == len(seeds) else (
        f"\n**Partial: {len(rows)} of {len(seeds)} training seeds done**; rerunning the command trains the rest.\n")
    what = f"preset `{args.preset}`" if args.preset else f"recipe `{args.recipe}`"
    return f"""# Mode coverage on {args.data}: {what}, {len(seeds)} training seed(s)

Command (repository root): `{command}`
{done}
Machine: {platform.machine()} CPU, {os.cpu_count()} cores shared with other jobs, no GPU;
backend {', '.join(backends)}, Keras {keras.__version__}; training seconds per seed in the table
(for a seed resumed from its backup, those of the last run only).

Recipe: `{json.dumps(recipe, sort_keys=True)}`

Evaluation: for each trained model, `generate(2500, seed=s)` for s = 0..4;
high quality within 3 std of the nearest mode (ring std 0.01, grid std 0.05).

{table(rows, args.data)}
{PUBLISHED}
Our runs are far shorter than PacGAN's (see the recipe: `steps`, or `epochs` of `n`/`batch_size` steps), so the
comparison is with a smaller budget, not like for like.
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", default="pacgan", choices=list(RECIPES))
    parser.add_argument("--preset", help="train this 2-D zoo preset's recipe (scripts/train_zoo.py) "
                        "in place of --recipe; its mixture replaces --data")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=JSON",
                        help="override a recipe setting, e.g. --set steps=40000")
    parser.add_argument("--data", choices=["ring", "grid"], help="the mixture (default ring; a preset's own)")
    parser.add_argument("--seeds", type=int, default=5, help="training seeds 0..N-1")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--steps-per-execution", type=int, default=STEPS_PER_EXECUTION)
    parser.add_argument("--log-every", type=int, default=0,
                        help="print the coverage of seed 0 every N epochs (200 steps each)")
    parser.add_argument("--tag", default="", help="suffix of the result file")
    parser.add_argument("--out", default=os.path.join("benchmarks", "results"))
    parser.add_argument("--backup-dir", default=os.path.join("runs", "mode_coverage_backup"),
                        help="per-seed BackupAndRestore folders of the seed in training")
    parser.add_argument("--list", action="store_true", help="print the recipes and exit")
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    if args.list:
        print(json.dumps(RECIPES, indent=1))
        return 0
    if args.seeds < 1:
        parser.error("--seeds must be at least 1")
    if args.preset:
        try:
            recipe = preset_recipe(args.preset, args.set)
        except ValueError as e:
            parser.error(str(e))
        if args.data not in (None, recipe["data"]):
            parser.error(f"--preset {args.preset} trains on {recipe['data']}, not --data {args.data}")
        if args.log_every:
            parser.error("--log-every is for --recipe runs")
        args.data = recipe["data"]
        stem = f"mode_coverage_2d_{args.preset}{args.tag}"
    else:
        args.data = args.data or "ring"
        recipe = recipe_with(args.recipe, args.set)
        stem = f"mode_coverage_2d_{args.recipe}_{args.data}{args.tag}"
    os.makedirs(args.out, exist_ok=True)
    record = RunRecord(os.path.join(args.out, stem + ".json"), recipe, args.data)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    path = os.path.join(args.out, stem + ".md")
    recorded = set(record.rows)
    for seed in seeds:
        if seed in recorded:
            print(f"{args.data} {args.preset or args.recipe} seed {seed}: recorded in {record.path}, skipped", flush=True)
            continue
        backup_dir = os.path.join(args.backup_dir, stem, f"seed_{seed}")
        if args.preset:
            model, seconds = train_preset(recipe, seed, backup_dir)
        else:
            # A backup resumes only the run it was written for (recipe, mixture, seed).
            _train_zoo().claim_backup(backup_dir, dict(recipe, data=args.data, seed=seed))
            callbacks = [kf.checkpointing.BackupAndRestore(backup_dir, delete_on_finish=False)]
            if args.log_every:
                callbacks.append(CoverageLog(args.data, args.log_every))
            model, seconds = train(recipe, args.data, seed, callbacks=callbacks,
                                   steps_per_execution=args.steps_per_execution)
        scores = score(model, args.data)
        record.add(seed, scores, seconds)
        _train_zoo().discard_backup(backup_dir)  # kept until the seed's scores are recorded
        print(f"{args.data} {args.preset or args.recipe} seed {seed}: modes {[s['modes'] for s in scores]} "
              f"HQ {[round(s['high_quality'], 4) for s in scores]} ({seconds:.0f} s)", flush=True)
        kf.imaging.atomic_write_bytes(path, report(args, argv, recipe, record, seeds).encode())
        print("wrote", path, flush=True)
    if all(seed in recorded for seed in seeds):  # nothing to train: the report from the record
        kf.imaging.atomic_write_bytes(path, report(args, argv, recipe, record, seeds).encode())
        print("wrote", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
