"""A training step's bookkeeping (`keras_fgan.backend`: latents, loss means,
the non-finite record) and, on PyTorch, its Adam and RMSprop steps compute what Keras'
own calls compute: on PyTorch they run without Keras' per-op overhead
(`torch_step_ops`, `torch_optimizers`), elsewhere they are those calls."""

import numpy as np
import pytest

import keras
from keras import ops

from keras_fgan import backend

TORCH = keras.backend.backend() == "torch"


@pytest.mark.parametrize("prior", ["normal", "uniform"])
def test_latents_follow_the_keras_random_stream(prior):
    ours, theirs = keras.random.SeedGenerator(7), keras.random.SeedGenerator(7)
    for shape in [(5, 3), (2, 4), (1, 1)]:
        if prior == "normal":
            got = backend.random_normal(shape, ours)
            want = keras.random.normal(shape, seed=theirs)
        else:
            got = backend.random_uniform(shape, -1.0, 1.0, ours)
            want = keras.random.uniform(shape, -1.0, 1.0, seed=theirs)
        assert tuple(got.shape) == shape
        np.testing.assert_array_equal(ops.convert_to_numpy(got), ops.convert_to_numpy(want))
    np.testing.assert_array_equal(
        ops.convert_to_numpy(ours.state.value), ops.convert_to_numpy(theirs.state.value)
    )


def test_latents_take_keras_float_dtype():
    previous = keras.config.floatx()
    keras.config.set_floatx("float64")
    try:
        ours, theirs = keras.random.SeedGenerator(3), keras.random.SeedGenerator(3)
        got = backend.random_normal((4, 2), ours)
        want = keras.random.normal((4, 2), seed=theirs)
        # float64 where the backend has it (JAX without x64 draws float32)
        assert keras.backend.standardize_dtype(got.dtype) == keras.backend.standardize_dtype(want.dtype)
        np.testing.assert_array_equal(ops.convert_to_numpy(got), ops.convert_to_numpy(want))
    finally:
        keras.config.set_floatx(previous)


def test_latents_from_an_int_seed_are_keras_draws():
    got = backend.random_normal((3, 2), 11)
    want = keras.random.normal((3, 2), seed=11)
    np.testing.assert_array_equal(ops.convert_to_numpy(got), ops.convert_to_numpy(want))


def test_track_means_equals_keras_mean():
    ours = [keras.metrics.Mean(name="a"), keras.metrics.Mean(name="b")]
    theirs = [keras.metrics.Mean(name="a"), keras.metrics.Mean(name="b")]
    for a, b in [(1.0, -2.0), (3.5, 0.25), (-1.0, 8.0)]:
        values = {"a": ops.convert_to_tensor(a), "b": ops.convert_to_tensor(b)}
        results = backend.track_means(ours, values)
        for tracker in theirs:
            tracker.update_state(values[tracker.name])
        for tracker in theirs:
            np.testing.assert_allclose(
                ops.convert_to_numpy(results[tracker.name]),
                ops.convert_to_numpy(tracker.result()), rtol=1e-7,
            )
    # a non-scalar value goes through `update_state` (mean of its entries)
    results = backend.track_means(ours[:1], {"a": ops.convert_to_tensor([1.0, 3.0])})
    np.testing.assert_allclose(ops.convert_to_numpy(results["a"]), (1.0 + 3.5 - 1.0 + 4.0) / 5)


def test_record_first_nonfinite_keeps_the_first_bad_iteration():
    variable = keras.Variable(-1, dtype="int32", trainable=False)
    iteration = keras.Variable(0, dtype="int64", trainable=False)
    finite, nan, inf = (ops.convert_to_tensor(v) for v in (1.0, float("nan"), float("inf")))
    steps = [(finite, finite, -1), (finite, inf, 2), (nan, finite, 2), (finite, finite, 2)]
    for step, (d_loss, g_loss, expected) in enumerate(steps, start=1):
        iteration.assign(step)
        backend.record_first_nonfinite(variable, iteration, d_loss, g_loss)
        assert int(ops.convert_to_numpy(variable.value)) == expected
    variable.assign(-1)
    backend.record_first_nonfinite(variable, iteration, -inf, inf)  # inf - inf
    assert int(ops.convert_to_numpy(variable.value)) == 4


def _optimizer_pair(optimizer_class, constraint=None, **kwargs):
    """Two identical (variables, optimizer) pairs, one of them for the fast
    path; a kernel and a bias, each with `constraint` (MaxNorm by default),
    and a free bias."""
    pairs = []
    for _ in range(2):
        rng = np.random.default_rng(0)
        constraint = constraint or keras.constraints.MaxNorm(1.0)
        variables = [
            keras.Variable(rng.standard_normal((4, 3)).astype("float32")),
            keras.Variable(rng.standard_normal((3,)).astype("float32")),
            keras.Variable(rng.standard_normal((2,)).astype("float32")),
        ]
        # (`keras.Variable` takes no `constraint` argument: it is an attribute.)
        variables[0].constraint = variables[1].constraint = constraint
        optimizer = optimizer_class(**kwargs)
        optimizer.build(variables)
        pairs.append((variables, optimizer))
    return pairs


FAST_OPTIMIZERS = {
    "adam": (keras.optimizers.Adam, {"beta_1": 0.8}),
    "rmsprop": (keras.optimizers.RMSprop, {}),
    "rmsprop_centered_momentum": (keras.optimizers.RMSprop, {"centered": True, "momentum": 0.9}),
}


@pytest.mark.skipif(not TORCH, reason="the fast optimizer steps are PyTorch's "
                    "(keras_fgan/backend/torch_optimizers.py); TensorFlow and JAX run Keras' own `apply`")
@pytest.mark.parametrize("name", sorted(FAST_OPTIMIZERS))
@pytest.mark.parametrize("learning_rate", [1e-2, "schedule"])
@pytest.mark.parametrize("constraint", ["max_norm", "weight_clip", "spectral_norm"])
def test_torch_fast_optimizer_equals_keras_apply(name, learning_rate, constraint):
    import torch

    from keras_fgan.backend.torch_optimizers import fast_apply
    from keras_fgan.lipschitz import SpectralNorm
    from keras_fgan.lipschitz import WeightClip

    if learning_rate == "schedule":
        learning_rate = keras.optimizers.schedules.ExponentialDecay(1e-2, 2, 0.5)
    optimizer_class, kwargs = FAST_OPTIMIZERS[name]
    constraint = {"max_norm": None, "weight_clip": WeightClip(0.05), "spectral_norm": SpectralNorm()}[constraint]
    (ours, fast), (theirs, slow) = _optimizer_pair(optimizer_class, constraint, learning_rate=learning_rate, **kwargs)
    apply = fast_apply(fast, ours)
    assert apply is not None
    rng = np.random.default_rng(1)
    for _ in range(5):
        grads = [rng.standard_normal(v.shape).astype("float32") for v in ours]
        apply([torch.tensor(g) for g in grads])
        with torch.no_grad():
            slow.apply([torch.tensor(g) for g in grads], theirs)
    for a, b in zip(ours + fast.variables, theirs + slow.variables):
        np.testing.assert_allclose(ops.convert_to_numpy(a), ops.convert_to_numpy(b), rtol=1e-6, atol=1e-7)
    assert int(ops.convert_to_numpy(fast.iterations)) == 5
    if isinstance(constraint, WeightClip):
        assert np.abs(ops.convert_to_numpy(ours[0])).max() == pytest.approx(0.05)
    if isinstance(constraint, SpectralNorm):
        assert np.linalg.norm(ops.convert_to_numpy(ours[0]), 2) == pytest.approx(1.0, rel=1e-5)


@pytest.mark.skipif(not TORCH, reason="the fast optimizer steps are PyTorch's (keras_fgan/backend/torch_optimizers.py)")
def test_torch_fast_optimizer_follows_a_constraint_set_after_the_first_step():
    import torch

    from keras_fgan.backend.torch_optimizers import fast_apply
    from keras_fgan.lipschitz import WeightClip

    (variables, optimizer), _ = _optimizer_pair(keras.optimizers.Adam, WeightClip(0.5))
    grads = [torch.zeros(tuple(v.shape)) for v in variables]
    fast_apply(optimizer, variables)(grads)
    assert np.abs(ops.convert_to_numpy(variables[0])).max() == pytest.approx(0.5)
    variables[0].constraint = variables[1].constraint = WeightClip(0.1)
    fast_apply(optimizer, variables)(grads)
    assert np.abs(ops.convert_to_numpy(variables[0])).max() == pytest.approx(0.1)
    variables[0].constraint = None
    fast_apply(optimizer, variables)(grads)  # no projection left on the kernel
    assert np.abs(ops.convert_to_numpy(variables[1])).max() <= 0.1


@pytest.mark.skipif(not TORCH, reason="the torch projections are PyTorch's (keras_fgan/backend/torch_constraints.py); "
                    "TensorFlow and JAX run the constraint's Keras operations")
@pytest.mark.parametrize("shape", [(4, 4, 1, 64), (4, 4, 64, 128), (3, 3, 8, 4), (300, 1), (1, 7), (5,)])
@pytest.mark.parametrize("power_iterations", [1, 3, 256])
def test_torch_spectral_norm_equals_the_keras_constraint(shape, power_iterations):
    import torch

    from keras_fgan.backend.torch_constraints import projection
    from keras_fgan.backend.torch_constraints import spectral_norm
    from keras_fgan.lipschitz import SpectralNorm

    constraint = SpectralNorm(power_iterations)
    w = np.random.default_rng(3).standard_normal(shape).astype("float32")
    expected = ops.convert_to_numpy(constraint.spectral_norm(w))
    np.testing.assert_allclose(float(spectral_norm(torch.tensor(w), power_iterations)), expected, rtol=2e-6)
    ours, theirs = keras.Variable(w), keras.Variable(w)
    ours.constraint = theirs.constraint = constraint
    projection([ours])()
    theirs.assign(constraint(theirs))
    np.testing.assert_allclose(ops.convert_to_numpy(ours), ops.convert_to_numpy(theirs), rtol=2e-6, atol=1e-7)


@pytest.mark.skipif(not TORCH, reason="the fast optimizer steps are PyTorch's (keras_fgan/backend/torch_optimizers.py)")
@pytest.mark.parametrize("setting", [{"amsgrad": True}, {"weight_decay": 0.1}, {"clipnorm": 1.0},
                                     {"use_ema": True}, {"gradient_accumulation_steps": 2}])
def test_torch_fast_optimizer_leaves_other_features_to_keras(setting):
    from keras_fgan.backend.torch_optimizers import fast_apply

    (variables, optimizer), _ = _optimizer_pair(keras.optimizers.Adam, **setting)
    assert fast_apply(optimizer, variables) is None
    if "amsgrad" not in setting:
        (variables, rmsprop), _ = _optimizer_pair(keras.optimizers.RMSprop, **setting)
        assert fast_apply(rmsprop, variables) is None
    sgd = keras.optimizers.SGD()
    sgd.build(variables)
    assert fast_apply(sgd, variables) is None


@pytest.mark.skipif(not TORCH, reason="the fast optimizer steps are PyTorch's (keras_fgan/backend/torch_optimizers.py)")
def test_torch_fast_optimizer_leaves_no_variables_to_keras():
    """A group without variables (e.g. a frozen generator) is Keras' `apply`."""
    from keras_fgan.backend.torch_optimizers import fast_apply

    (variables, optimizer), _ = _optimizer_pair(keras.optimizers.Adam)
    assert fast_apply(optimizer, []) is None
