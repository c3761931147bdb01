"""The shared integer check (`keras_fgan.arguments`) and the public
arguments that go through it: one answer for every count, size and seed."""

import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import keras_fgan as kf
from keras_fgan.arguments import check_integer
from keras_fgan.arguments import is_integer

NOT_INTEGERS = [True, False, 2.0, 1.5, "3", [1], np.float32(2.0), np.bool_(True)]


@settings(max_examples=50, deadline=None, derandomize=True)
@given(value=st.integers(-10**6, 10**6), low=st.integers(-3, 3))
def test_check_integer_accepts_exactly_the_integers_at_or_above_low(value, low):
    for candidate in (value, np.int64(value), np.int32(value)):
        if value >= low:
            result = check_integer("count", candidate, low=low)
            assert result == value and type(result) is int
        else:
            with pytest.raises(ValueError, match="`count` must be .*Received: count=" + re.escape(repr(candidate))):
                check_integer("count", candidate, low=low)


@pytest.mark.parametrize("value", NOT_INTEGERS + [None])
def test_check_integer_rejects_bools_floats_strings_and_none(value):
    assert not is_integer(value)
    with pytest.raises(ValueError, match="`width` must be a positive integer. Received: width="):
        check_integer("width", value)


def test_check_integer_messages_and_none():
    assert check_integer("seed", None, low=0, allow_none=True) is None
    with pytest.raises(ValueError, match=r"`seed` must be a non-negative integer or None\. Received: seed=-1"):
        check_integer("seed", -1, low=0, allow_none=True)
    with pytest.raises(ValueError, match=r"`size` must be an integer >= 2\. Received: size=1"):
        check_integer("size", 1, low=2)


def _features():
    return np.random.default_rng(0).standard_normal((20, 3))


# Each public entry point that takes a count, with its valid call as a check
# that the case itself is sound.
COUNT_ARGUMENTS = {
    "manifold_metrics k": lambda v: kf.evaluation.knn_metrics.manifold_metrics(_features(), _features(), k=v),
    "iter_batches batch_size": lambda v: list(kf.evaluation.streaming.iter_batches(_features(), batch_size=v)),
    "load n": lambda v: kf.datasets.load("ring", n=v),
    "SampleGrid every": lambda v: kf.callbacks.SampleGrid("samples_{epoch}.png", every=v),
    "Evaluation n": lambda v: kf.callbacks.Evaluation("ring", n=v),
    "Evaluation batch_size": lambda v: kf.callbacks.Evaluation("ring", batch_size=v),
    "AtomicModelCheckpoint every": lambda v: kf.checkpointing.AtomicModelCheckpoint("m.keras", every=v),
    "SpectralNorm power_iterations": lambda v: kf.lipschitz.SpectralNorm(v),
    "mlp_generator width": lambda v: kf.networks.mlp_generator(2, 2, width=v, depth=1),
}


@pytest.mark.parametrize("entry", sorted(COUNT_ARGUMENTS))
def test_public_counts_accept_numpy_integers_and_reject_the_rest(entry):
    call = COUNT_ARGUMENTS[entry]
    name = entry.split()[-1]
    call(np.int64(3))
    for value in (-1, 2.0, True, "3"):
        with pytest.raises(ValueError, match=f"`{name}` must be a"):
            call(value)
