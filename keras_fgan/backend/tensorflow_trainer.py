"""TensorFlow gradient mechanics: `tf.GradientTape`, nested for double backprop."""

import tensorflow as tf


def input_gradients(fn, x):
    """d sum(fn(x)) / dx, recorded by any enclosing tape (double backprop)."""
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(fn(x))  # inside the tape, or the gradient is None
    return tape.gradient(total, x)


class AdversarialTrainer:
    """`train_step(data)` for Keras' TensorFlow trainer (run in a
    `tf.function`, with XLA when `jit_compile` is on)."""

    def train_step(self, data):
        return self.adversarial_step(data)

    def _optimize(self, loss_fn, variables, optimizer, *args):
        with tf.GradientTape() as tape:
            loss, logs = loss_fn(*args)
            scaled_loss = optimizer.scale_loss(loss)
        grads = tape.gradient(
            scaled_loss, variables, unconnected_gradients=tf.UnconnectedGradients.ZERO
        )
        optimizer.apply(grads, variables)
        return logs
