"""Data-parallel throughput: 1 vs 2 virtual CPU devices, JAX and TensorFlow.

Trains the same GAN (reference MLPs, 2-D ring, global batch 512) through
`model.fit` on one device and under the backend's data-parallel engine on two
virtual CPU devices (JAX: `keras.distribution.DataParallel` with
`--xla_force_host_platform_device_count=2`; TensorFlow: `MirroredStrategy`
with `ReductionToOneDevice` over two logical CPUs), each in a fresh process,
alternating, and reports generator steps per second (median, min, max).

Two virtual devices share the same physical cores, so this checks that the
scaling code runs and what it costs, not that it is faster.

    python benchmarks/data_parallel_throughput.py --repeats 3
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

WORKER_STEPS = 150
WARMUP_STEPS = 20
BATCH = 512


def worker(backend, devices):
    """Runs in a child process with KERAS_BACKEND already set."""
    if backend == "jax" and devices > 1:
        os.environ["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={devices}"
    if backend == "tensorflow" and devices > 1:
        import tensorflow as tf

        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * devices)
    import contextlib

    import keras

    import keras_fgan as kf

    scope = contextlib.nullcontext()
    if devices > 1 and backend == "jax":
        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=keras.distribution.list_devices("cpu")))
    elif devices > 1:
        import tensorflow as tf

        strategy = tf.distribute.MirroredStrategy(
            [f"/cpu:{i}" for i in range(devices)], cross_device_ops=tf.distribute.ReductionToOneDevice()
        )
        scope = strategy.scope()
    keras.utils.set_random_seed(0)
    with scope:
        model = kf.GAN(kf.networks.mlp_generator(8, 2, width=256, depth=3),
                       kf.networks.mlp_discriminator(2, width=256, depth=3), seed=0)
        model.compile()
    data = kf.datasets.load("ring", n=BATCH * WARMUP_STEPS, seed=0)
    model.fit(data, batch_size=BATCH, epochs=1, verbose=0)  # trace / compile
    data = kf.datasets.load("ring", n=BATCH * WORKER_STEPS, seed=1)
    start = time.perf_counter()
    model.fit(data, batch_size=BATCH, epochs=1, verbose=0)
    seconds = time.perf_counter() - start
    print(json.dumps({"steps_per_s": WORKER_STEPS / seconds}))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--backends", nargs="+", default=["jax", "tensorflow"])
    parser.add_argument("--out", default=os.path.join("benchmarks", "results"))
    parser.add_argument("--worker", nargs=2, metavar=("BACKEND", "DEVICES"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.worker[0], int(args.worker[1]))

    results = {(b, d): [] for b in args.backends for d in (1, 2)}
    for _ in range(args.repeats):
        for key in results:
            env = dict(os.environ, KERAS_BACKEND=key[0], PYTHONPATH=os.getcwd())
            out = subprocess.run([sys.executable, __file__, "--worker", key[0], str(key[1])],
                                 env=env, capture_output=True, text=True, check=True).stdout
            results[key].append(json.loads(out.strip().splitlines()[-1])["steps_per_s"])
            print(key, f"{results[key][-1]:.1f} steps/s", flush=True)

    rows = []
    for (backend, devices), values in results.items():
        one = statistics.median(results[(backend, 1)])
        rows.append(f"| {backend} | {devices} | {statistics.median(values):.1f} | {min(values):.1f} | "
                    f"{max(values):.1f} | {statistics.median(values) / one:.2f} |")
    from importlib.metadata import version

    report = f"""# Data-parallel throughput, 1 vs 2 virtual CPU devices

Command (repository root): `python benchmarks/data_parallel_throughput.py --repeats {args.repeats}`

Machine: {platform.machine()}, {os.cpu_count()} cores, no GPU; Keras
{version('keras')}. GAN with `mlp_generator(8, 2, width=256, depth=3)` and
`mlp_discriminator(2, width=256, depth=3)` on the ring, global batch {BATCH},
{WORKER_STEPS} timed steps after {WARMUP_STEPS} warm-up steps, each
configuration in a fresh process, alternating, {args.repeats} repeats.

| backend | devices | steps/s (median) | min | max | vs 1 device |
|---|---|---|---|---|---|
{chr(10).join(rows)}

The two virtual devices share the machine's cores: these figures show that
the data-parallel code runs and what its overhead is, not a speed-up.
"""
    path = os.path.join(args.out, "data_parallel_throughput.md")
    from keras_fgan.imaging import atomic_write_bytes

    atomic_write_bytes(path, report.encode())
    print("wrote", path)


if __name__ == "__main__":
    main()
