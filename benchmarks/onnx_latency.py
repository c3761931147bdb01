"""Latency of a DCGAN-28 generator: onnxruntime vs Keras, on one backend.

Exports `dcgan28_generator` with `keras_fgan.export.export_onnx`, then times
three ways of generating a batch at batch sizes 1 and 64 (median of
`--repeats` timed calls after `--warmup` untimed ones, float32 latents in,
NumPy samples out):

- `onnxruntime`: `InferenceSession.run` on the exported file (CPU provider,
  its default thread count, or `--threads`), and `onnxruntime 1 thread`;
- `keras predict`: `generator.predict(z, batch_size=n, verbose=0)`;
- `keras call`: `generator(z, training=False)` converted to NumPy.

Run once per backend and paste the tables into
`benchmarks/results/onnx_latency.md`:

    for b in tensorflow jax torch; do
        PYTHONPATH=. KERAS_BACKEND=$b python benchmarks/onnx_latency.py
    done
"""

import argparse
import os
import platform
import statistics
import tempfile
import time

import numpy as np

import keras

import keras_fgan as kf


def median_ms(fn, repeats, warmup):
    """Median wall time of `fn()` in milliseconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000.0 * statistics.median(times)


def run(latent_dim=64, width=64, batch_sizes=(1, 64), repeats=30, warmup=5, threads=None):
    """Returns rows `(method, batch, median_ms)` for the current backend."""
    import onnxruntime as ort

    generator = kf.networks.dcgan28_generator(latent_dim=latent_dim, width=width)
    sessions = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "g.onnx")
        kf.export.export_onnx(generator, path)
        for name, count in (("onnxruntime", threads or 0), ("onnxruntime 1 thread", 1)):
            options = ort.SessionOptions()
            options.intra_op_num_threads = count
            sessions[name] = ort.InferenceSession(
                path, options, providers=["CPUExecutionProvider"]
            )
    rows = []
    rng = np.random.default_rng(0)
    for batch in batch_sizes:
        z = rng.standard_normal((batch, latent_dim)).astype("float32")
        methods = {
            name: (lambda s=session: s.run(None, {"z": z})[0])
            for name, session in sessions.items()
        }
        methods.update({
            "keras predict": lambda: generator.predict(z, batch_size=batch, verbose=0),
            "keras call": lambda: keras.ops.convert_to_numpy(generator(z, training=False)),
        })
        for name, fn in methods.items():
            rows.append((name, batch, median_ms(fn, repeats, warmup)))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latent-dim", type=int, default=64)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 64])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None, help="onnxruntime intra-op threads")
    args = parser.parse_args(argv)
    rows = run(args.latent_dim, args.width, args.batch_sizes, args.repeats, args.warmup,
               args.threads)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"backend {keras.backend.backend()}, keras {keras.__version__}, "
          f"dcgan28_generator(latent_dim={args.latent_dim}, width={args.width}), "
          f"{os.cpu_count()} CPUs ({platform.machine()}), load average {load:.1f}, "
          f"median of {args.repeats}")
    print()
    print("| backend | method | batch | median ms |")
    print("| --- | --- | ---: | ---: |")
    for name, batch, ms in rows:
        print(f"| {keras.backend.backend()} | {name} | {batch} | {ms:.2f} |")


if __name__ == "__main__":
    main()
