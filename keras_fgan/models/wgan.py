"""Wasserstein GAN (Arjovsky et al. 2017) with a choice of Lipschitz constraint."""

import keras

from keras_fgan import lipschitz as lipschitz_lib
from keras_fgan import losses
from keras_fgan import regularizers as regularizers_lib
from keras_fgan.models.adversarial_model import AdversarialModel
from keras_fgan.arguments import check_integer


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

    A preset of `AdversarialModel` with the loss `kf.losses.Wasserstein()`;
    the gradient penalty is one of its `regularizers`.

    Logged metrics: `d_loss` (critic loss, penalty included), `g_loss`,
    `wasserstein` (the critic's estimate `E[D(x)] - E[D(G(z))]`) and, with a
    gradient penalty, `grad_norm` (mean norm of the critic's input gradient
    on random interpolates of real and generated samples; about 1 for a
    critic that is tight and 1-Lipschitz). Weight clipping and spectral
    normalisation compute no input gradient; to log `grad_norm` with them,
    add `regularizers=[kf.regularizers.GradientNormMonitor()]` (one double
    backprop per critic step).

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
        **kwargs: see `AdversarialModel` (`regularizers`, further terms
            beside the penalty; `pack`, `ema`, `latent_prior`, `seed`, `name`).

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

    def __init__(self, generator, critic, lipschitz="gradient_penalty", n_critic=5, **kwargs):
        for key, use in (("d_steps", "n_critic"), ("discriminator", "critic"),
                         ("loss", "kf.AdversarialModel(loss=...)")):
            if key in kwargs:
                raise ValueError(
                    f"WGAN takes `critic`, `n_critic` and the Wasserstein loss; for `{key}` "
                    f"use {use}."
                )
        check_integer("n_critic", n_critic)
        self.lipschitz = lipschitz_lib.get(lipschitz)
        regularizers = list(kwargs.pop("regularizers", ()))
        if isinstance(self.lipschitz, regularizers_lib.Regularizer):
            regularizers.insert(0, self.lipschitz)
        super().__init__(
            generator, critic, loss=losses.Wasserstein(), regularizers=regularizers,
            d_steps=n_critic, **kwargs,
        )
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

    def describe(self):
        return f"WGAN(lipschitz={self.lipschitz!r})"

    def get_config(self):
        config = super().get_config()
        config.pop("loss")
        config["critic"] = config.pop("discriminator")
        config["n_critic"] = config.pop("d_steps")
        config["lipschitz"] = lipschitz_lib.serialize(self.lipschitz)
        config["regularizers"] = [
            regularizers_lib.serialize(r) for r in self.regularizers if r is not self.lipschitz
        ]
        return config
