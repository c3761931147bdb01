"""Fashion-MNIST BiGAN benchmark: is E(x) a useful representation?

Trains a dcgan28 BiGAN on the Fashion-MNIST training images (labels unused),
then fits two classifiers on encoded labelled images and scores them on the
encoded test set:

- a logistic-regression probe and 1-nearest-neighbour, the protocol of
  Donahue et al. (2017, Sec. 4.1), through `kf.evaluation.probe_accuracy`
  (standardised features).

Both are repeated on randomly initialised encoders of the same architecture
(averaged over `--random-inits` inits): the trained encoder must beat them.
The probes also run after every training epoch. Writes a Markdown report
(numbers, settings, the exact command, wall time) to
`--out`/bigan_fashion_mnist_latent<D>.md and saves the trained model beside
it as bigan_fashion_mnist_latent<D>.keras (git-ignored), D the latent size.

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

import keras_fgan as kf


def build_bigan(args):
    return kf.BiGAN(
        kf.networks.dcgan28_generator(args.latent_dim, width=args.width),
        kf.networks.dcgan28_encoder(args.latent_dim, width=args.width),
        kf.networks.dcgan28_joint_discriminator(args.latent_dim, width=args.width, dropout=args.dropout),
        latent_prior="uniform",
        seed=args.seed,
    )


def encoder_scores(encode, probe_data):
    """(logistic-regression accuracy, 1-NN accuracy) of `encode`'s features."""
    x_train, y_train, x_test, y_test = probe_data
    scores = kf.evaluation.probe_accuracy(encode(x_train), y_train, encode(x_test), y_test)
    return scores["linear_probe_accuracy"], scores["knn1_accuracy"]


def random_encoder_scores(model, probe_data, count):
    """Probe scores of `count` freshly initialised copies of the encoder: a
    single random encoder's probe varies by up to 3 points between inits."""
    scores = []
    for _ in range(count):
        encoder = keras.models.clone_model(model.encoder)  # new random weights
        scores.append(encoder_scores(lambda x: encoder.predict(x, batch_size=256, verbose=0), probe_data))
    return np.asarray(scores)


class EpochProbe(keras.callbacks.Callback):
    """Scores the encoder with the logistic probe and 1-NN after every epoch."""

    def __init__(self, probe_data):
        super().__init__()
        self.probe_data = probe_data
        self.history = []

    def on_epoch_end(self, epoch, logs=None):
        scores = encoder_scores(self.model.encode, self.probe_data)
        self.history.append(scores)
        print(f"epoch {epoch + 1}: logistic probe {scores[0]:.4f}, 1-NN {scores[1]:.4f}", flush=True)


def report(args, scores, epoch_scores, seconds, model_note):
    t_lr, t_nn = scores["trained"]
    random = scores["random"]
    r_lr, r_nn = random.mean(axis=0)
    best_lr, best_nn = random.max(axis=0)
    command = f"KERAS_BACKEND={keras.backend.backend()} python " + shlex.join(sys.argv)
    per_epoch = "\n".join(
        f"| {epoch} | {lr:.4f} | {nn:.4f} |" for epoch, (lr, nn) in enumerate(epoch_scores, 1)
    )
    return f"""# BiGAN on Fashion-MNIST: representation quality of E(x)

Command (from the repository root, {args.cpu_note}):

```
{command}
```

| encoder | logistic-regression probe | 1-NN |
|---|---|---|
| BiGAN-trained | {t_lr:.4f} | {t_nn:.4f} |
| random init, same architecture: mean of {len(random)} inits | {r_lr:.4f} | {r_nn:.4f} |
| random init: range over the inits | {random[:, 0].min():.4f}-{best_lr:.4f} | {random[:, 1].min():.4f}-{best_nn:.4f} |
| difference to the mean random init | {100 * (t_lr - r_lr):+.2f} points | {100 * (t_nn - r_nn):+.2f} points |
| difference to the best random init | {100 * (t_lr - best_lr):+.2f} points | {100 * (t_nn - best_nn):+.2f} points |

Per epoch (trained encoder):

| epoch | logistic-regression probe | 1-NN |
|---|---|---|
{per_epoch or "| - | not recorded (--probe-only) | |"}

Settings: dcgan28 generator / encoder / joint discriminator, latent_dim
{args.latent_dim}, width {args.width}, uniform prior, non-saturating loss,
joint-discriminator dropout {args.dropout}, Adam(beta_1=0.5) with rates
{args.d_lr} (discriminator) and {args.g_lr} (generator + encoder), batch {args.batch_size},
{args.epochs} epoch(s) over {args.n_train or 60000} training images (labels
unused), seed {args.seed}. Probes: features `encode(x)` standardised, fitted on
the first {args.probe_train} training images with their labels, scored on the
first {args.probe_test} test images. Backend {keras.backend.backend()},
Keras {keras.__version__}.

Wall time: training {seconds['train']:.0f} s (with the per-epoch probes),
final probes {seconds['probe']:.0f} s, total {seconds['total']:.0f} s.

Model file: {model_note}
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--n-train", type=int, default=None, help="GAN training images (all)")
    parser.add_argument("--latent-dim", type=int, default=16)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--dropout", type=float, default=0.0, help="joint discriminator dropout")
    parser.add_argument("--d-lr", type=float, default=2e-4)
    parser.add_argument("--g-lr", type=float, default=2e-4, help="generator + encoder rate")
    parser.add_argument("--probe-train", type=int, default=10_000)
    parser.add_argument("--probe-test", type=int, default=10_000)
    parser.add_argument("--random-inits", type=int, default=5, help="random encoders to average")
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

    os.makedirs(args.out, exist_ok=True)
    model = build_bigan(args)
    epoch_probe = EpochProbe(probe_data)
    if args.probe_only:
        model = keras.saving.load_model(args.probe_only)
        args.latent_dim = int(model.encoder.outputs[0].shape[-1])
        model_note = f"`{args.probe_only}` (scored, not trained here)."
    else:
        model.compile(
            d_optimizer=keras.optimizers.Adam(args.d_lr, beta_1=0.5),
            g_optimizer=keras.optimizers.Adam(args.g_lr, beta_1=0.5),
        )
        model.fit(
            x_train, batch_size=args.batch_size, epochs=args.epochs, verbose=2, callbacks=[epoch_probe]
        )
        model_path = os.path.join(args.out, f"bigan_fashion_mnist_latent{args.latent_dim}.keras")
        model.save(model_path)
        model_note = f"`{model_path}` ({os.path.getsize(model_path) / 1e6:.1f} MB)."
    seconds = {"train": time.perf_counter() - start}

    probe_start = time.perf_counter()
    scores = {
        "trained": encoder_scores(model.encode, probe_data),
        "random": random_encoder_scores(model, probe_data, args.random_inits),
    }
    seconds["probe"] = time.perf_counter() - probe_start
    seconds["total"] = time.perf_counter() - start
    for kind, (logistic, nearest) in [("trained", scores["trained"]), ("random", scores["random"].mean(0))]:
        print(f"{kind:>8} encoder: logistic probe {logistic:.4f}, 1-NN {nearest:.4f}")

    path = os.path.join(args.out, f"bigan_fashion_mnist_latent{args.latent_dim}.md")
    kf.imaging.atomic_write_bytes(path, report(args, scores, epoch_probe.history, seconds, model_note).encode())
    print("wrote", path)


if __name__ == "__main__":
    main()
