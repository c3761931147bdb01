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
    than repeated. The README and getting-started blocks are not marked:
    they run on every backend (tests/test_readme.py).
    """
    return pytest.mark.skipif(
        keras.backend.backend() != backend,
        reason=f"convergence test, run under {backend} (CI budget; see tests/convergence.py)",
    )
