"""The support problem: KL and JS give no gradient across disjoint supports, W1 does.

The data is p = delta_0 (every sample is 0) and the generator is q_theta =
delta_theta, a learnable constant started at theta = 3. For theta != 0 the
supports are disjoint and (theory, section 4)

    KL(p, q_theta) = +inf,   JS(p, q_theta) = log 2,   W(p, q_theta) = |theta|.

The minimax GAN's optimal discriminator is 1 at 0 and 0 at theta, so the
generator loss log(1 - D*(theta)) = 0 whatever theta is: its gradient
vanishes. It does so already for the steep logistic discriminators that
approach D*, D_k(x) = sigmoid(k (theta/2 - x)) (sign flipped for theta < 0):
d/dtheta log(1 - D_k(theta)) = k sigmoid(-k |theta| / 2), which goes to 0 as
k grows. A discriminator trained towards optimality shows the same decay
numerically. The WGAN critic's optimum f(x) = -|x| (1-Lipschitz, a Kantorovich
potential for every theta at once) gives the generator the gradient
sign(theta): WGAN moves theta from 3 to about 0.

The critic uses the one-sided gradient penalty (WGAN-LP). In 1-D the critic's
input gradient is a number: to change its sign (theta overshooting 0 needs
the slope near 0 to flip) it must pass through 0, where the two-sided penalty
costs its full weight, and a two-sided (WGAN-GP) critic stays with the wrong
sign while theta runs away. In two or more dimensions the gradient can
rotate instead.

Run:

    python examples/disjoint_supports.py --out runs/disjoint_supports [--fast]

It writes `disjoint_supports.png` and prints the final theta.
"""

import argparse
import os

import numpy as np

import keras
import keras_fgan as kf

THETA0 = 3.0


def constant_generator(theta0=THETA0):
    """G(z) = theta for every z: a frozen zero layer, then a bias (theta).

    The latent input keeps `latent_dim` inference working; the second layer's
    kernel sees only zeros, so its bias is the one parameter that moves.
    """
    z = keras.Input((1,), name="z")
    zero = keras.layers.Dense(
        1, use_bias=False, kernel_initializer="zeros", trainable=False, name="zero"
    )(z)
    x = keras.layers.Dense(
        1, kernel_initializer="zeros",
        bias_initializer=keras.initializers.Constant(theta0), name="theta",
    )(zero)
    return keras.Model(z, x, name="constant_generator")


def critic_1d(width=32):
    """A small 1-D MLP critic whose output layer starts at zero.

    Starting flat, the first updates take the slope's sign from the
    Wasserstein term alone. (With the two-sided penalty this matters: a 1-D
    critic that starts with the wrong sign can stay there, see above.)
    """
    x = keras.Input((1,), name="x")
    h = x
    for i in range(2):
        h = keras.layers.Dense(width, name=f"dense_{i}")(h)
        h = keras.layers.LeakyReLU(0.2)(h)
    out = keras.layers.Dense(1, kernel_initializer="zeros", name="output")(h)
    return keras.Model(x, out, name="critic_1d")


def theta_of(model):
    return float(keras.ops.convert_to_numpy(model.generator.get_layer("theta").bias)[0])


def train_wgan(steps, batch_size=64, record_every=5, seed=0, lipschitz="one_sided_penalty"):
    """WGAN from theta = 3 on p = delta_0: critic Adam(1e-2), n_critic 5;
    generator SGD with the learning rate decaying from 0.2 to 0.02.

    Returns:
        (model, generator steps, theta after each of them), recorded every
        `record_every` steps.
    """
    keras.utils.set_random_seed(seed)
    model = kf.WGAN(constant_generator(), critic_1d(), lipschitz, n_critic=5, seed=seed)
    model.compile(
        d_optimizer=keras.optimizers.Adam(1e-2, beta_1=0.5, beta_2=0.9),
        g_optimizer=keras.optimizers.SGD(
            keras.optimizers.schedules.ExponentialDecay(0.2, steps, 0.1)
        ),
    )
    thetas = [theta_of(model)]
    data = np.zeros((record_every * batch_size, 1), "float32")
    for _ in range(steps // record_every):
        model.fit(data, batch_size=batch_size, epochs=1, verbose=0)
        thetas.append(theta_of(model))
    return model, record_every * np.arange(len(thetas)), np.array(thetas)


def gan_gradient_vs_training(theta=THETA0, rounds=8, steps_per_round=25, seed=0):
    """Trains a minimax-GAN discriminator with theta frozen, and measures the
    generator's gradient dL/dtheta by central differences after each round.

    Returns:
        (discriminator steps, |dL/dtheta|) arrays.
    """
    keras.utils.set_random_seed(seed)
    gan = kf.GAN(constant_generator(theta), kf.networks.mlp_discriminator(1, 32, 2),
                 loss="minimax", d_steps=1, seed=seed)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.SGD(0.0))
    data = np.zeros((steps_per_round * 64, 1), "float32")
    h = 1e-2
    probe = np.array([[theta - h], [theta + h]], "float32")
    steps, grads = [], []
    for r in range(rounds + 1):
        if r:
            gan.fit(data, batch_size=64, epochs=1, verbose=0)
        logits = gan.discriminator.predict(probe, verbose=0)[:, 0].astype("float64")
        loss = -np.logaddexp(0.0, logits)  # log(1 - sigmoid(D)), the minimax loss
        steps.append(r * steps_per_round)
        grads.append(abs(loss[1] - loss[0]) / (2 * h))
    return np.array(steps), np.array(grads)


def analytic_curves(thetas):
    """KL, JS, W of (delta_0, delta_theta) and the generator gradients at the
    optimal discriminator / critic."""
    nonzero = thetas != 0
    return {
        "kl": np.where(nonzero, np.inf, 0.0),
        "js": np.where(nonzero, np.log(2.0), 0.0),
        "w": np.abs(thetas),
        "gan_loss": np.zeros_like(thetas),  # log(1 - D*(theta)) = log 1
        "gan_grad": np.zeros_like(thetas),
        "wgan_loss": np.abs(thetas),  # -f*(theta) with f*(x) = -|x|
        "wgan_grad": np.sign(thetas),
    }


def steep_discriminator_gradient(theta, k):
    """|d/dtheta log(1 - D_k(theta))| for D_k(x) = sigmoid(k (theta/2 - x))."""
    return k / (1.0 + np.exp(k * abs(theta) / 2.0))


def plot(path, thetas, curves, wgan_steps, wgan_thetas, gan_steps, gan_grads):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 5, figsize=(24, 4.2))
    ax = axes[0]
    finite_kl = np.where(np.isinf(curves["kl"]), 2.5, curves["kl"])
    ax.plot(thetas, finite_kl, ":", label="KL (+inf off 0, drawn at 2.5)")
    ax.plot(thetas, curves["js"], label="JS")
    ax.plot(thetas, curves["w"], label="W1 = |theta|")
    ax.plot([0], [0], "ko")
    ax.set(title="Divergences, delta_0 vs delta_theta", xlabel="theta")
    ax.legend()

    ax = axes[1]
    ax.plot(thetas, curves["gan_loss"], label="GAN loss, optimal D")
    ax.plot(thetas, curves["gan_grad"], "--", label="GAN dL/dtheta")
    ax.plot(thetas, curves["wgan_loss"], label="WGAN loss, optimal critic")
    ax.plot(thetas, curves["wgan_grad"], "--", label="WGAN dL/dtheta")
    ax.set(title="Generator loss and gradient", xlabel="theta")
    ax.legend()

    ax = axes[2]
    ks = np.logspace(-1, 1.5, 60)
    ax.loglog(ks, steep_discriminator_gradient(THETA0, ks))
    ax.set(title="GAN |dL/dtheta| at theta=3, D_k -> D*", xlabel="steepness k of D_k")

    ax = axes[3]
    ax.semilogy(gan_steps, gan_grads, ".-")
    ax.set(title="GAN |dL/dtheta| at theta=3, trained D", xlabel="discriminator steps")

    ax = axes[4]
    ax.plot(wgan_steps, wgan_thetas, ".-")
    ax.axhline(0.0, color="k", lw=0.5)
    ax.set(title="WGAN: theta during training", xlabel="generator steps", ylabel="theta")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/disjoint_supports", help="output folder")
    parser.add_argument("--fast", action="store_true", help="few steps (CI)")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    steps = 100 if args.fast else 400
    _, wgan_steps, wgan_thetas = train_wgan(steps, record_every=10)
    gan_steps, gan_grads = gan_gradient_vs_training(rounds=3 if args.fast else 8)
    thetas = np.linspace(-4, 4, 161)
    path = os.path.join(args.out, "disjoint_supports.png")
    plot(path, thetas, analytic_curves(thetas), wgan_steps, wgan_thetas, gan_steps, gan_grads)

    result = {
        "theta": float(wgan_thetas[-1]),
        "gan_grad_first": float(gan_grads[0]),
        "gan_grad_last": float(gan_grads[-1]),
        "plot": path,
    }
    print(f"WGAN final theta: {result['theta']:.4f} (started at {THETA0})")
    print(
        "GAN (minimax) |dL/dtheta| at theta=3: "
        f"{result['gan_grad_first']:.3g} -> {result['gan_grad_last']:.3g} "
        f"after {gan_steps[-1]} discriminator steps"
    )
    print(f"plot: {path}")
    return result


if __name__ == "__main__":
    main()
