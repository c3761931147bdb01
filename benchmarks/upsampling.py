"""DCGAN upsampling: transposed convolutions vs resize-convolutions.

Trains a non-saturating GAN on Fashion-MNIST with
`kf.networks.dcgan_generator(64, (28, 28, 1), upsampling=...)` (width 64;
"transpose" is exactly `dcgan28_generator`) against `dcgan28_discriminator`,
for the same budget of generator steps at batch 64 and the default Adam
(2e-4, beta_1 0.5), on each backend, then scores 5,000 samples against 5,000
test images with `kf.evaluation.frechet_distance` (the shipped classifier's
features). Reports the training throughput (generator-update images per
second, steps after the first `--warmup`, in the same process as the
training) and the Frechet distance. Every (backend, upsampling, seed) runs in
a fresh process; the runner alternates the two variants.

    python benchmarks/upsampling.py                       # writes benchmarks/results/upsampling.md
    python benchmarks/upsampling.py --steps 100 --backends jax   # a smoke run

References:
    Odena, Dumoulin, Olah. "Deconvolution and Checkerboard Artifacts."
    Distill, 2016 (resize-convolution).
    Radford, Metz, Chintala. "Unsupervised Representation Learning with Deep
    Convolutional GANs." ICLR 2016 (transposed convolutions).
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time

BACKENDS = ("tensorflow", "jax", "torch")
UPSAMPLING = ("transpose", "resize")
BATCH = 64
FD_SAMPLES = 5000
# `--one-thread`: every backend on one compute thread (on a shared CPU, a
# fair comparison of work rather than of thread scheduling).
ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
}


def child(backend, upsampling, seed, steps, warmup):
    import keras

    import keras_fgan as kf

    keras.utils.set_random_seed(seed)
    model = kf.GAN(
        kf.networks.dcgan_generator(64, (28, 28, 1), upsampling=upsampling),
        kf.networks.dcgan28_discriminator(),
        seed=seed,
    )
    model.compile()
    x = kf.datasets.load("fashion_mnist", split="train")
    x = x[: BATCH * steps]
    times = []

    class Clock(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            times.append(time.perf_counter())

    start = time.perf_counter()
    model.fit(x, batch_size=BATCH, epochs=1, shuffle=True, verbose=0, callbacks=[Clock()])
    train_s = time.perf_counter() - start
    steady = BATCH * (len(times) - warmup) / (times[-1] - times[warmup - 1])
    real = kf.datasets.load("fashion_mnist", split="test")[:FD_SAMPLES]
    fd = kf.evaluation.frechet_distance(real, model, num_samples=FD_SAMPLES, seed=seed)
    print(json.dumps({
        "backend": backend, "upsampling": upsampling, "seed": seed, "steps": len(times),
        "img_per_s": steady, "train_s": train_s, "fd": fd,
    }))


def run_child(backend, upsampling, seed, args):
    env = dict(os.environ, KERAS_BACKEND=backend, PYTHONPATH=os.getcwd(), **(ONE_THREAD if args.one_thread else {}))
    cmd = [sys.executable, os.path.abspath(__file__), "--child", backend, upsampling, str(seed),
           "--steps", str(args.steps), "--warmup", str(args.warmup)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{backend} {upsampling} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def report(results, args, loads, minutes):
    lines = [
        "| backend | upsampling | seed | img/s | Frechet distance | training s |",
        "|---|---|---|---|---|---|",
    ]
    for r in sorted(results, key=lambda r: (BACKENDS.index(r["backend"]), r["seed"], r["upsampling"])):
        lines.append(f"| {r['backend']} | {r['upsampling']} | {r['seed']} | {r['img_per_s']:.0f} | "
                     f"{r['fd']:.2f} | {r['train_s']:.0f} |")
    ratio_lines = ["| backend | resize / transpose img/s | FD transpose | FD resize |", "|---|---|---|---|"]
    for backend in args.backends:
        by = {u: [r for r in results if (r["backend"], r["upsampling"]) == (backend, u)] for u in UPSAMPLING}
        if all(by.values()):
            speed = sum(r["img_per_s"] for r in by["resize"]) / sum(r["img_per_s"] for r in by["transpose"])
            fds = {u: ", ".join(f"{r['fd']:.2f}" for r in by[u]) for u in UPSAMPLING}
            ratio_lines.append(f"| {backend} | {speed:.2f} | {fds['transpose']} | {fds['resize']} |")
    return f"""# DCGAN upsampling: transposed convolution vs resize-convolution

Command (repository root): `python {' '.join(sys.argv)}`

Machine: {platform.machine()} CPU, {os.cpu_count()} cores, {platform.platform()}.
Budget: {args.steps} generator steps at batch {BATCH} (non-saturating GAN, Adam 2e-4 /
beta_1 0.5, `dcgan_generator(64, (28, 28, 1), upsampling=...)` against
`dcgan28_discriminator`); img/s over the steps after the first {args.warmup};
Frechet distance of {FD_SAMPLES} samples against {FD_SAMPLES} Fashion-MNIST test
images in the shipped classifier's feature space. Each run in a fresh
process, variants alternating; {"one compute thread per process (" + ", ".join(f"{k}={v}" for k, v in ONE_THREAD.items()) + ")" if args.one_thread else "default threads"}. Load averages (1/5/15 min) before and after:
{loads[0]} / {loads[1]}. Total wall time {minutes:.0f} min.

{chr(10).join(lines)}

{chr(10).join(ratio_lines)}
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=BACKENDS)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--resume", action="store_true",
                        help="keep the runs already in the JSON file beside --out")
    parser.add_argument("--one-thread", action="store_true", help="one compute thread per backend")
    parser.add_argument("--out", default=os.path.join("benchmarks", "results", "upsampling.md"))
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        backend, upsampling, seed = args.child
        return child(backend, upsampling, int(seed), args.steps, args.warmup)

    from keras_fgan.fileio import atomic_write_bytes

    start = time.perf_counter()
    loads = ["{:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())]
    json_path = os.path.splitext(args.out)[0] + ".json"
    results = []
    if args.resume and os.path.exists(json_path):
        with open(json_path) as f:
            results = json.load(f)
    for i, (seed, backend) in enumerate((s, b) for s in args.seeds for b in args.backends):
        order = UPSAMPLING if i % 2 == 0 else UPSAMPLING[::-1]
        for upsampling in order:
            if any((r["backend"], r["upsampling"], r["seed"]) == (backend, upsampling, seed) for r in results):
                continue
            r = run_child(backend, upsampling, seed, args)
            results.append(r)
            atomic_write_bytes(json_path, json.dumps(results, indent=1).encode())
            print(f"{backend:10s} {upsampling:9s} seed {seed}: {r['img_per_s']:6.1f} img/s, "
                  f"FD {r['fd']:.2f}", flush=True)
    loads.append("{:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg()))
    atomic_write_bytes(args.out, report(results, args, loads, (time.perf_counter() - start) / 60).encode())
    print("wrote", args.out)


if __name__ == "__main__":
    main()
