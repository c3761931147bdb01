"""Fashion-MNIST BiGAN benchmark: is E(x) a useful representation?

Trains a dcgan28 BiGAN on the Fashion-MNIST training images (labels unused),
then fits two classifiers on encoded labelled images and scores them on the
encoded test set:

- a logistic-regression probe (scikit-learn, standardised features);
- 1-nearest-neighbour, the protocol of Donahue et al. (2017, Sec. 4.1).

Both are repeated on a randomly initialised encoder of the same architecture:
the trained encoder must beat it. Writes a Markdown report (numbers, settings,
the exact command, wall time) to `--out`/bigan_fashion_mnist.md and saves the
model there when its `.keras` file is under 5 MB.

    KERAS_BACKEND=tensorflow python benchmarks/bigan_fashion_mnist.py

References:
    Donahue, Kraehenbuehl, Darrell. "Adversarial Feature Learning." ICLR 2017.
    Dumoulin et al. "Adversarially Learned Inference." ICLR 2017.
"""

import argparse
import os
import shlex
import sys
import time

import keras
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler

import keras_fgan as kf


def build_bigan(args):
    return kf.BiGAN(
        kf.networks.dcgan28_generator(args.latent_dim, width=args.width),
        kf.networks.dcgan28_encoder(args.latent_dim, width=args.width),
        kf.networks.dcgan28_joint_discriminator(args.latent_dim, width=args.width, dropout=args.dropout),
        latent_prior="uniform",
        seed=args.seed,
    )


def probe(features_train, y_train, features_test, y_test):
    """(logistic-regression accuracy, 1-NN accuracy) on standardised features."""
    scaler = StandardScaler().fit(features_train)
    f_train, f_test = scaler.transform(features_train), scaler.transform(features_test)
    logistic = LogisticRegression(max_iter=3000).fit(f_train, y_train)
    nearest = KNeighborsClassifier(n_neighbors=1).fit(f_train, y_train)
    return logistic.score(f_test, y_test), nearest.score(f_test, y_test)


def encoder_scores(encode, probe_data):
    x_train, y_train, x_test, y_test = probe_data
    return probe(encode(x_train), y_train, encode(x_test), y_test)


def report(args, scores, seconds, model_note):
    (t_lr, t_nn), (r_lr, r_nn) = scores["trained"], scores["random"]
    command = f"KERAS_BACKEND={keras.backend.backend()} python " + shlex.join(sys.argv)
    return f"""# BiGAN on Fashion-MNIST: representation quality of E(x)

Command (from the repository root, {args.cpu_note}):

```
{command}
```

| encoder | logistic-regression probe | 1-NN |
|---|---|---|
| BiGAN-trained | {t_lr:.4f} | {t_nn:.4f} |
| random init, same architecture | {r_lr:.4f} | {r_nn:.4f} |
| difference | {100 * (t_lr - r_lr):+.2f} points | {100 * (t_nn - r_nn):+.2f} points |

Settings: dcgan28 generator / encoder / joint discriminator, latent_dim
{args.latent_dim}, width {args.width}, uniform prior, non-saturating loss,
joint-discriminator dropout {args.dropout}, Adam(beta_1=0.5) with rates
{args.d_lr} (discriminator) and {args.g_lr} (generator + encoder), batch {args.batch_size},
{args.epochs} epoch(s) over {args.n_train or 60000} training images (labels
unused), seed {args.seed}. Probes: features `encode(x)` standardised, fitted on
the first {args.probe_train} training images with their labels, scored on the
first {args.probe_test} test images. Backend {keras.backend.backend()},
Keras {keras.__version__}.

Wall time: training {seconds['train']:.0f} s, probes {seconds['probe']:.0f} s,
total {seconds['total']:.0f} s.

Model file: {model_note}
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--n-train", type=int, default=None, help="GAN training images (all)")
    parser.add_argument("--latent-dim", type=int, default=64)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--dropout", type=float, default=0.0, help="joint discriminator dropout")
    parser.add_argument("--d-lr", type=float, default=2e-4)
    parser.add_argument("--g-lr", type=float, default=2e-4, help="generator + encoder rate")
    parser.add_argument("--probe-train", type=int, default=10_000)
    parser.add_argument("--probe-test", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("benchmarks", "results"))
    parser.add_argument("--cpu-note", default="2-core CPU, no GPU")
    parser.add_argument("--probe-only", metavar="MODEL", help="score a saved .keras BiGAN, no training")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    keras.utils.set_random_seed(args.seed)
    x_train = kf.datasets.load("fashion_mnist", split="train", n=args.n_train)
    probe_data = (
        *kf.datasets.load("fashion_mnist", "train", n=args.probe_train, with_labels=True),
        *kf.datasets.load("fashion_mnist", "test", n=args.probe_test, with_labels=True),
    )

    model = build_bigan(args)
    random_encoder = keras.models.clone_model(model.encoder)  # fresh random weights
    if args.probe_only:
        model = keras.saving.load_model(args.probe_only)
    else:
        model.compile(
            d_optimizer=keras.optimizers.Adam(args.d_lr, beta_1=0.5),
            g_optimizer=keras.optimizers.Adam(args.g_lr, beta_1=0.5),
        )
        model.fit(x_train, batch_size=args.batch_size, epochs=args.epochs, verbose=2)
    seconds = {"train": time.perf_counter() - start}

    probe_start = time.perf_counter()
    scores = {
        "trained": encoder_scores(model.encode, probe_data),
        "random": encoder_scores(
            lambda x: random_encoder.predict(x, batch_size=256, verbose=0), probe_data
        ),
    }
    seconds["probe"] = time.perf_counter() - probe_start
    seconds["total"] = time.perf_counter() - start
    for name, (logistic, nearest) in scores.items():
        print(f"{name:>8} encoder: logistic probe {logistic:.4f}, 1-NN {nearest:.4f}")

    os.makedirs(args.out, exist_ok=True)
    if args.probe_only:
        model_note = f"`{args.probe_only}` (scored, not trained here)."
    else:
        model_path = os.path.join(args.out, "bigan_fashion_mnist.keras")
        model.save(model_path)
        size = os.path.getsize(model_path)
        model_note = f"`{model_path}` ({size / 1e6:.1f} MB)."
    path = os.path.join(args.out, "bigan_fashion_mnist.md")
    kf.imaging.atomic_write_bytes(path, report(args, scores, seconds, model_note).encode())
    print("wrote", path)


if __name__ == "__main__":
    main()
