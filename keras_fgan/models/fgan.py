"""f-GAN: variational divergence minimisation (Nowozin et al. 2016)."""

import keras

from keras_fgan import losses
from keras_fgan.models.adversarial_model import AdversarialModel


@keras.saving.register_keras_serializable(package="keras_fgan")
class FGAN(AdversarialModel):
    """f-GAN over any divergence of `keras_fgan.divergences`.

    A preset of `AdversarialModel` with the loss
    `kf.losses.FGANLoss(divergence, generator_loss)`. The discriminator
    outputs an unconstrained value V(x); with T = g_f(V) it maximises the
    variational lower bound

        F = E_{x~P}[g_f(V(x))] - E_{z}[f*(g_f(V(G(z))))]

    (logged as `divergence`). The generator minimises F ("minimax") or
    maximises E_z[g_f(V(G(z)))] ("heuristic", Nowozin et al. 2016,
    Sec. 3.2); "auto" (the default) takes the divergence's
    `default_generator_loss`: heuristic for kl, pearson, the Jensen-Shannon
    family, gan, alpha and total variation; minimax for reverse_kl, neyman,
    squared_hellinger and jeffrey, which stall under the heuristic loss.

    Which loss minimises which divergence: with the optimal critic
    T* = f'(p/q), the minimax generator gradient is -E_P[grad T*] (the
    gradient of D_f(P || Q)) while the heuristic one is -E_Q[grad T*]. Both
    vanish at Q = P, so a generator family that contains the data
    distribution converges either way (the heuristic often faster); a
    misspecified generator converges to the optimum of the named divergence
    only with "minimax" (for kl, the heuristic gradient is that of the
    reverse KL). To see a divergence's mode-covering or mode-seeking
    character, use generator_loss="minimax", and start the generator
    narrower than the data for the mode-seeking ones (reverse_kl, neyman);
    from a wide start they stall at the symmetric covering saddle.

    Args:
        generator: Keras model, latents -> samples.
        discriminator: Keras model, samples -> one unconstrained value each
            (no output activation: `g_f` is applied by the objective).
        divergence: a name from `keras_fgan.divergences.names()` or an
            `FDivergence` (e.g. `divergences.get("alpha", alpha=0.5)`).
        generator_loss: "auto", "heuristic" or "minimax".
        **kwargs: see `AdversarialModel` (`regularizers`, `d_steps`, `pack`,
            `ema`, `latent_prior`, `seed`).

    References:
        Nowozin, Cseke, Tomioka. "f-GAN: Training Generative Neural Samplers
        using Variational Divergence Minimization." NeurIPS 2016, Eq. 6.
    """

    def __init__(
        self,
        generator,
        discriminator,
        divergence="jensen_shannon",
        generator_loss="auto",
        **kwargs,
    ):
        loss = losses.FGANLoss(divergence, generator_loss)
        self.divergence = loss.divergence
        self.generator_loss_variant = generator_loss
        super().__init__(generator, discriminator, loss=loss, **kwargs)

    def describe(self):
        return f"FGAN(divergence={self.divergence!r}, generator_loss={self.generator_loss_variant!r})"

    def get_config(self):
        config = super().get_config()
        config.pop("loss")
        return {**config, **self.adversarial_loss.get_config()}
