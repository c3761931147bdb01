"""Every script in examples/ runs in fast mode.

Each example is run as `python examples/X.py --fast --out DIR` in a fresh
process with the current KERAS_BACKEND (the suite runs once per backend). It
must exit with status 0, write something into DIR, and every file under DIR
that it names in its output must exist (PNGs must be PNGs).

Each script runs under one backend, spread so that every backend runs some:
a fast run is mostly process start-up and compilation (20-60 s each under CI
load), the library calls they make (export on every backend included) are
tested on every backend elsewhere, and 21 runs did not fit CI's 25 minutes.
A new script runs on every backend until it is given one here.
"""

import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import keras
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
# Generous: fast runs train for seconds, but start-up (importing a framework)
# and CPU contention on a shared machine can take minutes.
TIMEOUT_S = 900
# Weighted towards PyTorch, whose suite is the shortest of the three (CI runs
# the backends concurrently: the longest one sets the time). Alone on the
# machine each run took 11-20 s on any backend (2026-12-01).
BACKEND_OF = {
    "train_fashion_mnist": "torch",
    "export_and_serve": "tensorflow",
    "quickstart": "jax",
    "bigan_latents": "torch",
    "tune_fgan": "torch",
    "disjoint_supports": "torch",
    "mode_covering_vs_seeking": "torch",
}


def _children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _claimed_paths(output, out_dir):
    """Paths under `out_dir` named in the script's output."""
    pattern = re.escape(str(out_dir)) + r"[^\s'\",;:)\]}]*"
    return sorted({Path(m.rstrip(".")) for m in re.findall(pattern, output)})


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_fast(script, tmp_path):
    backend = BACKEND_OF.get(script.stem)
    if backend not in (None, keras.backend.backend()):
        pytest.skip(f"{script.name} runs under {backend} (CI time; see BACKEND_OF)")
    out_dir = tmp_path / "out"
    env = dict(
        os.environ,
        KERAS_BACKEND=keras.backend.backend(),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        MPLBACKEND="Agg",
        PYTHONDONTWRITEBYTECODE="1",
    )
    start, cpu_start = time.perf_counter(), _children_cpu_seconds()
    proc = subprocess.run(
        [sys.executable, str(script), "--fast", "--out", str(out_dir)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=TIMEOUT_S,
    )
    elapsed, cpu = time.perf_counter() - start, _children_cpu_seconds() - cpu_start
    report = f"{script.name} ({elapsed:.0f} s wall, {cpu:.0f} s CPU)\nstdout:\n{proc.stdout[-4000:]}\nstderr:\n{proc.stderr[-4000:]}"
    assert proc.returncode == 0, report
    written = [p for p in out_dir.rglob("*") if p.is_file()] if out_dir.is_dir() else []
    assert written, f"nothing written under --out\n{report}"
    claimed = _claimed_paths(proc.stdout, out_dir)
    assert claimed, f"the script names none of the files it wrote\n{report}"
    for path in claimed:
        assert path.exists(), f"{path} is named in the output but does not exist\n{report}"
        if path.suffix == ".png":
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path
    print(f"{script.name}: {elapsed:.1f} s wall, {cpu:.1f} s CPU on {keras.backend.backend()}")
