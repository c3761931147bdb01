"""BiGAN on Fashion-MNIST: infer latents, reconstruct, interpolate.

Trains a DCGAN-style BiGAN (generator, encoder, joint discriminator), then
writes two PNGs into `--out`:

- `reconstructions.png`: test images (top row) above their reconstructions
  G(E(x)) (bottom row);
- `interpolation.png`: G along the straight line between E(x_a) and E(x_b)
  for a few pairs of test images, one pair per row, the two inputs at the ends.

    KERAS_BACKEND=tensorflow python examples/bigan_latents.py --epochs 5
    python examples/bigan_latents.py --fast --out /tmp/bigan   # CI smoke run

References:
    Donahue, Kraehenbuehl, Darrell. "Adversarial Feature Learning." ICLR 2017.
    Dumoulin et al. "Adversarially Learned Inference." ICLR 2017.
"""

import argparse
import os

import keras
import numpy as np
import keras_fgan as kf


def build_bigan(latent_dim, width, seed):
    """A dcgan28 BiGAN with the uniform prior of Donahue et al."""
    return kf.BiGAN(
        kf.networks.dcgan28_generator(latent_dim, width=width),
        kf.networks.dcgan28_encoder(latent_dim, width=width),
        kf.networks.dcgan28_joint_discriminator(latent_dim, width=width),
        latent_prior="uniform",
        seed=seed,
    )


def save_rows(rows, path):
    """Saves `rows[i][j]`, images in [-1, 1], as one PNG grid, a row per i."""
    rows = np.asarray(rows)
    kf.imaging.save_image_grid(rows.reshape(-1, *rows.shape[2:]), path, ncols=rows.shape[1])
    print("wrote", path)


def interpolation_rows(model, pairs, steps):
    """For each (x_a, x_b): x_a, G(E-line from E(x_a) to E(x_b)), x_b."""
    za, zb = model.encode(pairs[:, 0]), model.encode(pairs[:, 1])
    t = np.linspace(0.0, 1.0, steps, dtype="float32")[None, :, None]
    line = (1 - t) * za[:, None] + t * zb[:, None]
    decoded = model.generator.predict(line.reshape(-1, model.latent_dim), verbose=0)
    decoded = decoded.reshape(len(pairs), steps, *model.sample_shape)
    return np.concatenate([pairs[:, :1], decoded, pairs[:, 1:]], axis=1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--n-train", type=int, default=None, help="training images (all)")
    parser.add_argument("--latent-dim", type=int, default=64)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/bigan_latents")
    parser.add_argument("--fast", action="store_true", help="tiny subset, 1 epoch (CI)")
    args = parser.parse_args(argv)
    if args.fast:
        args.epochs, args.n_train, args.width = 1, 512, 8

    keras.utils.set_random_seed(args.seed)
    x_train = kf.datasets.load("fashion_mnist", split="train", n=args.n_train)
    x_test = kf.datasets.load("fashion_mnist", split="test", n=32)
    model = build_bigan(args.latent_dim, args.width, args.seed)
    model.compile()
    model.fit(x_train, batch_size=args.batch_size, epochs=args.epochs, verbose=2)

    os.makedirs(args.out, exist_ok=True)
    inputs = x_test[:12]
    save_rows([inputs, model.reconstruct(inputs)], os.path.join(args.out, "reconstructions.png"))
    pairs = np.stack([x_test[12:16], x_test[16:20]], axis=1)
    save_rows(interpolation_rows(model, pairs, steps=8), os.path.join(args.out, "interpolation.png"))


if __name__ == "__main__":
    main()
