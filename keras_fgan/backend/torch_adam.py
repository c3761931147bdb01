"""Keras' Adam update on PyTorch in fewer kernels and less Python per step.

`keras.optimizers.Adam` on PyTorch already updates all variables with
`torch._foreach_*` kernels, but around them `apply` spends Python per
variable (index lookups, name scopes, casts, gradient filtering) and the
update allocates a temporary for every intermediate. On the 2-D reference
networks, whose steps take milliseconds, that is a large share of a step:
measured on PacGAN's generator (4 x 400 ReLU + BatchNorm, one thread), 5.7
ms per `apply` against 3.6 ms here and 3.8 ms for `torch.optim.Adam`.

`fast_apply(optimizer, variables)` returns a function `grads -> None` that
performs exactly Keras' Adam step (Kingma & Ba 2015, Algorithm 1, with
Keras' epsilon placement) on the optimizer's own momentum and velocity
variables, applies the variables' constraints afterwards and increments
`iterations`, as `optimizer.apply` does:

    alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
    m <- m + (1 - beta_1) (g - m),   v <- beta_2 v + (1 - beta_2) g^2
    w <- w - alpha m / (sqrt(v) + epsilon)

It returns None (the caller then uses `optimizer.apply`) for every Adam
feature it does not implement: AMSGrad, weight decay, gradient clipping,
optimizer EMA, gradient accumulation, loss scaling, variables overwritten
with their gradients, and any other optimizer class.
"""

import weakref

import keras
import torch

_UNSUPPORTED = ("weight_decay", "clipnorm", "clipvalue", "global_clipnorm",
                "gradient_accumulation_steps", "loss_scale_factor")
_APPLIES = weakref.WeakKeyDictionary()  # optimizer -> {variable ids: apply}


def supported(optimizer):
    """Whether `fast_apply` computes `optimizer`'s update."""
    return (
        isinstance(optimizer, keras.optimizers.Adam)
        and type(optimizer).__module__.startswith("keras.")
        and optimizer.built
        and not optimizer.amsgrad
        and not optimizer.use_ema
        and all(getattr(optimizer, name, None) is None for name in _UNSUPPORTED)
    )


def fast_apply(optimizer, variables):
    """A function `grads -> None` applying `optimizer`'s Adam step to
    `variables` (see the module docstring), or None where `optimizer.apply`
    must run. Built once per (optimizer, variables)."""
    if not supported(optimizer):
        return None
    per_optimizer = _APPLIES.setdefault(optimizer, {})
    key = tuple(id(v) for v in variables)
    if key not in per_optimizer:
        per_optimizer[key] = _adam_apply(optimizer, variables)
    return per_optimizer[key]


def _adam_apply(optimizer, variables):
    if any(getattr(v, "overwrite_with_gradient", False) for v in variables):
        return None
    indices = [optimizer._get_variable_index(v) for v in variables]
    params = [v.value for v in variables]
    momentums = [optimizer._momentums[i].value for i in indices]
    velocities = [optimizer._velocities[i].value for i in indices]
    constrained = [v for v in variables if v.constraint is not None]
    beta_1, beta_2, epsilon = optimizer.beta_1, optimizer.beta_2, optimizer.epsilon
    dtype = params[0].dtype

    @torch.no_grad()
    def apply(grads):
        iterations = optimizer.iterations.value
        learning_rate = optimizer.learning_rate
        learning_rate = getattr(learning_rate, "value", learning_rate)
        step = (iterations + 1).to(dtype)
        alpha = (
            torch.as_tensor(learning_rate, dtype=dtype)
            * torch.sqrt(1 - torch.pow(beta_2, step))
            / (1 - torch.pow(beta_1, step))
        )
        torch._foreach_lerp_(momentums, grads, 1 - beta_1)
        torch._foreach_mul_(velocities, beta_2)
        torch._foreach_addcmul_(velocities, grads, grads, value=1 - beta_2)
        denominators = torch._foreach_sqrt(velocities)
        torch._foreach_add_(denominators, epsilon)
        updates = torch._foreach_div(momentums, denominators)
        torch._foreach_mul_(updates, alpha)
        torch._foreach_sub_(params, updates)
        for variable in constrained:
            variable.assign(variable.constraint(variable))
        iterations.add_(1)

    return apply
