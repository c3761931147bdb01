"""Shared pytest set-up: the backend is chosen per process by KERAS_BACKEND."""

import os

import keras
import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

if keras.backend.backend() == "jax":
    import jax

    # The tests' step functions are tiny and most run a few steps: XLA's
    # optimisation passes cost more than they save. Without them (the same
    # computation, compiled at optimisation level 0) the JAX run of
    # test_models, test_numerics, test_networks, test_divergences,
    # test_lipschitz and test_regularizers took 141 s of CPU instead of 251 s.
    # Long training runs switch them back on (`optimized_xla`). Subprocesses
    # (the README blocks, the examples, the CLI) compile as a user's would;
    # only the helper scripts of test_reliability and test_distributed, a few
    # steps each, ask for the same setting.
    jax.config.update("jax_disable_most_optimizations", True)


def pytest_report_header(config):
    return f"keras {keras.__version__}, backend {keras.backend.backend()}"


@pytest.fixture(autouse=True)
def _seed_everything():
    keras.utils.set_random_seed(1234)


@pytest.fixture
def optimized_xla():
    """On JAX, compiles with XLA's optimisation passes for this test (a long
    training run, where the step's speed matters more than its compile
    time); see the module's set-up. Other backends: no change."""
    if keras.backend.backend() != "jax":
        yield
        return
    import jax

    # JAX keeps what it compiled (eager ops included) in memory whatever the
    # flag: cleared, this test computes exactly what it would in a process of
    # its own (seen otherwise: initial weights a few ULP apart, and another
    # training trajectory).
    jax.config.update("jax_disable_most_optimizations", False)
    jax.clear_caches()
    try:
        yield
    finally:
        jax.config.update("jax_disable_most_optimizations", True)
        jax.clear_caches()


@pytest.fixture
def ring_data():
    """A small seeded 2-D ring of 8 Gaussians (radius 1, std 0.01)."""
    rng = np.random.default_rng(0)
    angles = 2 * np.pi * rng.integers(0, 8, size=1024) / 8
    centres = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return (centres + 0.01 * rng.standard_normal((1024, 2))).astype("float32")


def pytest_terminal_summary(terminalreporter):
    """Reports how many hypothesis-generated hostile-input cases ran."""
    import sys

    module = sys.modules.get("test_hostile_inputs")
    if module is not None and module.CASES["count"]:
        terminalreporter.write_line(f"hostile-input cases run: {module.CASES['count']}")
