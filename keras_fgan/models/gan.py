"""The original GAN (Goodfellow et al. 2014), minimax or non-saturating."""

import keras

from keras_fgan import objectives
from keras_fgan.models.adversarial_model import AdversarialModel


@keras.saving.register_keras_serializable(package="keras_fgan")
class GAN(AdversarialModel):
    """Generative adversarial network with a logit-output discriminator.

    The discriminator minimises the binary cross-entropy
    `E[softplus(-D(x))] + E[softplus(D(G(z)))]`; the generator minimises
    `E[log(1 - sigmoid(D(G(z))))]` ("minimax") or
    `-E[log sigmoid(D(G(z)))]` ("non_saturating", the default).

    Args:
        generator: Keras model, latents -> samples.
        discriminator: Keras model, samples -> one logit each.
        loss: "non_saturating" or "minimax".
        **kwargs: see `AdversarialModel` (`latent_prior`, `d_steps`, `seed`).

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
        super().__init__(generator, discriminator, **kwargs)

    def discriminator_loss(self, real, z):
        real_out, fake_out = self.discriminate(real, z)
        loss = objectives.gan_discriminator_loss(real_out, fake_out)
        return loss, {"d_loss": loss}

    def generator_loss(self, real, z):
        fake_out = self.discriminator(self.generator(z, training=True), training=True)
        loss = objectives.gan_generator_loss(fake_out, loss=self.loss_variant)
        return loss, {"g_loss": loss}

    def describe(self):
        return f"GAN(loss={self.loss_variant!r})"

    def get_config(self):
        return {**super().get_config(), "loss": self.loss_variant}
