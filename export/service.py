"""Example: run the ONNX inference service of keras_fgan without importing Keras.

The service is `keras_fgan/serve.py`, installed with the package
(`python -m keras_fgan.serve` or the `keras-fgan-serve` command; see
`export/README.md`). Importing it as `keras_fgan.serve` imports the
`keras_fgan` package, and with it Keras and a backend. This script loads
that one file by path instead, so a serving process holds only onnxruntime,
NumPy and Pillow:

    python export/service.py --generator g.onnx [--encoder e.onnx] \\
        --host 127.0.0.1 --port 8000

It re-exports the service's API (`make_server`, `Service`, `OnnxNetwork`,
`RequestError`, `main`) for scripts that load this file.
"""

import importlib.util
import sys
from pathlib import Path


def _serve_module():
    """keras_fgan/serve.py of the installed package (found without importing
    it), or of this checkout when keras_fgan is not installed."""
    spec = importlib.util.find_spec("keras_fgan")
    package = (
        Path(next(iter(spec.submodule_search_locations)))
        if spec is not None and spec.submodule_search_locations
        else Path(__file__).resolve().parents[1] / "keras_fgan"
    )
    module_spec = importlib.util.spec_from_file_location("keras_fgan_serve", package / "serve.py")
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


_serve = _serve_module()
OnnxNetwork = _serve.OnnxNetwork
RequestError = _serve.RequestError
Service = _serve.Service
make_server = _serve.make_server
main = _serve.main

if __name__ == "__main__":
    sys.exit(main())
