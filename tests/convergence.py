"""Where the convergence tests run."""

import keras
import pytest


def convergence_test(backend):
    """Marks a convergence test (a long training run judged by its result)
    to run under `backend` only.

    CI has 25 minutes on 2 CPU cores for all three backends. Tests of the
    API, serialization, export and one-step numerics run on every backend;
    the long training runs, whose math is the same `keras.ops` code on
    every backend, are spread over the three (each backend runs some) rather
    than repeated. On PyTorch, every Keras layer call is eager Python, so a
    2-D run costs 3-10x its JAX time there.
    """
    return pytest.mark.skipif(
        keras.backend.backend() != backend,
        reason=f"convergence test, run under {backend} (CI budget; see tests/convergence.py)",
    )
