"""The original GAN (Goodfellow et al. 2014), minimax or non-saturating."""

import keras

from keras_fgan import losses
from keras_fgan import objectives
from keras_fgan.models.adversarial_model import AdversarialModel


@keras.saving.register_keras_serializable(package="keras_fgan")
class GAN(AdversarialModel):
    """Generative adversarial network with a logit-output discriminator.

    A preset of `AdversarialModel` with the loss `kf.losses.NonSaturating()`
    or `kf.losses.Minimax()`: the discriminator minimises the binary
    cross-entropy `E[softplus(-D(x))] + E[softplus(D(G(z)))]`; the generator
    minimises `E[log(1 - sigmoid(D(G(z))))]` ("minimax") or
    `-E[log sigmoid(D(G(z)))]` ("non_saturating", the default).

    Args:
        generator: Keras model, latents -> samples.
        discriminator: Keras model, samples -> one logit each.
        loss: "non_saturating" or "minimax".
        **kwargs: see `AdversarialModel` (`regularizers`, `d_steps`, `pack`,
            `ema`, `latent_prior`, `seed`).

    Example:

    ```python
    gan = kf.GAN(generator, discriminator)
    gan.compile(d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
    gan.fit(x_train, batch_size=64, epochs=5)
    ```

    References:
        Goodfellow et al. "Generative Adversarial Nets." NeurIPS 2014, Eq. 1.
    """

    def __init__(self, generator, discriminator, loss="non_saturating", **kwargs):
        if loss not in objectives.GAN_GENERATOR_LOSSES:
            raise ValueError(
                f"Unknown GAN loss {loss!r}; valid: "
                f"{', '.join(objectives.GAN_GENERATOR_LOSSES)}."
            )
        self.loss_variant = loss
        super().__init__(generator, discriminator, loss=losses.get(loss), **kwargs)

    def describe(self):
        return f"GAN(loss={self.loss_variant!r})"

    def get_config(self):
        return {**super().get_config(), "loss": self.loss_variant}
