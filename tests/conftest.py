"""Shared pytest set-up: the backend is chosen per process by KERAS_BACKEND."""

import os

import keras
import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_report_header(config):
    return f"keras {keras.__version__}, backend {keras.backend.backend()}"


@pytest.fixture(autouse=True)
def _seed_everything():
    keras.utils.set_random_seed(1234)


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
