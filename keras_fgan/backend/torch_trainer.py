"""PyTorch gradient mechanics: `torch.autograd.grad`, `create_graph` for
double backprop.

Keras' PyTorch trainer runs one eager step per call. This one also runs
`steps_per_execution` steps per call (Keras refuses values above 1 on
PyTorch), so callbacks and log handling run once per k steps, it runs
small steps on one CPU thread (`single_thread_step`), and it applies Keras'
Adam and RMSprop with fewer kernels (`torch_optimizers`).
"""

import contextlib

import keras
import torch

from keras_fgan.backend.torch_optimizers import fast_apply

# PyTorch splits a CPU kernel over its OpenMP threads once the tensor has
# 32768 elements (its GRAIN_SIZE); the 2-D reference MLPs sit just above
# (batch 256 x width 128 = 32768, PacGAN's 100 x 400 = 40000). Each split is
# a thread fork and barrier: worth nothing at that size, and when the CPU
# runs more threads than it has cores, a barrier waits for a descheduled
# thread. Measured on 2 shared cores: a README-MLP step 10-28x slower with 2
# threads than with 1; dcgan28 tensors (800k elements) keep torch's threads.
SMALL_STEP_ELEMENTS = 2**18


def input_gradients(fn, x):
    """d sum(fn(x)) / dx with a graph, so the result can be differentiated."""
    x = x.detach().requires_grad_(True)
    y = fn(x)
    (grad,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    return grad


def largest_step_tensor(model, batch_size):
    """Elements of the largest weight or layer output of `model` at
    `batch_size`, or None when a layer's output shape is unknown (a
    subclassed network, a dynamic dimension)."""
    largest = max((int(v.value.numel()) for v in model.weights), default=0)
    for layer in model._flatten_layers(include_self=False, recursive=True):
        try:
            outputs = keras.tree.flatten(layer.output)
        except (AttributeError, ValueError):  # never called symbolically
            return None
        for output in outputs:
            per_sample = 1
            for dim in output.shape[1:]:
                if dim is None:
                    return None
                per_sample *= dim
            largest = max(largest, batch_size * per_sample)
    return largest


def single_thread_step(model, batch_size):
    """Whether a step of `model` at `batch_size` should run on one intra-op
    thread: on CPU, when every tensor is below `SMALL_STEP_ELEMENTS`."""
    if torch.get_num_threads() == 1 or not model.weights:
        return False
    if model.weights[0].value.device.type != "cpu":
        return False
    largest = largest_step_tensor(model, batch_size)
    return largest is not None and largest < SMALL_STEP_ELEMENTS


class AdversarialTrainer:
    """`train_step(data)` for Keras' PyTorch trainer (eager, or
    `torch.compile` with `jit_compile=True`)."""

    def train_step(self, data):
        return self.adversarial_step(data)

    def test_step(self, data):
        # Keras runs evaluation under `torch.no_grad()`; regularizers need
        # input gradients, so they get autograd back.
        with torch.enable_grad() if self.regularizers else contextlib.nullcontext():
            return self.evaluation_step(data)

    # --------------------------------------- functions called by `fit` --
    def make_train_function(self, force=False):
        if self.train_function is None or force:
            self.train_function = self._multi_step(self.train_step)
        return self.train_function

    def make_test_function(self, force=False):
        if self.test_function is None or force:
            self.test_function = self._multi_step(self.test_step, torch.no_grad)
        return self.test_function

    def make_predict_function(self, force=False):
        if self.predict_function is None or force:
            self.predict_function = self._multi_step(
                self.predict_step, torch.no_grad, concatenate=True
            )
        return self.predict_function

    def _multi_step(self, step, context=contextlib.nullcontext, concatenate=False):
        """A function running `step` on each batch of the list Keras' epoch
        iterator yields (`steps_per_execution` batches) and returning the
        last step's logs, or every step's outputs concatenated."""
        if self._should_torch_compile():
            step = torch.compile(step)
        threads = {}

        def function(batches):
            batch_size = keras.tree.flatten(batches[0])[0].shape[0]
            if batch_size not in threads:
                threads[batch_size] = single_thread_step(self, batch_size)
            with _one_thread() if threads[batch_size] else contextlib.nullcontext():
                with context():
                    outputs = [step(batch) for batch in batches]
            if not concatenate:
                return outputs[-1]
            return keras.tree.map_structure(lambda *parts: torch.cat(parts), *outputs)

        return function

    # ------------------------------------------ called by the step code --
    def _shard_latent(self, sample, batch_size):
        """Draws the latent batch (JAX shards it like the data under
        `keras.distribution`; PyTorch runs on one device)."""
        return sample(batch_size)

    def _optimize(self, loss_fn, variables, optimizer, *args):
        loss, logs = loss_fn(*args)
        scaled_loss = optimizer.scale_loss(loss)
        params = [v.value for v in variables]
        grads = torch.autograd.grad(scaled_loss, params, allow_unused=True) if params else []
        grads = [
            torch.zeros_like(p) if g is None else g for g, p in zip(grads, params)
        ]
        apply = fast_apply(optimizer, variables)
        if apply is None:
            with torch.no_grad():
                optimizer.apply(grads, variables)
        else:
            apply(grads)
        return {name: value.detach() for name, value in logs.items()}


@contextlib.contextmanager
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
