"""Export a zoo BiGAN to ONNX, serve it with onnxruntime, and query it over HTTP.

1. Loads the `bigan_fashion_mnist` preset (generator + encoder) from the
   zoo (the repository's own `zoo/` when run from a checkout: no network).
2. Exports both networks to ONNX with `kf.export.export_onnx`.
3. Starts `export/service.py` (onnxruntime, NumPy and Pillow only) in a
   child process on a free port.
4. Asks it for a PNG grid (`GET /generate`), for samples as JSON and for the
   latents of a few test images (`POST /encode`), and checks both against
   the Keras model: the service draws latents exactly as `model.generate`
   does, so the same seed gives the same samples up to float rounding.

    KERAS_BACKEND=jax python examples/export_and_serve.py --out runs/serve
    python examples/export_and_serve.py --fast --out /tmp/serve   # CI run
"""

import argparse
import io
import json
import os
import subprocess
import sys
import urllib.request

import numpy as np

import keras_fgan as kf

SERVICE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "export", "service.py")
TOLERANCE = 1e-4


def start_service(generator, encoder):
    """Runs the service on a free port; returns (process, base URL)."""
    process = subprocess.Popen(
        [sys.executable, SERVICE, "--generator", generator, "--encoder", encoder,
         "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()  # "Serving on http://127.0.0.1:PORT"
    if not line.startswith("Serving on "):
        process.kill()
        raise RuntimeError(f"the service did not start: {line!r}")
    return process, line.split()[-1]


def request(url, body=None, content_type=None):
    headers = {"Content-Type": content_type} if content_type else {}
    with urllib.request.urlopen(urllib.request.Request(url, body, headers), timeout=60) as reply:
        return reply.read()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="bigan_fashion_mnist")
    parser.add_argument("--n", type=int, default=64, help="samples in the PNG grid")
    parser.add_argument("--out", default="runs/export_and_serve")
    parser.add_argument("--fast", action="store_true", help="a 16-sample grid (CI)")
    args = parser.parse_args(argv)
    if args.fast:
        args.n = 16

    model = kf.zoo.load(args.preset)
    paths = kf.export.export_onnx(model, os.path.join(args.out, "onnx"))
    for role, path in paths.items():
        print(f"exported the {role} to {path}")

    process, url = start_service(paths["generator"], paths["encoder"])
    try:
        grid_path = os.path.join(args.out, "generated.png")
        kf.imaging.atomic_write_bytes(grid_path, request(f"{url}/generate?n={args.n}&seed=0"))
        print("wrote", grid_path)

        served = json.loads(request(f"{url}/generate?n=4&seed=7&format=json"))
        samples = np.asarray(served["samples"], "float32")
        sample_diff = float(np.abs(samples - model.generate(4, seed=7)).max())

        images = kf.datasets.load("fashion_mnist", split="test", n=8)
        body = io.BytesIO()
        np.save(body, images)
        latents = json.loads(request(f"{url}/encode", body.getvalue(), "application/x-npy"))
        encode_diff = float(np.abs(np.asarray(latents["latents"]) - model.encode(images)).max())
    finally:
        process.terminate()
        process.wait(timeout=30)

    print(f"max |service - Keras|: generate {sample_diff:.2e}, encode {encode_diff:.2e}")
    if max(sample_diff, encode_diff) > TOLERANCE:
        raise SystemExit(f"the service disagrees with Keras by more than {TOLERANCE}")


if __name__ == "__main__":
    main()
