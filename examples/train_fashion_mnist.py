"""Train a DCGAN (or any f-GAN) on Fashion-MNIST, with sample grids and checkpoints.

Uses the reference DCGAN networks for 28x28 images
(`kf.networks.dcgan28_generator` / `dcgan28_discriminator`) on the real
Fashion-MNIST training set (`kf.datasets.load("fashion_mnist")`, 60,000 images
in [-1, 1]). Callbacks:

- `kf.callbacks.SampleGrid` writes a grid of 64 samples after every epoch, from
  the same latent points each time (so the grids form an animation);
- `keras.callbacks.ModelCheckpoint` saves the whole adversarial model (both
  networks, both optimizers) as a `.keras` file after every epoch.

At the end it reloads the checkpoint, checks that it generates the same
samples, and (except with `--fast`) reports the Frechet distance to 2,000
test images in the feature space of the shipped Fashion-MNIST classifier.

Fashion-MNIST is read from the IDX files (see `keras_fgan.datasets`:
`KERAS_FGAN_DATA_DIR`, Debian's `dataset-fashion-mnist` package, or the Keras
cache). Run (any backend; a CPU epoch takes minutes):

    python examples/train_fashion_mnist.py [--epochs 10] [--limit N] [--divergence NAME] \
        [--fast] [--out runs/train_fashion_mnist]

Without `--divergence` the model is the standard non-saturating GAN
(`kf.GAN`); with it, `kf.FGAN(..., divergence=NAME)`.
"""

import argparse
import json
import os

import numpy as np

import keras

import keras_fgan as kf


def build_model(divergence=None, latent_dim=64, width=64, seed=0):
    generator = kf.networks.dcgan28_generator(latent_dim=latent_dim, width=width)
    discriminator = kf.networks.dcgan28_discriminator(width=width)
    if divergence is None:
        return kf.GAN(generator, discriminator, seed=seed)
    return kf.FGAN(generator, discriminator, divergence=divergence, seed=seed)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true",
                        help="256 images, 1 epoch, narrow networks (seconds)")
    parser.add_argument("--out", default="runs/train_fashion_mnist", help="output folder")
    parser.add_argument("--epochs", type=int, default=10, help="training epochs")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--limit", type=int, default=None,
                        help="use only the first LIMIT training images (default: all 60,000)")
    parser.add_argument("--divergence", default=None,
                        help="train an f-GAN with this divergence (default: a GAN)")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    keras.utils.set_random_seed(0)

    if args.fast:
        x_train = kf.datasets.load("fashion_mnist", "train", n=256)
        epochs, latent_dim, width = 1, 16, 8
    else:
        x_train = kf.datasets.load("fashion_mnist", "train", n=args.limit)
        x_test = kf.datasets.load("fashion_mnist", "test", n=2000)
        epochs, latent_dim, width = args.epochs, 64, 64
    print(f"training on {len(x_train)} images of shape {x_train.shape[1:]} "
          f"for {epochs} epoch(s), backend {keras.backend.backend()}")

    model = build_model(args.divergence, latent_dim, width)
    model.compile(
        d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
    )
    grids = kf.callbacks.SampleGrid(
        os.path.join(args.out, "samples", "epoch_{epoch:03d}.png"), n=64, seed=0
    )
    checkpoint = os.path.join(args.out, "model.keras")
    history = model.fit(
        x_train,
        batch_size=args.batch_size,
        epochs=epochs,
        callbacks=[grids, keras.callbacks.ModelCheckpoint(checkpoint)],
        verbose=2,
    )

    restored = keras.saving.load_model(checkpoint)
    same = np.allclose(restored.generate(64, seed=1), model.generate(64, seed=1), atol=1e-5)
    print(f"checkpoint reloads and generates the same samples: {same}")
    fd = None
    if not args.fast:  # the classifier's features take longer than the fast run itself
        fd = kf.evaluation.frechet_distance(x_test, model, num_samples=len(x_test))
        print(f"Frechet distance (classifier features, {len(x_test)} test images): {fd:.4f}")

    report = os.path.join(args.out, "metrics.json")
    with open(report, "w") as f:
        json.dump({
            "epochs": epochs,
            "model": type(model).__name__,
            "divergence": args.divergence,
            "backend": keras.backend.backend(),
            "frechet_distance": fd,
            "history": {k: [float(v) for v in vals] for k, vals in history.history.items()},
        }, f, indent=1)
    files = [str(p) for p in grids.paths] + [checkpoint, report]
    for path in files:
        print(f"wrote {path}")
    if not same:
        raise SystemExit("the reloaded checkpoint generates different samples")
    return {"files": files, "frechet_distance": fd}


if __name__ == "__main__":
    main()
