"""Data-parallel training on two virtual CPU devices.

JAX: `keras.distribution.DataParallel`; TensorFlow: `tf.distribute.MirroredStrategy`
with `ReductionToOneDevice` (the collective all-reduce is refused with a clear
error, see `keras_fgan/backend/tensorflow_trainer.check_strategy`).
Keras offers no data-parallel engine for the PyTorch backend, and neither do
we (documented in the distributed guide).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import keras
import pytest

SCRIPT = Path(__file__).parent / "scripts" / "distributed_training.py"


@pytest.mark.skipif(
    keras.backend.backend() == "torch",
    reason="Keras has no data-parallel distribution engine for the torch backend; keras-fgan does not add one",
)
def test_data_parallel_matches_single_device():
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[1]))
    proc = subprocess.run([sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    for objective, result in results["objectives"].items():
        assert result["g_iterations"] == 3 and result["finite"], (objective, result)
    assert results["max_abs_diff"] < 1e-4, results
    if keras.backend.backend() == "tensorflow":
        assert results["collective_refused"], results
