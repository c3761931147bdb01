"""Adversarial losses as serialisable objects, usable with any adversarial model.

A loss says what the two players minimise, from the discriminator's scores on
real samples and on generated samples:

- `discriminator_loss(real_scores, fake_scores)`: minimised by the
  discriminator (or critic);
- `generator_loss(real_scores, fake_scores)`: minimised by the generator.
  `real_scores` is None unless the loss sets `generator_needs_real`
  (the relativistic loss does), so other losses save that forward pass;
- `metrics(real_scores, fake_scores)`: extra values the model logs (the f-GAN
  bound, the Wasserstein estimate), named in `metric_names`.

The math is written once, in `keras_fgan.objectives` (`keras.ops` only); these
classes pair each function with a name and a config, as `keras.losses` pairs a
loss function with its class. Every loss works with every regularizer of
`keras_fgan.regularizers` and with packing (`AdversarialModel(pack=m)`).

| name               | class            | discriminator minimises             | generator minimises      |
|--------------------|------------------|-------------------------------------|--------------------------|
| `"minimax"`        | `Minimax`        | softplus(-D(x)) + softplus(D(G(z))) | -softplus(D(G(z)))       |
| `"non_saturating"` | `NonSaturating`  | softplus(-D(x)) + softplus(D(G(z))) | softplus(-D(G(z)))       |
| `"fgan"`           | `FGANLoss`       | -(E_P[g_f(V)] - E_Q[f*(g_f(V))])    | heuristic or minimax     |
| `"wasserstein"`    | `Wasserstein`    | D(G(z)) - D(x)                      | -D(G(z))                 |
| `"hinge"`          | `Hinge`          | relu(1 - D(x)) + relu(1 + D(G(z)))  | -D(G(z))                 |
| `"relativistic"`   | `Relativistic`   | softplus(D(G(z)) - D(x))            | softplus(D(x) - D(G(z))) |

(each term averaged over the batch).

Example:

```python
loss = kf.losses.get("relativistic")
model = kf.AdversarialModel(generator, discriminator, loss=loss,
                            regularizers=[kf.regularizers.R1(0.1), kf.regularizers.R2(0.1)])
```
"""

import keras
from keras import ops

from keras_fgan import divergences
from keras_fgan import objectives
from keras_fgan.serializable import Serializable
from keras_fgan.serializable import get_registered


class AdversarialLoss(Serializable):
    """Base class of the adversarial losses.

    Subclasses set `name` (their registry name) and implement
    `discriminator_loss` and `generator_loss`; they may log extra values
    (`metric_names`, `metrics`) and ask for the real scores in the
    generator's step (`generator_needs_real = True`).
    """

    name = None
    metric_names = ()
    generator_needs_real = False

    def discriminator_loss(self, real_scores, fake_scores):
        """The scalar the discriminator minimises."""
        raise NotImplementedError

    def generator_loss(self, real_scores, fake_scores):
        """The scalar the generator minimises (`real_scores` is None unless
        `generator_needs_real`)."""
        raise NotImplementedError

    def metrics(self, real_scores, fake_scores):
        """Extra values logged after each discriminator step, keyed by
        `metric_names`."""
        del real_scores, fake_scores
        return {}


@keras.saving.register_keras_serializable(package="keras_fgan")
class NonSaturating(AdversarialLoss):
    """The GAN's cross-entropy with the non-saturating generator loss.

    The discriminator outputs logits.

    Formula:
        discriminator: E[softplus(-D(x))] + E[softplus(D(G(z)))]
        generator:     E[softplus(-D(G(z)))] = -E[log sigmoid(D(G(z)))]

    References:
        Goodfellow et al. "Generative Adversarial Nets." NeurIPS 2014, Eq. 1
        and Sec. 3.
    """

    name = "non_saturating"

    def discriminator_loss(self, real_scores, fake_scores):
        return objectives.gan_discriminator_loss(real_scores, fake_scores)

    def generator_loss(self, real_scores, fake_scores):
        return objectives.gan_generator_loss(fake_scores, loss="non_saturating")


@keras.saving.register_keras_serializable(package="keras_fgan")
class Minimax(NonSaturating):
    """The GAN's original minimax game (saturating generator loss).

    Formula:
        discriminator: E[softplus(-D(x))] + E[softplus(D(G(z)))]
        generator:     E[log(1 - sigmoid(D(G(z))))] = -E[softplus(D(G(z)))]

    References:
        Goodfellow et al. 2014, Eq. 1.
    """

    name = "minimax"

    def generator_loss(self, real_scores, fake_scores):
        return objectives.gan_generator_loss(fake_scores, loss="minimax")


@keras.saving.register_keras_serializable(package="keras_fgan")
class FGANLoss(AdversarialLoss):
    """f-GAN: variational divergence minimisation for any f-divergence.

    The discriminator outputs an unconstrained value V; with T = g_f(V) it
    maximises the variational lower bound F (logged as `divergence`).

    Formula:
        discriminator: -F = -(E_P[g_f(V(x))] - E_Q[f*(g_f(V(G(z))))])
        generator, "minimax":   -E_Q[f*(g_f(V(G(z))))]
        generator, "heuristic": -E_Q[g_f(V(G(z)))]
        "auto": the divergence's `default_generator_loss`.

    Args:
        divergence: a name of `keras_fgan.divergences.names()`, an
            `FDivergence`, or its serialised dict.
        generator_loss: "auto", "heuristic" or "minimax".

    References:
        Nowozin, Cseke, Tomioka. "f-GAN: Training Generative Neural Samplers
        using Variational Divergence Minimization." NeurIPS 2016, Eq. 6 and
        Sec. 3.2.
    """

    name = "fgan"
    metric_names = ("divergence",)

    def __init__(self, divergence="jensen_shannon", generator_loss="auto"):
        if generator_loss not in objectives.F_GAN_GENERATOR_LOSSES:
            raise ValueError(
                f"Unknown f-GAN generator_loss {generator_loss!r}; valid: "
                f"{', '.join(objectives.F_GAN_GENERATOR_LOSSES)}."
            )
        self.divergence = divergences.get(divergence)
        self.generator_loss_variant = generator_loss

    def discriminator_loss(self, real_scores, fake_scores):
        return objectives.f_gan_discriminator_loss(real_scores, fake_scores, self.divergence)

    def generator_loss(self, real_scores, fake_scores):
        return objectives.f_gan_generator_loss(
            fake_scores, self.divergence, loss=self.generator_loss_variant
        )

    def metrics(self, real_scores, fake_scores):
        bound = objectives.f_gan_bound(real_scores, fake_scores, self.divergence)
        return {"divergence": ops.stop_gradient(bound)}

    def get_config(self):
        return {
            "divergence": divergences.serialize(self.divergence),
            "generator_loss": self.generator_loss_variant,
        }


@keras.saving.register_keras_serializable(package="keras_fgan")
class Wasserstein(AdversarialLoss):
    """The Wasserstein-1 loss of a critic (logs the estimate `wasserstein`).

    Meaningful only with a (roughly) 1-Lipschitz critic: pair it with
    `keras_fgan.regularizers.GradientPenalty` or a Lipschitz constraint of
    `keras_fgan.lipschitz` (`kf.WGAN` does).

    Formula:
        critic:    E[D(G(z))] - E[D(x)]
        generator: -E[D(G(z))]

    References:
        Arjovsky, Chintala, Bottou. "Wasserstein GAN." ICML 2017, Eq. 3 and
        Algorithm 1.
    """

    name = "wasserstein"
    metric_names = ("wasserstein",)

    def discriminator_loss(self, real_scores, fake_scores):
        return objectives.wasserstein_critic_loss(real_scores, fake_scores)

    def generator_loss(self, real_scores, fake_scores):
        return objectives.wasserstein_generator_loss(fake_scores)

    def metrics(self, real_scores, fake_scores):
        return {
            "wasserstein": ops.stop_gradient(
                -objectives.wasserstein_critic_loss(real_scores, fake_scores)
            )
        }


@keras.saving.register_keras_serializable(package="keras_fgan")
class Hinge(AdversarialLoss):
    """The hinge loss (geometric GAN), usually with spectral normalisation.

    Formula:
        discriminator: E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]
        generator:     -E[D(G(z))]

    References:
        Lim and Ye. "Geometric GAN." arXiv:1705.02894, 2017, Eq. 10-11.
        Miyato, Kataoka, Koyama, Yoshida. "Spectral Normalization for
        Generative Adversarial Networks." ICLR 2018, Eq. 17.
    """

    name = "hinge"

    def discriminator_loss(self, real_scores, fake_scores):
        return objectives.hinge_discriminator_loss(real_scores, fake_scores)

    def generator_loss(self, real_scores, fake_scores):
        return objectives.hinge_generator_loss(fake_scores)


@keras.saving.register_keras_serializable(package="keras_fgan")
class Relativistic(AdversarialLoss):
    """Relativistic pairing GAN (RpGAN): scores the difference of a real and
    a generated sample, paired by batch position.

    With the zero-centred gradient penalties R1 and R2
    (`keras_fgan.regularizers`) this is the R3GAN objective, whose
    regularised game converges locally (Huang et al. 2024, Sec. 3).

    Formula:
        discriminator: E[softplus(D(G(z)) - D(x))]
        generator:     E[softplus(D(x) - D(G(z)))]

    References:
        Jolicoeur-Martineau. "The relativistic discriminator: a key element
        missing from standard GAN." ICLR 2019, Eq. 8-9.
        Huang, Gokaslan, Kuleshov, Tompkin. "The GAN is dead; long live the
        GAN! A Modern GAN Baseline." NeurIPS 2024, Eq. 2 and 5.
    """

    name = "relativistic"
    generator_needs_real = True

    def discriminator_loss(self, real_scores, fake_scores):
        return objectives.relativistic_discriminator_loss(real_scores, fake_scores)

    def generator_loss(self, real_scores, fake_scores):
        return objectives.relativistic_generator_loss(real_scores, fake_scores)


_REGISTRY = {
    cls.name: cls for cls in (Minimax, NonSaturating, FGANLoss, Wasserstein, Hinge, Relativistic)
}


def names():
    """The registered loss names, accepted by `get`."""
    return tuple(_REGISTRY)


def serialize(loss):
    """A JSON-serialisable config of a loss (inverse: `get` / `deserialize`)."""
    return keras.saving.serialize_keras_object(get(loss))


def deserialize(config):
    """A loss from `serialize`'s config."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Not an adversarial loss config. Received: {config!r}")
    return get(config)


def get(identifier):
    """An `AdversarialLoss` from an instance, a name or a config.

    Args:
        identifier: an `AdversarialLoss` (returned as is); a name of
            `names()` (default parameters); a dict `{"name": ..., **params}`
            (e.g. `{"name": "fgan", "divergence": "kl"}`); or a config from
            `serialize`.

    Raises:
        ValueError: an unknown name, unknown parameters, or another type.
    """
    return get_registered(identifier, _REGISTRY, AdversarialLoss, "adversarial loss")
