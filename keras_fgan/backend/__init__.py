"""Gradient mechanics per backend, chosen once at import time.

Each backend module provides `AdversarialTrainer`, a mixin for
`keras.Model` with the backend's `train_step` and `_optimize` (one gradient
step of a loss for one variable group with one optimizer), and
`input_gradients(fn, x)`, the gradient of `sum(fn(x))` with respect to `x`
that can itself be differentiated (double backprop, for gradient penalties),
and `call_network(network, inputs, training, gradient=True)`, a network's
forward pass (on PyTorch without Keras' per-layer call wrapper where that is
safe, see `torch_direct_call`; with `gradient=False` its outputs carry no
gradient, and PyTorch records no autograd graph for it). A step's
bookkeeping goes through `random_normal(shape, seed)`,
`random_uniform(shape, minval, maxval, seed)`, `track_means(trackers,
values)` and `record_first_nonfinite(variable, iteration, *losses)`: Keras'
own calls (`keras_step_ops`), except on PyTorch, where `torch_step_ops`
computes the same values without Keras' per-op overhead.
These are the only modules that import tensorflow, jax or torch for training.
"""

import keras

_BACKEND = keras.backend.backend()

if _BACKEND == "tensorflow":
    from keras_fgan.backend.tensorflow_trainer import AdversarialTrainer
    from keras_fgan.backend.tensorflow_trainer import input_gradients
elif _BACKEND == "jax":
    from keras_fgan.backend.jax_trainer import AdversarialTrainer
    from keras_fgan.backend.jax_trainer import input_gradients
elif _BACKEND == "torch":
    from keras_fgan.backend.torch_trainer import AdversarialTrainer
    from keras_fgan.backend.torch_trainer import input_gradients
else:
    raise ImportError(
        f"keras-fgan supports the tensorflow, jax and torch backends; "
        f"KERAS_BACKEND is {_BACKEND!r}. Set KERAS_BACKEND to one of those."
    )

if _BACKEND == "torch":
    from keras_fgan.backend.torch_direct_call import call_network
    from keras_fgan.backend.torch_step_ops import random_normal
    from keras_fgan.backend.torch_step_ops import random_uniform
    from keras_fgan.backend.torch_step_ops import record_first_nonfinite
    from keras_fgan.backend.torch_step_ops import track_means
else:
    from keras_fgan.backend.keras_step_ops import call_network
    from keras_fgan.backend.keras_step_ops import random_normal
    from keras_fgan.backend.keras_step_ops import random_uniform
    from keras_fgan.backend.keras_step_ops import record_first_nonfinite
    from keras_fgan.backend.keras_step_ops import track_means

__all__ = [
    "AdversarialTrainer",
    "call_network",
    "input_gradients",
    "random_normal",
    "random_uniform",
    "record_first_nonfinite",
    "track_means",
]
