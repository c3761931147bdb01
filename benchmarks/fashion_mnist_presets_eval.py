"""The Fashion-MNIST presets scored on several evaluation seeds.

The zoo's cards give each image preset's metrics on one draw of 5,000
samples (seed 0) against the first 5,000 test images. This benchmark asks how
much of a gap between two presets that one draw can show: it scores each
preset with `evaluate_model(model, "fashion_mnist", num_samples=N, seed=s)`
for evaluation seeds 0..K-1 (N generated images against the first N test
images, in the shipped classifier's features), and reports each metric's mean
and range over the seeds, and, for each pair named with `--compare A:B`, the
per-seed difference of A's and B's Frechet distance. Only the generated
samples change from seed to seed; the variation between training runs
(training seeds) is not measured here and is likely larger. Beside the
metrics, `class mix fd` asks how much of a preset's Frechet distance its class
imbalance alone explains: the distance to the same test images of N real
training images drawn with the class frequencies the classifier finds in the
preset's samples (seed s), a floor the preset cannot go below while its
classes stay that uneven.

    python benchmarks/fashion_mnist_presets_eval.py      # writes benchmarks/results/fashion_mnist_presets_eval.md
    python benchmarks/fashion_mnist_presets_eval.py --presets gan_fashion_mnist --seeds 2 --samples 1000
"""

import argparse
import functools
import json
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HEADLINE = ("gan_fashion_mnist", "wgan_gp_fashion_mnist", "bigan_fashion_mnist", "fgan_jeffrey_fashion_mnist")
METRICS = ("frechet_distance", "precision", "recall", "density", "coverage", "class_kl", "class_mix_fd")
OUT = ROOT / "benchmarks" / "results" / "fashion_mnist_presets_eval.md"


@functools.lru_cache(maxsize=1)
def _training_split():
    """The Fashion-MNIST training images and labels, read once per run."""
    import keras_fgan as kf

    return kf.datasets.load("fashion_mnist", split="train", with_labels=True)


def real_at_class_frequencies(frequencies, n, seed):
    """`n` Fashion-MNIST training images whose class counts are a multinomial
    draw (seed `seed`) from `frequencies` (10 values in
    `kf.datasets.FASHION_MNIST_CLASSES` order), and their labels."""
    import numpy as np

    images, labels = _training_split()
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(n, np.asarray(frequencies, dtype="float64") / np.sum(frequencies))
    index = np.concatenate([rng.choice(np.flatnonzero(labels == c), k, replace=False) for c, k in enumerate(counts)])
    return images[index], labels[index]


def class_mix_fd(frequencies, n, seed):
    """Frechet distance of `real_at_class_frequencies` to the first `n` test
    images: what class imbalance alone costs."""
    import keras_fgan as kf

    real, _ = real_at_class_frequencies(frequencies, n, seed)
    return float(kf.evaluation.frechet_distance(kf.datasets.load("fashion_mnist", split="test", n=n), real))


def evaluate(presets, seeds, samples):
    """{preset: [metrics of seed 0, seed 1, ...]} for the zoo presets."""
    import keras_fgan as kf
    from keras_fgan.evaluation.report import evaluate_model

    scores = {}
    for name in presets:
        model = kf.zoo.load(name)
        scores[name] = []
        for seed in range(seeds):
            start = time.time()
            result = evaluate_model(model, "fashion_mnist", num_samples=samples, seed=seed, class_frequencies=True)
            result["class_mix_fd"] = class_mix_fd(result["class_frequencies"]["fake"], samples, seed)
            scores[name].append({k: result[k] for k in METRICS})
            print(f"{name} seed {seed}: FD {result['frechet_distance']:.3f} "
                  f"P {result['precision']:.3f} R {result['recall']:.3f} "
                  f"class mix FD {result['class_mix_fd']:.3f} ({time.time() - start:.0f} s)", flush=True)
    return scores


def _relative(path):
    """`path` as the command line gives it from the repository root."""
    path = Path(path).resolve()
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def _summary(values):
    return f"{sum(values) / len(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def report(scores, comparisons, args, wall):
    import keras

    lines = ["# Fashion-MNIST presets on several evaluation seeds", "",
             __doc__.split("\n\n")[1].replace("\n", " ").strip(), "",
             f"Command: `KERAS_BACKEND={keras.backend.backend()} python benchmarks/fashion_mnist_presets_eval.py"
             + (f" --presets {' '.join(args.presets)}" if tuple(args.presets) != HEADLINE else "")
             + (f" --seeds {args.seeds}" if args.seeds != 5 else "")
             + (f" --samples {args.samples}" if args.samples != 10000 else "")
             + "".join(f" --compare {c}" for c in args.compare if args.compare_given)
             + (f" --out {_relative(args.out)}" if Path(args.out).resolve() != OUT else "") + "`; "
             f"{platform.machine()} CPU, Keras {keras.__version__}; {wall:.0f} s.", "",
             f"Each cell: mean (min-max) over evaluation seeds 0-{args.seeds - 1}, "
             f"{args.samples:,} generated vs the first {args.samples:,} test images.", "",
             "| preset | " + " | ".join(m.replace("_", " ") for m in METRICS) + " |",
             "|---" * (len(METRICS) + 1) + "|"]
    for name, rows in scores.items():
        lines.append(f"| {name} | " + " | ".join(_summary([r[m] for r in rows]) for m in METRICS) + " |")
    for pair in comparisons:
        a, b = pair.split(":")
        diffs = [ra["frechet_distance"] - rb["frechet_distance"] for ra, rb in zip(scores[a], scores[b])]
        lines += ["", f"Frechet distance of `{a}` minus `{b}`, per evaluation seed: "
                  + ", ".join(f"{d:+.3f}" for d in diffs) + f" (mean {sum(diffs) / len(diffs):+.3f}; "
                  + (f"{a} lower on every seed" if max(diffs) < 0 else f"{b} lower on every seed" if min(diffs) > 0
                     else "the sign changes between seeds") + ")."]
    lines += ["", "Per seed:", "", "```json", json.dumps(scores, indent=1), "```", ""]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presets", nargs="+", default=list(HEADLINE))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--samples", type=int, default=10000)
    parser.add_argument("--compare", action="append", default=None, metavar="A:B",
                        help="report A's Frechet distance minus B's per seed "
                        "(default: wgan_gp_fashion_mnist:gan_fashion_mnist)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.compare_given = args.compare is not None
    if args.compare is None:
        args.compare = [c for c in ["wgan_gp_fashion_mnist:gan_fashion_mnist"]
                        if set(c.split(":")) <= set(args.presets)]
    for pair in args.compare:
        if pair.count(":") != 1 or not set(pair.split(":")) <= set(args.presets):
            parser.error(f"--compare {pair!r}: name two of --presets as A:B")
    start = time.time()
    scores = evaluate(args.presets, args.seeds, args.samples)
    args.out.write_text(report(scores, args.compare, args, time.time() - start))
    print(args.out)


if __name__ == "__main__":
    main()
