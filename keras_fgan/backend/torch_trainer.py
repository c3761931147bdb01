"""PyTorch gradient mechanics: `torch.autograd.grad`, `create_graph` for
double backprop."""

import contextlib

import torch


def input_gradients(fn, x):
    """d sum(fn(x)) / dx with a graph, so the result can be differentiated."""
    x = x.detach().requires_grad_(True)
    y = fn(x)
    (grad,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    return grad


class AdversarialTrainer:
    """`train_step(data)` for Keras' PyTorch trainer (eager)."""

    def train_step(self, data):
        return self.adversarial_step(data)

    def test_step(self, data):
        # Keras runs evaluation under `torch.no_grad()`; regularizers need
        # input gradients, so they get autograd back.
        with torch.enable_grad() if self.regularizers else contextlib.nullcontext():
            return self.evaluation_step(data)

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
        with torch.no_grad():
            optimizer.apply(grads, variables)
        return {name: value.detach() for name, value in logs.items()}
