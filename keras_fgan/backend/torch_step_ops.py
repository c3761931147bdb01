"""The per-step bookkeeping of a training step on PyTorch, without Keras'
per-op conversions: the same values as the Keras calls they replace.

An adversarial step also draws latents and updates its loss means. On
PyTorch each Keras op converts and checks its arguments in Python, which on
the 2-D reference MLPs (steps of a few milliseconds) costs as much as the
tensor work: profiled on the README's MLPs at batch 256, `keras.random.normal`
took 0.7 ms and the two `keras.metrics.Mean` updates 0.8 ms of a 20 ms step.

- `random_normal` / `random_uniform`: `keras.random.normal` /
  `keras.random.uniform` with a `keras.random.SeedGenerator`, drawing the
  same numbers (the generator is seeded exactly as Keras' PyTorch backend
  seeds it, and the seed state advances the same way), so a model trains on
  the same latent stream either way and checkpoints stay compatible.
- `track_means`: `keras.metrics.Mean.update_state` of a scalar, then
  `result()`, for each tracker.
- `record_first_nonfinite`: the in-step record of the first iteration with
  a NaN or infinite loss, read by `NonFiniteLossGuard` once per epoch.
"""

import keras
import torch
import torch._dynamo as dynamo

_GENERATORS = {}  # device -> torch.Generator, re-seeded on every draw


@dynamo.disable()
def _seeded_generator(seed_generator):
    """A `torch.Generator` seeded from `seed_generator`'s next seed, the way
    Keras' `torch_seed_generator` does (`SeedGenerator.next()`: the state
    `[a, b]` yields seed `a + b` and becomes `[a, b + 1]`)."""
    state = seed_generator.state.value
    first, second = state.tolist()
    with torch.no_grad():
        state[1] += 1
    if state.device not in _GENERATORS:
        _GENERATORS[state.device] = torch.Generator(device=state.device)
    generator = _GENERATORS[state.device]
    # Keras adds the two in the state's integer dtype; the low 32 bits of the
    # sum are the same with or without its wrap-around.
    generator.manual_seed((first + second) & 0xFFFFFFFF)
    return generator


def _seedable(seed):
    return isinstance(seed, keras.random.SeedGenerator) and seed.state.value.device.type != "meta"


def _floatx():
    """Keras' default float dtype (`keras.config.floatx()`), as a torch dtype."""
    return getattr(torch, keras.config.floatx())


def random_normal(shape, seed):
    """`keras.random.normal(shape, seed=seed)` (mean 0, stddev 1, floatx)."""
    if not _seedable(seed):
        return keras.random.normal(shape, seed=seed)
    generator = _seeded_generator(seed)
    return torch.normal(0.0, 1.0, size=shape, generator=generator,
                        dtype=_floatx(), device=generator.device)


def random_uniform(shape, minval, maxval, seed):
    """`keras.random.uniform(shape, minval, maxval, seed=seed)` (floatx)."""
    if not _seedable(seed) or len(shape) == 0:
        return keras.random.uniform(shape, minval, maxval, seed=seed)
    generator = _seeded_generator(seed)
    values = torch.rand(size=shape, generator=generator, dtype=_floatx(),
                        device=generator.device)
    return (maxval - minval) * values + minval


def track_means(trackers, values):
    """Adds `values[tracker.name]` to each `keras.metrics.Mean` of
    `trackers` and returns `{name: mean so far}`."""
    results = {}
    for tracker in trackers:
        value = values[tracker.name]
        if (
            type(tracker) is keras.metrics.Mean
            and isinstance(value, torch.Tensor)
            and value.dim() == 0
            and value.dtype == tracker.total.value.dtype
        ):
            total, count = tracker.total.value, tracker.count.value
            with torch.no_grad():
                total.add_(value.detach())
                count.add_(1.0)
            results[tracker.name] = total / count
        else:
            tracker.update_state(value)
            results[tracker.name] = tracker.result()
    return results


@torch.no_grad()
def record_first_nonfinite(variable, iteration, *losses):
    """Sets the int32 `variable` to `iteration` if it is still negative and
    a loss of `losses` is NaN or infinite."""
    # A sum is finite only if every term is (inf - inf is NaN).
    finite = torch.isfinite(sum(loss.detach().sum() for loss in losses))
    recorded = variable.value
    first = torch.logical_and(torch.logical_not(finite), recorded < 0)
    recorded.copy_(torch.where(first, iteration.value.to(recorded.dtype), recorded))
