"""Discriminator regularizers from input gradients, usable with any loss.

A regularizer adds a term to the discriminator's loss computed from the
gradient of the discriminator with respect to its *input* (double backprop,
through the backend primitive `keras_fgan.backend.input_gradients`; the math
here is `keras.ops` only). Only a model that has a regularizer differentiates
through its inputs.

| name                 | class                       | term added to the discriminator loss            |
|----------------------|-----------------------------|-------------------------------------------------|
| `"gradient_penalty"` | `GradientPenalty(10.0)`     | w E[(norm(grad D(x_hat)) - 1)^2], x_hat interpolates |
| `"one_sided_penalty"`| `GradientPenalty(one_sided=True)` | w E[relu(norm(grad D(x_hat)) - 1)^2]      |
| `"r1"`               | `R1(gamma)`                 | gamma / 2 E_P[norm(grad D(x))^2], on real samples |
| `"r2"`               | `R2(gamma)`                 | gamma / 2 E_Q[norm(grad D(G(z)))^2], on generated samples |
| `"grad_norm"`        | `GradientNormMonitor()`     | 0; logs the interpolate gradient norm           |

A regularizer is called as `regularizer(discriminator, real, fake, seed)`
with the discriminator as a function of its input batch and the batches it
saw (packed, with `pack > 1`), and returns `(penalty, logs)`.

References:
    Gulrajani, Ahmed, Arjovsky, Dumoulin, Courville. "Improved Training of
    Wasserstein GANs." NeurIPS 2017.
    Petzka, Fischer, Lukovnicov. "On the regularization of Wasserstein GANs."
    ICLR 2018.
    Mescheder, Geiger, Nowozin. "Which Training Methods for GANs do actually
    Converge?" ICML 2018.
"""

import functools

import numpy as np

import keras
from keras import ops

from keras_fgan.arguments import check_number
from keras_fgan.backend import input_gradients
from keras_fgan.lipschitz import NORM_EPSILON
from keras_fgan.lipschitz import LipschitzConstraint
from keras_fgan.serializable import Serializable
from keras_fgan.serializable import get_registered

# ----------------------------------------------------------------- helpers --
def interpolates(real, fake, seed=None):
    """Random points on the segments between real and generated samples.

    Formula:
        x_hat = eps * x + (1 - eps) * G(z),   eps ~ U[0, 1], one per sample

    Args:
        real: a batch of samples, shape `(batch, ...)`.
        fake: a batch of generated samples of the same shape.
        seed: a `keras.random.SeedGenerator` (works under tracing), an int
            or None.
    """
    real = ops.cast(real, "float32")
    fake = ops.cast(fake, "float32")
    shape = (ops.shape(real)[0],) + (1,) * (len(real.shape) - 1)
    eps = keras.random.uniform(shape, seed=seed)
    return fake + eps * (real - fake)


def squared_gradient_norms(discriminator, x):
    """Per-sample `norm(grad_x D(x))^2`, differentiable in D's weights.

    Args:
        discriminator: a function of a batch of inputs returning scores.
        x: the input batch.
    """
    grads = input_gradients(discriminator, ops.cast(x, "float32"))
    squares = ops.square(ops.cast(grads, "float32"))
    return ops.sum(ops.reshape(squares, (ops.shape(squares)[0], -1)), axis=1)


def gradient_norms(discriminator, x):
    """Per-sample `norm(grad_x D(x))`, safe at a zero gradient:
    `sqrt(sum(g^2) + 1e-12)` has a finite derivative there, where
    `sqrt(sum(g^2))` gives NaN."""
    return ops.sqrt(squared_gradient_norms(discriminator, x) + NORM_EPSILON)


# ------------------------------------------------------------------ classes --
class Regularizer(Serializable):
    """Base class: a term added to the discriminator's loss.

    Subclasses set `name` (their registry name) and `metric_names` (the
    values they log) and implement `__call__`.
    """

    name = None
    metric_names = ()

    def __call__(self, discriminator, real, fake, seed=None):
        """Returns `(penalty, logs)`.

        Args:
            discriminator: the discriminator as a function of an input batch.
            real: the real batch the discriminator saw.
            fake: the generated batch it saw (no gradient to the generator).
            seed: the model's `keras.random.SeedGenerator`.
        """
        raise NotImplementedError


@keras.saving.register_keras_serializable(package="keras_fgan")
class GradientPenalty(Regularizer, LipschitzConstraint):
    """Penalises the discriminator's input-gradient norm on random interpolates.

    For x ~ P, G(z) ~ Q and eps ~ U[0, 1] per sample, x_hat = eps x +
    (1 - eps) G(z). Usable with any loss; with `kf.WGAN` it is the critic's
    Lipschitz constraint (`lipschitz=GradientPenalty(10.0)`). Logs
    `grad_norm`, the mean norm on the interpolates (about 1 for a tight
    1-Lipschitz critic).

    Formula:
        two-sided (WGAN-GP):  weight * E[(|grad_x D(x_hat)| - target)^2]
        one-sided (WGAN-LP):  weight * E[max(0, |grad_x D(x_hat)| - target)^2]

    Args:
        weight: lambda >= 0 (the papers use 10).
        target: the norm aimed at, > 0 (1 for a 1-Lipschitz critic).
        one_sided: penalise only norms above `target` (Petzka et al. 2018).

    References:
        Gulrajani et al. "Improved Training of Wasserstein GANs." NeurIPS
        2017, Eq. 3 and Algorithm 1.
        Petzka, Fischer, Lukovnicov. "On the regularization of Wasserstein
        GANs." ICLR 2018, Eq. 8.
    """

    metric_names = ("grad_norm",)

    def __init__(self, weight=10.0, target=1.0, one_sided=False):
        self.weight = check_number("weight", weight, minimum=0.0, inclusive=True)
        self.target = check_number("target", target, minimum=0.0, inclusive=False)
        if not isinstance(one_sided, (bool, np.bool_)):
            raise ValueError(f"`one_sided` must be True or False. Received: {one_sided!r}")
        self.one_sided = bool(one_sided)

    @property
    def name(self):
        return "one_sided_penalty" if self.one_sided else "gradient_penalty"

    def penalty(self, gradient_norms):
        """The penalty from per-sample gradient norms."""
        excess = ops.cast(gradient_norms, "float32") - self.target
        if self.one_sided:
            excess = ops.relu(excess)
        return self.weight * ops.mean(ops.square(excess))

    def __call__(self, discriminator, real, fake, seed=None):
        norms = gradient_norms(discriminator, interpolates(real, fake, seed))
        return self.penalty(norms), {"grad_norm": ops.stop_gradient(ops.mean(norms))}

    def default_optimizers(self):
        """Adam(1e-4, beta_1=0, beta_2=0.9) for both networks (Gulrajani et
        al. 2017, Algorithm 1)."""
        return tuple(
            keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9) for _ in range(2)
        )

    def get_config(self):
        return {"weight": self.weight, "target": self.target, "one_sided": self.one_sided}


class _ZeroCentredPenalty(Regularizer):
    """gamma / 2 * E[norm(grad D)^2] on one side of the batch (R1 or R2)."""

    def __init__(self, gamma=10.0):
        self.gamma = check_number("gamma", gamma, minimum=0.0, inclusive=True)

    def _penalise(self, discriminator, x):
        penalty = 0.5 * self.gamma * ops.mean(squared_gradient_norms(discriminator, x))
        return penalty, {self.name: ops.stop_gradient(penalty)}

    def get_config(self):
        return {"gamma": self.gamma}


@keras.saving.register_keras_serializable(package="keras_fgan")
class R1(_ZeroCentredPenalty):
    """Zero-centred gradient penalty on real samples (logged as `r1`).

    Formula:
        gamma / 2 * E_{x~P}[norm(grad_x D(x))^2]

    Args:
        gamma: weight >= 0 (Mescheder et al. use 10 on images; R3GAN
            schedules it).

    References:
        Mescheder, Geiger, Nowozin. "Which Training Methods for GANs do
        actually Converge?" ICML 2018, Eq. 9.
        Huang et al. "The GAN is dead; long live the GAN!" NeurIPS 2024, Eq. 5.
    """

    name = "r1"
    metric_names = ("r1",)

    def __call__(self, discriminator, real, fake, seed=None):
        return self._penalise(discriminator, real)


@keras.saving.register_keras_serializable(package="keras_fgan")
class R2(_ZeroCentredPenalty):
    """Zero-centred gradient penalty on generated samples (logged as `r2`).

    Formula:
        gamma / 2 * E_{z}[norm(grad_x D(G(z)))^2]

    Args:
        gamma: weight >= 0.

    References:
        Mescheder, Geiger, Nowozin 2018, Eq. 10.
        Huang et al. 2024, Eq. 5 (R1 + R2 make the relativistic game
        converge locally).
    """

    name = "r2"
    metric_names = ("r2",)

    def __call__(self, discriminator, real, fake, seed=None):
        return self._penalise(discriminator, fake)


@keras.saving.register_keras_serializable(package="keras_fgan")
class GradientNormMonitor(Regularizer):
    """Adds nothing; logs `grad_norm`, the mean input-gradient norm of the
    discriminator on random interpolates (as `GradientPenalty` does).

    A diagnostic for critics kept Lipschitz by a constraint (weight clipping,
    spectral normalisation), which otherwise compute no input gradient. It
    costs one double backprop per discriminator step.
    """

    name = "grad_norm"
    metric_names = ("grad_norm",)

    def __call__(self, discriminator, real, fake, seed=None):
        norms = gradient_norms(discriminator, interpolates(real, fake, seed))
        return ops.convert_to_tensor(0.0, "float32"), {
            "grad_norm": ops.stop_gradient(ops.mean(norms))
        }


# ---------------------------------------------------------------- registry --
_FACTORIES = {
    "gradient_penalty": GradientPenalty,
    "one_sided_penalty": functools.partial(GradientPenalty, one_sided=True),
    "r1": R1,
    "r2": R2,
    "grad_norm": GradientNormMonitor,
}


def names():
    """The registered regularizer names, accepted by `get`."""
    return tuple(_FACTORIES)


def serialize(regularizer):
    """A JSON-serialisable config of a regularizer."""
    return keras.saving.serialize_keras_object(get(regularizer))


def get(identifier):
    """A `Regularizer` from an instance, a name or a config.

    Args:
        identifier: a `Regularizer` (returned as is), a name of `names()`
            (default parameters), a dict `{"name": ..., **params}` (e.g.
            `{"name": "r1", "gamma": 0.1}`), or a config from `serialize`.

    Raises:
        ValueError: an unknown name, invalid parameters, or another type.
    """
    return get_registered(identifier, _FACTORIES, Regularizer, "regularizer")
