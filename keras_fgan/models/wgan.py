"""Wasserstein GAN (Arjovsky et al. 2017) with a choice of Lipschitz constraint."""

import copy

import numpy as np

import keras
from keras import ops

from keras_fgan import lipschitz as lipschitz_lib
from keras_fgan import objectives
from keras_fgan.models.adversarial_model import AdversarialModel


@keras.saving.register_keras_serializable(package="keras_fgan")
class WGAN(AdversarialModel):
    """Wasserstein GAN: a critic estimates W1 by Kantorovich-Rubinstein duality.

    The critic D (no output activation) maximises `E[D(x)] - E[D(G(z))]` over
    (approximately) 1-Lipschitz functions, so that its value estimates the
    Wasserstein-1 distance (logged as `wasserstein`); the generator minimises
    `-E[D(G(z))]`. The Lipschitz constraint is an object from
    `keras_fgan.lipschitz` (or its name), and fixes the paper defaults used
    when `compile()` gets no optimizers:

    | `lipschitz`                      | optimizers (critic and generator)   | paper |
    |----------------------------------|-------------------------------------|-------|
    | `WeightClip(0.01)`               | RMSprop(5e-5)                       | Arjovsky et al. 2017 |
    | `GradientPenalty(10.0)`          | Adam(1e-4, beta_1=0, beta_2=0.9)    | Gulrajani et al. 2017 |
    | `GradientPenalty(one_sided=True)`| Adam(1e-4, beta_1=0, beta_2=0.9)    | Petzka et al. 2018 |
    | `SpectralNorm()`                 | Adam(1e-4, beta_1=0.5, beta_2=0.9)  | Miyato et al. 2018 |

    and `n_critic = 5` critic updates per generator update in all four.
    `WeightClip` and `SpectralNorm` are attached to the critic's variables as
    Keras constraints when the model is built (this also projects the
    critic's current weights once); the config stores the Lipschitz object,
    so a loaded model re-attaches it.

    Logged metrics: `d_loss` (critic loss, penalty included), `g_loss`,
    `wasserstein` (the critic's estimate `E[D(x)] - E[D(G(z))]`) and
    `grad_norm` (mean norm of the critic's input gradient on random
    interpolates of real and generated samples, computed for every
    constraint; about 1 for a critic that is tight and 1-Lipschitz).

    Formula:
        critic:     loss = E[D(G(z))] - E[D(x)] + penalty(|grad D(x_hat)|)
        generator:  loss = -E[D(G(z))]

    Args:
        generator: Keras model, latents -> samples.
        critic: Keras model, samples -> one unconstrained score each. Avoid
            BatchNorm in a gradient-penalty critic (Gulrajani et al. 2017,
            Sec. 4). Available as `model.discriminator` (and `model.critic`).
        lipschitz: a `keras_fgan.lipschitz.LipschitzConstraint`, one of
            `keras_fgan.lipschitz.names()`, or its config dict. Default:
            `"gradient_penalty"` (`GradientPenalty(10.0)`).
        n_critic: critic updates per generator update (integer >= 1); the
            base class's `d_steps`.
        **kwargs: see `AdversarialModel` (`latent_prior`, `seed`, `name`).

    Example:

    ```python
    wgan = kf.WGAN(generator, critic, lipschitz=kf.lipschitz.GradientPenalty(10.0))
    wgan.compile()  # Adam(1e-4, beta_1=0, beta_2=0.9) for both networks
    wgan.fit(x_train, batch_size=64, epochs=5)
    ```

    References:
        Arjovsky, Chintala, Bottou. "Wasserstein GAN." ICML 2017, Algorithm 1.
        Gulrajani, Ahmed, Arjovsky, Dumoulin, Courville. "Improved Training
        of Wasserstein GANs." NeurIPS 2017, Algorithm 1.
        Petzka, Fischer, Lukovnicov. "On the regularization of Wasserstein
        GANs." ICLR 2018.
        Miyato, Kataoka, Koyama, Yoshida. "Spectral Normalization for
        Generative Adversarial Networks." ICLR 2018.
    """

    metric_names = ("d_loss", "g_loss", "wasserstein", "grad_norm")

    def __init__(self, generator, critic, lipschitz="gradient_penalty", n_critic=5, **kwargs):
        if "d_steps" in kwargs or "discriminator" in kwargs:
            raise ValueError(
                "WGAN takes `critic` and `n_critic` (not `discriminator`, `d_steps`)."
            )
        if isinstance(n_critic, bool) or not isinstance(n_critic, (int, np.integer)) or n_critic < 1:
            raise ValueError(f"`n_critic` must be an integer >= 1. Received: {n_critic!r}")
        self.lipschitz = lipschitz_lib.get(lipschitz)
        super().__init__(generator, critic, d_steps=int(n_critic), **kwargs)
        self.lipschitz.apply_to(self.discriminator)

    @property
    def critic(self):
        """The critic (the same model as `discriminator`)."""
        return self.discriminator

    @property
    def n_critic(self):
        """Critic updates per generator update (`d_steps`)."""
        return self.d_steps

    def default_optimizers(self):
        """The Lipschitz method's paper optimizers (see the class docstring)."""
        return self.lipschitz.default_optimizers()

    def discriminator_loss(self, real, z):
        fake = ops.stop_gradient(self.generator(z, training=True))
        real_out = self.discriminator(real, training=True)
        fake_out = self.discriminator(fake, training=True)
        loss = objectives.wasserstein_critic_loss(real_out, fake_out)
        norms = lipschitz_lib.interpolate_gradient_norms(
            self.discriminator, real, fake, seed=self.seed_generator
        )
        d_loss = loss + self.lipschitz.penalty(norms)
        return d_loss, {
            "d_loss": d_loss,
            "wasserstein": -loss,
            "grad_norm": ops.stop_gradient(ops.mean(norms)),
        }

    def generator_loss(self, real, z):
        fake_out = self.discriminator(self.generator(z, training=True), training=True)
        loss = objectives.wasserstein_generator_loss(fake_out)
        return loss, {"g_loss": loss}

    def get_config(self):
        config = super().get_config()
        config["critic"] = config.pop("discriminator")
        config["n_critic"] = config.pop("d_steps")
        config["lipschitz"] = lipschitz_lib.serialize(self.lipschitz)
        return config

    @classmethod
    def from_config(cls, config):
        config = copy.deepcopy(config)  # Keras deserialisation consumes its input
        for key in ("generator", "critic", "dtype", "lipschitz"):
            if isinstance(config.get(key), dict):
                config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)
