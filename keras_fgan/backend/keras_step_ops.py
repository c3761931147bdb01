"""A training step's forward passes and bookkeeping through Keras' own
calls: what TensorFlow and JAX run (they trace the step once, so Keras'
per-call work costs nothing per step). PyTorch runs the same functions
from `torch_direct_call` and `torch_step_ops`."""

import keras
from keras import ops


def call_network(network, inputs, training, gradient=True):
    """`network(inputs, training=training)` (traced once by TensorFlow
    and JAX, so Keras' per-call work costs nothing per step), under
    `stop_gradient` when `gradient` is False."""
    outputs = network(inputs, training=training)
    return outputs if gradient else keras.tree.map_structure(ops.stop_gradient, outputs)


def random_normal(shape, seed):
    """`keras.random.normal(shape, seed=seed)`."""
    return keras.random.normal(shape, seed=seed)


def random_uniform(shape, minval, maxval, seed):
    """`keras.random.uniform(shape, minval, maxval, seed=seed)`."""
    return keras.random.uniform(shape, minval, maxval, seed=seed)


def track_means(trackers, values):
    """Updates each `keras.metrics.Mean` of `trackers` with
    `values[tracker.name]`; returns `{name: mean so far}`."""
    for tracker in trackers:
        tracker.update_state(values[tracker.name])
    return {tracker.name: tracker.result() for tracker in trackers}


def record_first_nonfinite(variable, iteration, *losses):
    """Sets the int32 `variable` to `iteration` if it is still negative
    and a loss of `losses` is NaN or infinite."""
    # A sum is finite only if every term is (inf - inf is NaN).
    finite = ops.isfinite(sum(ops.sum(loss) for loss in losses))
    recorded = variable.value
    first = ops.logical_and(ops.logical_not(finite), recorded < 0)
    variable.assign(ops.where(first, ops.cast(iteration, "int32"), recorded))
