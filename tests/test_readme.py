"""The README's Python example and the Python blocks of the getting-started
page run verbatim, on this process's backend, and reach what they claim: all
8 modes of the ring with at least 90% high-quality samples.

Each block runs in a fresh interpreter (as a reader pastes it), in an empty
folder. A block that appears on both pages runs once.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import keras
import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("README.md", "docs/getting-started.md")
FENCE = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
# `print(kf.evaluation.mode_coverage(...))` prints a dict; floats may print
# as `np.float64(...)` under NumPy 2.
COVERAGE = re.compile(
    r"'modes': (?:np\.int64\()?(\d+).*?'high_quality': (?:np\.float64\()?([0-9.eE+-]+)"
)


def _python_blocks():
    """{code: [where, ...]} for every ```python block of PAGES, verbatim."""
    blocks = {}
    for page in PAGES:
        for number, code in enumerate(FENCE.findall((ROOT / page).read_text()), start=1):
            blocks.setdefault(code, []).append(f"{page} block {number}")
    return blocks


BLOCKS = _python_blocks()


def test_the_pages_have_python_examples():
    places = [where for wheres in BLOCKS.values() for where in wheres]
    assert "README.md block 1" in places
    assert any(where.startswith("docs/getting-started.md") for where in places)


@pytest.mark.parametrize("code", list(BLOCKS), ids=[" + ".join(w) for w in BLOCKS.values()])
def test_block_runs_and_covers_the_ring(code, tmp_path):
    env = dict(os.environ, KERAS_BACKEND=keras.backend.backend(), PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    found = COVERAGE.findall(proc.stdout)
    assert found, f"the block printed no mode coverage:\n{proc.stdout[-2000:]}"
    modes, high_quality = int(found[-1][0]), float(found[-1][1])
    assert modes == 8 and high_quality >= 0.9, proc.stdout[-2000:]
