"""Lipschitz constraints for a Wasserstein critic.

The Kantorovich-Rubinstein dual of W1 maximises `E_P[f] - E_Q[f]` over
1-Lipschitz functions f. A neural critic is kept (roughly) 1-Lipschitz in one
of three ways, each an object with the same small interface
(`LipschitzConstraint`), so `keras_fgan.WGAN` treats them alike:

| object                            | how                                      | string                |
|-----------------------------------|------------------------------------------|-----------------------|
| `WeightClip(0.01)`                | clip every critic weight to [-c, c]      | `"weight_clip"`       |
| `GradientPenalty(10.0)`           | add weight (norm(grad D(x_hat)) - 1)^2   | `"gradient_penalty"`  |
| `GradientPenalty(one_sided=True)` | add weight relu(norm(grad D) - 1)^2      | `"one_sided_penalty"` |
| `SpectralNorm()`                  | divide each kernel by its sigma_max      | `"spectral_norm"`     |

`WeightClip` and `SpectralNorm` are `keras.constraints.Constraint`s:
`apply_to(critic)` sets them as the `constraint` of the critic's variables,
and every Keras optimizer applies a variable's constraint after each update on
every backend (inside JAX's `stateless_apply` too), so they need no backend
code and no input gradient. `GradientPenalty` is a regularizer instead
(defined in `keras_fgan.regularizers`, usable with any loss, and reachable
here as `keras_fgan.lipschitz.GradientPenalty`): a term added to the critic
loss from the critic's input gradients.

References:
    Arjovsky, Chintala, Bottou. "Wasserstein GAN." ICML 2017.
    Gulrajani, Ahmed, Arjovsky, Dumoulin, Courville. "Improved Training of
    Wasserstein GANs." NeurIPS 2017.
    Petzka, Fischer, Lukovnicov. "On the regularization of Wasserstein GANs."
    ICLR 2018.
    Miyato, Kataoka, Koyama, Yoshida. "Spectral Normalization for Generative
    Adversarial Networks." ICLR 2018.
"""

import functools
import math

import numpy as np

import keras
from keras import ops

from keras_fgan.arguments import check_integer
from keras_fgan.arguments import check_number
from keras_fgan.serializable import Serializable
from keras_fgan.serializable import get_registered

# Added under the square root of a gradient norm, so its derivative stays
# finite (0, not NaN) where the gradient is exactly zero.
NORM_EPSILON = 1e-12


class LipschitzConstraint(Serializable):
    """Interface of the ways to keep a critic (approximately) 1-Lipschitz.

    Subclasses override what they need:

    - `apply_to(critic)`: change the critic once, at model construction
      (e.g. attach weight constraints); by default it only removes the
      Lipschitz constraints attached to it before.
    - `penalty(gradient_norms)`: a scalar added to the critic loss, from the
      per-sample norms of the critic's input gradient on random interpolates
      of real and generated samples; 0 by default.
    - `default_optimizers()`: the `(critic, generator)` optimizers of the
      method's paper.
    """

    def apply_to(self, critic):
        """Prepares `critic` (a Keras model) for this constraint.

        The base version removes any Lipschitz constraint attached to the
        critic's variables before (by another model, or a layer's
        `kernel_constraint=WeightClip(...)`), so the critic ends with exactly
        this model's constraint.
        """
        for variable in critic.trainable_variables:
            if isinstance(variable.constraint, LipschitzConstraint):
                variable.constraint = None

    def penalty(self, gradient_norms):
        """Scalar critic-loss term from per-sample input-gradient norms."""
        del gradient_norms
        return ops.convert_to_tensor(0.0, "float32")

    def default_optimizers(self):
        """`(d_optimizer, g_optimizer)`, two new optimizer instances."""
        raise NotImplementedError


class _VariableConstraint(LipschitzConstraint, keras.constraints.Constraint):
    """A Lipschitz constraint enforced as a Keras variable constraint."""

    def constrains(self, variable):
        """Whether this constraint applies to a critic variable."""
        raise NotImplementedError

    def apply_to(self, critic):
        """Sets `self` as the `constraint` of the critic's trainable variables
        it applies to (replacing any constraint they had) and projects their
        current values at once."""
        super().apply_to(critic)
        for variable in critic.trainable_variables:
            if self.constrains(variable):
                variable.constraint = self
                variable.assign(self(variable))


@keras.saving.register_keras_serializable(package="keras_fgan")
class WeightClip(_VariableConstraint):
    """Clips every weight to `[-clip_value, clip_value]` after each update.

    Usable on any layer (`keras.layers.Dense(8,
    kernel_constraint=WeightClip(0.01))`); `WGAN` applies it to every
    trainable variable of the critic, kernels and biases alike, as in
    Arjovsky et al. (2017, Algorithm 1).

    Formula:
        w <- clip(w, -c, c)

    Args:
        clip_value: c > 0 (the paper's default is 0.01).

    References:
        Arjovsky, Chintala, Bottou. "Wasserstein GAN." ICML 2017, Algorithm 1.
    """

    def __init__(self, clip_value=0.01):
        self.clip_value = check_number("clip_value", clip_value, minimum=0.0, inclusive=False)

    def __call__(self, w):
        return ops.clip(w, -self.clip_value, self.clip_value)

    def constrains(self, variable):
        return True

    def default_optimizers(self):
        """RMSprop(5e-5) for both networks (Arjovsky et al. 2017)."""
        return keras.optimizers.RMSprop(5e-5), keras.optimizers.RMSprop(5e-5)

    def get_config(self):
        return {"clip_value": self.clip_value}


@functools.lru_cache(maxsize=None)
def start_vector(k):
    """The fixed start vector of `SpectralNorm`'s last power step, (k, 1)."""
    return np.random.default_rng(0).standard_normal((k, 1)).astype("float32")


@keras.saving.register_keras_serializable(package="keras_fgan")
class SpectralNorm(_VariableConstraint):
    """Spectral normalisation, as a constraint on every critic kernel.

    After each optimizer update, each kernel (every trainable variable of rank
    >= 2, reshaped to a matrix `(-1, units)` as in Miyato et al.) is divided
    by its largest singular value sigma. With 1-Lipschitz activations (ReLU,
    LeakyReLU, tanh) the critic is then 1-Lipschitz (biases are left free).

    Design choices. This is Miyato et al.'s normalisation applied as a
    projection after each step (the same fixed point, sigma(W) = 1) rather
    than as a re-parametrisation `W / sigma(W)` in the forward pass. It
    leaves the critic's architecture untouched, so a critic saves and loads
    as it is, and it runs through each optimizer's constraint hook, the same
    on TensorFlow, JAX and PyTorch; `keras.layers.SpectralNormalization`
    instead assigns to the kernel inside the forward pass, which gradient
    tapes and JAX's stateless training step treat differently, and needs a
    rebuilt critic. The estimate of sigma is stateless (a persistent power
    iteration vector could not be updated inside JAX's `stateless_apply`), so
    instead of Miyato's one warm-started step per update it runs many power
    iterations cheaply: `power_iterations = 2^s` iterations on the smaller
    Gram matrix G (`W^T W` or `W W^T`, k x k with k = min of W's two sides)
    are `s` repeated squarings of G, normalised each time, then one product
    with a fixed start vector. That costs about `s k^3` flops (k <= a few
    hundred for the usual critics) and has no convergence problem when the
    top singular values are close, where plain power iteration is slow. For a
    convolution, the reshaped kernel's norm is Miyato's approximation of the
    operator norm, not a bound on it.

    Formula:
        W <- W / sigma(W),   sigma(W) = max_{|v| = 1} |W v|

    Args:
        power_iterations: effective power iterations (>= 1), rounded up to a
            power of two; the default 256 is exact to float32 precision
            unless the top two singular values agree to about 0.1%, where
            either is an equally good sigma.

    References:
        Miyato, Kataoka, Koyama, Yoshida. "Spectral Normalization for
        Generative Adversarial Networks." ICLR 2018, Sec. 2.1 and App. A.
    """

    def __init__(self, power_iterations=256):
        self.power_iterations = check_integer("power_iterations", power_iterations)

    def spectral_norm(self, w):
        """The largest singular value of `w` reshaped to `(-1, w.shape[-1])`."""
        matrix = ops.reshape(ops.cast(w, "float32"), (-1, w.shape[-1]))
        wide = matrix.shape[0] < matrix.shape[1]
        if wide:
            matrix = ops.transpose(matrix)  # rows >= columns: the Gram is the small side
        gram = ops.matmul(ops.transpose(matrix), matrix)
        for _ in range(math.ceil(math.log2(self.power_iterations))):
            gram = ops.matmul(gram, gram)
            gram = gram / ops.maximum(ops.norm(gram), NORM_EPSILON)
        v = ops.normalize(ops.matmul(gram, start_vector(matrix.shape[1])), axis=0)
        return ops.norm(ops.matmul(matrix, v))

    def __call__(self, w):
        sigma = ops.maximum(self.spectral_norm(w), NORM_EPSILON)
        return ops.cast(ops.divide(ops.cast(w, "float32"), sigma), w.dtype)

    def constrains(self, variable):
        return len(variable.shape) >= 2

    def default_optimizers(self):
        """Adam(1e-4, beta_1=0.5, beta_2=0.9) for both networks: Miyato et
        al.'s setting A (their Table 1, the WGAN-GP setting, n_dis = 5)."""
        return tuple(
            keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9) for _ in range(2)
        )

    def get_config(self):
        return {"power_iterations": self.power_iterations}


# ---------------------------------------------------------------- registry --
def _gradient_penalty(**params):
    from keras_fgan.regularizers import GradientPenalty

    return GradientPenalty(**params)


_FACTORIES = {
    "weight_clip": WeightClip,
    "gradient_penalty": _gradient_penalty,
    "one_sided_penalty": functools.partial(_gradient_penalty, one_sided=True),
    "spectral_norm": SpectralNorm,
}

# The constraints that are a penalty with a weight (Gulrajani et al. 2017,
# Eq. 3, and its one-sided variant) rather than a bound on the weights.
PENALTIES = ("gradient_penalty", "one_sided_penalty")

# The gradient penalty and its helpers live in `keras_fgan.regularizers`
# (usable with any loss); they are reachable here too, where WGAN users
# look for them.
_FROM_REGULARIZERS = ("GradientPenalty", "interpolates", "gradient_norms")


def __getattr__(name):
    if name in _FROM_REGULARIZERS:
        from keras_fgan import regularizers

        return getattr(regularizers, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def names():
    """The strings accepted by `get`."""
    return tuple(_FACTORIES)


def serialize(constraint):
    """A JSON-serialisable config of a `LipschitzConstraint`."""
    return keras.saving.serialize_keras_object(constraint)


def deserialize(config):
    """Inverse of `serialize`."""
    constraint = keras.saving.deserialize_keras_object(config)
    if not isinstance(constraint, LipschitzConstraint):
        raise ValueError(f"Not a Lipschitz constraint config: {config!r}")
    return constraint


def get(identifier):
    """A `LipschitzConstraint` from an instance, a name or a config.

    Args:
        identifier: a `LipschitzConstraint` (returned as is); one of
            `names()` ("weight_clip", "gradient_penalty",
            "one_sided_penalty", "spectral_norm"), giving the paper's
            defaults; a dict `{"name": ..., **params}`; or a dict from
            `serialize`.

    Raises:
        ValueError: an unknown name or an invalid identifier.
    """
    return get_registered(identifier, _FACTORIES, LipschitzConstraint, "Lipschitz constraint")
