"""Loading the repository's scripts (benchmarks, docs hooks, the example
service) as modules: they are files, not packages of `keras_fgan`."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_module(path, name=None):
    """The module of the Python file `path` (relative to the repository root
    or absolute), imported under `name` (default: the file's stem)."""
    path = ROOT / path
    spec = importlib.util.spec_from_file_location(name or path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
