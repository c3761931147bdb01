"""`keras_fgan.lipschitz`'s projections as in-place PyTorch kernels.

A Keras optimizer applies each constrained variable's constraint after its
update as `variable.assign(constraint(variable))`, one `keras.ops` call per
operation. For the Lipschitz constraints that is most of a critic step's
overhead on PyTorch: `SpectralNorm`'s estimate of sigma is about 20 small
operations per kernel, and Keras' per-operation conversions cost about four
times the arithmetic (measured on dcgan28's critic, one thread: 34 ms per
projection of its three kernels through `assign`, 8 ms here, both on a busy
machine). `projection(variables)` returns a function that projects the
variables in place with the same values:

- `WeightClip(c)`: one `torch._foreach_clamp_min_` / `_max_` pair over all
  the variables clipped to the same c: `w <- clip(w, -c, c)`.
- `SpectralNorm(p)`: `w <- w / max(sigma(w), eps)` with `sigma` computed
  by `spectral_norm` below, the same algorithm as
  `keras_fgan.lipschitz.SpectralNorm.spectral_norm` (Miyato et al. 2018,
  Sec. 2.1, through repeated squaring of the Gram matrix) in torch
  operations.
- any other constraint: `variable.assign(constraint(variable))`.

`tests/test_step_ops.py` checks each against the Keras call.
"""

import math

import keras
import torch

from keras_fgan.lipschitz import NORM_EPSILON
from keras_fgan.lipschitz import SpectralNorm
from keras_fgan.lipschitz import WeightClip
from keras_fgan.lipschitz import start_vector


def _start(w):
    """`lipschitz.start_vector` for the Gram matrix of `w`, on `w`'s device."""
    return torch.from_numpy(start_vector(min(math.prod(w.shape[:-1]), w.shape[-1]))).to(w.device)


def spectral_norm(w, power_iterations, start=None):
    """`SpectralNorm(power_iterations).spectral_norm(w)` on a torch tensor:
    the largest singular value of `w` reshaped to `(-1, w.shape[-1])`.
    `start`: `_start(w)`, passed in to build it once per variable."""
    matrix = w.reshape(-1, w.shape[-1]).float()
    if matrix.shape[0] < matrix.shape[1]:
        matrix = matrix.T  # rows >= columns: the Gram is the small side
    gram = matrix.T @ matrix
    for _ in range(math.ceil(math.log2(power_iterations))):
        gram = gram @ gram
        gram = gram / torch.clamp_min(torch.linalg.vector_norm(gram), NORM_EPSILON)
    v = gram @ (_start(w) if start is None else start)  # normalised as keras.ops.normalize does
    v = v * torch.clamp_max(torch.rsqrt(torch.sum(v * v, dim=0, keepdim=True)), 1.0 / keras.config.epsilon())
    return torch.linalg.vector_norm(matrix @ v)


def projection(variables):
    """A function projecting each constrained variable of `variables` in
    place (see the module docstring)."""
    clipped, normalized, others = {}, [], []
    for variable in variables:
        constraint = variable.constraint
        if isinstance(constraint, WeightClip):
            clipped.setdefault(constraint.clip_value, []).append(variable.value)
        elif isinstance(constraint, SpectralNorm):
            normalized.append((variable.value, constraint.power_iterations, _start(variable.value)))
        elif constraint is not None:
            others.append(variable)

    @torch.no_grad()
    def project():
        for clip_value, values in clipped.items():
            torch._foreach_clamp_min_(values, -clip_value)
            torch._foreach_clamp_max_(values, clip_value)
        for value, power_iterations, start in normalized:
            sigma = torch.clamp_min(spectral_norm(value, power_iterations, start), NORM_EPSILON)
            value.copy_((value.float() / sigma).to(value.dtype))
        for variable in others:
            variable.assign(variable.constraint(variable))

    return project
