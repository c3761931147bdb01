"""Mode covering (KL) versus mode seeking (reverse KL), with an f-GAN.

The data is the bimodal mixture P = 0.5 N(-2, 0.5^2) + 0.5 N(2, 0.5^2); the
generator is a Gaussian, x = mu + sigma z (`kf.networks.affine_generator`).
An f-GAN minimises D_f(P || Q_theta):

- kl, KL(P || Q) = E_P[log p/q], is infinite wherever Q misses mass of P, so
  the best Gaussian covers both modes: moment matching, N(0, 2.06^2);
- reverse_kl, KL(Q || P) = E_Q[log q/p], is infinite wherever Q puts mass
  where P has none, so the best Gaussian sits on one mode: N(+-2, 0.5^2).

Recipe (as in tests/test_fgan_fits.py): the minimax generator loss for both
(the one whose gradient is that of D_f(P || Q); the heuristic loss for kl
follows the reverse KL's gradient instead), batch 256, Adam(5e-3,
beta_1=0.5) for both networks, 8,192 samples; kl for 30 epochs from
N(0.3, 1^2), reverse_kl for 40 epochs from N(0.3, 0.3^2), narrower than the
data (from a wide start it stalls at the symmetric covering saddle). The
exact optima over all Gaussians (quadrature and a simplex search) are drawn
dotted, and the right panel shows mu and sigma after every epoch.

Run (any backend):

    python examples/mode_covering_vs_seeking.py [--fast] [--out runs/mode_covering_vs_seeking]

It writes `mode_covering_vs_seeking.png` and `fits.json`.
"""

import argparse
import json
import math
import os

import numpy as np

import keras
from keras import ops

import keras_fgan as kf

MEANS, STD = (-2.0, 2.0), 0.5
# divergence: (epochs, initial mean, initial scale) of the generator.
RECIPES = {"kl": (30, 0.3, 1.0), "reverse_kl": (40, 0.3, 0.3)}


def mixture(n, seed=0):
    """n samples of 0.5 N(-2, 0.5^2) + 0.5 N(2, 0.5^2), shape (n, 1)."""
    rng = np.random.default_rng(seed)
    centres = np.where(rng.integers(0, 2, n) == 0, MEANS[0], MEANS[1])
    return (centres + STD * rng.standard_normal(n)).astype("float32")[:, None]


def gaussian_pdf(x, mean, std):
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (math.sqrt(2 * math.pi) * std)


def mixture_pdf(x):
    return 0.5 * gaussian_pdf(x, MEANS[0], STD) + 0.5 * gaussian_pdf(x, MEANS[1], STD)


def affine_parameters(generator):
    """(mu, sigma) of the affine generator x = mu + sigma z."""
    kernel, bias = (ops.convert_to_numpy(w) for w in generator.get_layer("affine").weights)
    return float(bias[0]), abs(float(kernel[0, 0]))


class Trajectory(keras.callbacks.Callback):
    """Records the generator's (mu, sigma) after every epoch."""

    def on_train_begin(self, logs=None):
        self.history = [affine_parameters(self.model.generator)]

    def on_epoch_end(self, epoch, logs=None):
        self.history.append(affine_parameters(self.model.generator))


def fit(data, divergence, epochs, mean, scale, seed=0):
    """Trains an f-GAN (minimax generator loss) with an affine generator.

    Returns:
        ((mu, sigma) after training, list of (mu, sigma) per epoch).
    """
    model = kf.FGAN(
        kf.networks.affine_generator(1, 1, mean=mean, scale=scale),
        kf.networks.mlp_discriminator(1, width=32, depth=2),
        divergence=divergence,
        generator_loss="minimax",
        seed=seed,
    )
    model.compile(
        d_optimizer=keras.optimizers.Adam(5e-3, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(5e-3, beta_1=0.5),
    )
    trajectory = Trajectory()
    model.fit(data, batch_size=256, epochs=epochs, verbose=0, callbacks=[trajectory])
    return affine_parameters(model.generator), trajectory.history


def exact_optimum(divergence):
    """argmin over (mu, sigma) of D_f(P || N(mu, sigma^2)), by quadrature.

    kl: KL(P || Q) = int p log(p / q); reverse_kl: KL(Q || P) = int q log(q / p).
    Both are integrated in float64 from log densities, so the tails do not
    overflow. (For kl the answer is moment matching: N(0, sqrt(4.25)^2).)
    """
    from scipy.optimize import minimize
    from scipy.special import logsumexp

    x = np.linspace(-12.0, 12.0, 12001)

    def log_gauss(mean, std):
        return -0.5 * ((x - mean) / std) ** 2 - math.log(math.sqrt(2 * math.pi) * std)

    log_p = logsumexp([log_gauss(m, STD) for m in MEANS], axis=0, b=0.5)

    def objective(theta):
        log_q = log_gauss(theta[0], math.exp(theta[1]))
        if divergence == "kl":
            return float(np.trapezoid(np.exp(log_p) * (log_p - log_q), x))
        return float(np.trapezoid(np.exp(log_q) * (log_q - log_p), x))

    starts = ([0.0, 0.7], [2.0, -0.7])
    best = min((minimize(objective, s, method="Nelder-Mead") for s in starts), key=lambda r: r.fun)
    return float(best.x[0]), math.exp(best.x[1])


def plot(path, data, fits, optima, trajectories, note=""):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = {"kl": "tab:blue", "reverse_kl": "tab:red"}
    x = np.linspace(-5.0, 5.0, 801)
    fig, (ax, ax_t) = plt.subplots(1, 2, figsize=(13, 4.5), width_ratios=(1.6, 1))
    ax.hist(data[:, 0], bins=120, range=(-5, 5), density=True, color="0.8", label="data (histogram)")
    ax.plot(x, mixture_pdf(x), color="0.3", lw=1, label="data density")
    for name, (mu, sigma) in fits.items():
        epochs = len(trajectories[name]) - 1
        ax.plot(x, gaussian_pdf(x, mu, sigma), color=colours[name], lw=2.5,
                label=f"{name} fit, {epochs} epochs: N({mu:.2f}, {sigma:.2f}^2)")
        m, s = optima[name]
        ax.plot(x, gaussian_pdf(x, m, s), ":", color=colours[name], lw=1.5,
                label=f"{name} optimum: N({m:.2f}, {s:.2f}^2)")
    peak = max(gaussian_pdf(0.0, 0.0, s) for _, s in [*fits.values(), *optima.values()])
    ax.set(xlabel="x", ylabel="density", ylim=(0, 1.15 * max(peak, 0.45)),
           title="Gaussian fitted by an f-GAN: kl covers both modes, reverse_kl picks one" + note)
    ax.legend(fontsize=8, loc="upper left")

    for name, history in trajectories.items():
        history = np.asarray(history)
        epochs = np.arange(len(history))
        ax_t.plot(epochs, history[:, 1], color=colours[name], lw=2, label=f"{name}: sigma")
        ax_t.plot(epochs, history[:, 0], "--", color=colours[name], lw=1, label=f"{name}: mu")
    ax_t.axhline(STD, color="0.5", lw=0.5)
    ax_t.set(xlabel="epoch", title="generator parameters during training")
    ax_t.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="tiny data and epochs (seconds)")
    parser.add_argument("--out", default="runs/mode_covering_vs_seeking", help="output folder")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    keras.utils.set_random_seed(0)
    data = mixture(1024 if args.fast else 8192)
    epochs = {name: 2 if args.fast else recipe[0] for name, recipe in RECIPES.items()}
    runs = {name: fit(data, name, epochs[name], mean, scale)
            for name, (_, mean, scale) in RECIPES.items()}
    fits = {name: run[0] for name, run in runs.items()}
    trajectories = {name: run[1] for name, run in runs.items()}
    optima = {name: exact_optimum(name) for name in RECIPES}
    for name, (mu, sigma) in fits.items():
        m, s = optima[name]
        print(f"{name:>10}: fitted N({mu:+.2f}, {sigma:.2f}^2), optimum N({m:+.2f}, {s:.2f}^2)")

    png = os.path.join(args.out, "mode_covering_vs_seeking.png")
    plot(png, data, fits, optima, trajectories, note="\n(--fast: too few epochs to converge)" if args.fast else "")
    report = os.path.join(args.out, "fits.json")
    with open(report, "w") as f:
        json.dump({name: {"fitted": fits[name], "optimum": optima[name], "epochs": epochs[name],
                          "trajectory": trajectories[name]} for name in fits}, f, indent=1)
    print(f"wrote {png}")
    print(f"wrote {report}")
    return {"files": [png, report], "fits": fits, "optima": optima, "trajectories": trajectories}


if __name__ == "__main__":
    main()
