"""Training throughput of `model.fit` against hand-written native loops.

For the reference `dcgan28` networks on Fashion-MNIST at batch 64, measures
generator-update images per second and peak memory for: non-saturating GAN,
f-GAN (kl), WGAN-GP (n_critic 5) and BiGAN, on each backend, both through
`model.fit` and through the backend's own loop (`benchmarks/native_loops.py`)
with identical networks, initial weights and hyper-parameters.

Every (backend, objective, mode) runs in a fresh process (so its peak RSS is
its own); the runner alternates fit and native, and the second pass runs
them in the opposite order. Inside a process: warm-up steps (tracing,
compilation), then `--blocks` timed blocks of `--steps` steps. FLOPs per
iteration come from XLA's cost analysis of the native JAX step (the same
math on every backend); the machine's fp32 peak is a measured NumPy matmul.

    python benchmarks/performance.py                 # writes benchmarks/RESULTS.md
    python benchmarks/performance.py --quick         # 1 pass, fewer steps

Each child gets the same environment, including
MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_ set high (glibc returning
memory every step cost 13-15% on torch and JAX here).
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from importlib.metadata import version

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # native_loops, onnx_latency

OBJECTIVES = ("gan", "fgan_kl", "wgan_gp", "bigan")
BACKENDS = ("tensorflow", "jax", "torch")
BATCH = 64
ENV = {"MALLOC_MMAP_THRESHOLD_": "1000000000", "MALLOC_TRIM_THRESHOLD_": "1000000000"}


# ------------------------------------------------------------------ child --
def build_model(objective, seed=0):
    import keras

    from keras_fgan import builders

    keras.utils.set_random_seed(seed)
    recipe = {
        "gan": dict(objective="gan", loss="non_saturating"),
        "fgan_kl": dict(objective="fgan", divergence="kl"),
        "wgan_gp": dict(objective="wgan", lipschitz="gradient_penalty", n_critic=5),
        "bigan": dict(objective="bigan"),
    }[objective]
    return builders.build_model(data="fashion_mnist", seed=seed, **recipe)


def native_spec(model, objective):
    d_opt, _ = model.default_optimizers()
    spec = {
        "objective": objective,
        "G": model.generator,
        "D": model.discriminator,
        "n_d": model.d_steps,
        "latent_dim": model.latent_dim,
        "prior": model.latent_prior,
        "lr": float(d_opt.learning_rate),
        "beta_1": float(d_opt.beta_1),
        "beta_2": float(d_opt.beta_2),
    }
    if objective == "bigan":
        spec["E"] = model.encoder
    return spec


def batch_clock(first):
    """A Keras callback timing from the start of batch `first` to the end of
    training (its `start` and `stop` attributes)."""
    import keras

    class BatchClock(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if batch == first:
                self.start = time.perf_counter()

        def on_train_end(self, logs=None):
            self.stop = time.perf_counter()

    return BatchClock()


def child(backend, objective, mode, steps, blocks, warmup):
    import keras

    import keras_fgan as kf

    x = kf.datasets.load("fashion_mnist", n=BATCH * (steps + warmup))
    model = build_model(objective)
    # Build every network once (same initial weights for both modes).
    model.generate(2, seed=0)
    result = {"backend": backend, "objective": objective, "mode": mode, "blocks": []}
    if mode == "fit":
        model.compile()
        model.fit(x[: BATCH * warmup], batch_size=BATCH, epochs=1, verbose=0)
        for _ in range(blocks):
            clock = batch_clock(first=1)
            model.fit(x, batch_size=BATCH, epochs=1, verbose=0, shuffle=False, callbacks=[clock])
            result["blocks"].append(BATCH * (steps + warmup - 1) / (clock.stop - clock.start))
        if objective == "gan":
            result["generate"] = time_generate(model)
    else:
        from native_loops import make_native_step

        step, sync = make_native_step(native_spec(model, objective))
        batches = [keras.ops.convert_to_tensor(x[i * BATCH : (i + 1) * BATCH]) for i in range(steps + warmup)]
        for batch in batches[:warmup]:
            sync(step(batch))
        for _ in range(blocks):
            start = time.perf_counter()
            for batch in batches[warmup:]:
                out = step(batch)
            sync(out)
            result["blocks"].append(BATCH * steps / (time.perf_counter() - start))
        if backend == "jax":
            cost = step.lowered(batches[0]).compile().cost_analysis()
            cost = cost[0] if isinstance(cost, (list, tuple)) else cost
            result["flops"] = float(cost["flops"])
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def time_generate(model, n=1024, repeats=5):
    """(seconds of `model.generate(n)`, of a raw compiled forward pass), medians."""
    import keras

    backend = keras.backend.backend()
    z = model.latent_batch(n, seed=0)
    g = model.generator
    if backend == "tensorflow":
        import tensorflow as tf

        raw = tf.function(lambda z: g(z, training=False))
        forward = lambda: raw(z).numpy()  # noqa: E731
    elif backend == "jax":
        import jax

        raw = jax.jit(lambda tv, ntv, z: g.stateless_call(tv, ntv, z, training=False)[0])

        def forward():
            tv, ntv = [v.value for v in g.trainable_variables], [v.value for v in g.non_trainable_variables]
            return np.asarray(raw(tv, ntv, z))
    else:
        import torch

        zt = torch.as_tensor(z)

        def forward():
            with torch.no_grad():
                return g(zt, training=False).numpy()

    from onnx_latency import median_ms

    def median_seconds(fn):
        return median_ms(fn, repeats, warmup=1) / 1000.0

    return {
        "generate_s": median_seconds(lambda: model.generate(n, seed=0, batch_size=n)),
        "raw_s": median_seconds(forward),
    }


# ----------------------------------------------------------------- runner --
def matmul_gflops(n=2048, repeats=5):
    a = np.random.default_rng(0).standard_normal((n, n)).astype("float32")
    a @ a
    best = min(_timed(lambda: a @ a) for _ in range(repeats))
    return 2 * n**3 / best / 1e9


def _timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run_child(backend, objective, mode, args):
    env = dict(os.environ, KERAS_BACKEND=backend, PYTHONPATH=os.getcwd(), **ENV)
    cmd = [sys.executable, os.path.abspath(__file__), "--child", backend, objective, mode,
           "--steps", str(args.steps), "--blocks", str(args.blocks), "--warmup", str(args.warmup)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{backend} {objective} {mode} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def summarize(values):
    return statistics.median(values), min(values), max(values)


def report(results, args, gflops, seconds):
    flops = {r["objective"]: r["flops"] for r in results if "flops" in r}
    lines = []
    for objective in args.objectives:
        lines.append(f"\n### {objective}\n")
        if objective in flops:
            lines.append(f"FLOPs per iteration (XLA cost analysis of the native JAX step): "
                         f"{flops[objective] / 1e9:.2f} GFLOP.\n")
        lines.append("| backend | mode | img/s median | min | max | fit / native | % of peak | peak RSS MB |")
        lines.append("|---|---|---|---|---|---|---|---|")
        for backend in args.backends:
            med = {}
            for mode in ("fit", "native"):
                runs = [r for r in results if (r["backend"], r["objective"], r["mode"]) == (backend, objective, mode)]
                if not runs:
                    continue
                blocks = [b for r in runs for b in r["blocks"]]
                med[mode], low, high = summarize(blocks)
                ratio = f"{med['fit'] / med['native']:.2f}" if mode == "native" and "fit" in med else ""
                peak = ""
                if objective in flops:
                    peak = f"{100 * med[mode] / BATCH * flops[objective] / (gflops * 1e9):.1f}%"
                rss = max(r["peak_rss_mb"] for r in runs)
                lines.append(f"| {backend} | {mode} | {med[mode]:.0f} | {low:.0f} | {high:.0f} | {ratio} | {peak} | {rss:.0f} |")
    gen = [r for r in results if "generate" in r]
    gen_lines = ["| backend | `generate(1024)` s | raw compiled forward s | ratio |", "|---|---|---|---|"]
    for backend in args.backends:
        runs = [r["generate"] for r in gen if r["backend"] == backend]
        if runs:
            g = statistics.median(r["generate_s"] for r in runs)
            raw = statistics.median(r["raw_s"] for r in runs)
            gen_lines.append(f"| {backend} | {g:.4f} | {raw:.4f} | {g / raw:.2f} |")
    command = "python " + " ".join(sys.argv)
    return f"""# Performance: `model.fit` vs hand-written native loops

Command (repository root): `{command}`

Machine: {platform.machine()} CPU, {os.cpu_count()} cores, no GPU, {platform.platform()};
measured fp32 matmul rate (NumPy, 2048x2048, best of 5): **{gflops:.0f} GFLOP/s**.
Versions: Python {platform.python_version()}, keras {version('keras')}, tensorflow
{version('tensorflow')}, jax {version('jax')}, torch {version('torch')}.
Environment of every child: {' '.join(f'{k}={v}' for k, v in ENV.items())}.
Protocol: reference `dcgan28` networks (latent 64, width 64) on Fashion-MNIST,
batch {BATCH}; each (backend, objective, mode) in a fresh process, fit and
native alternating, {args.passes} pass(es) (the second in reverse order);
per process {args.warmup} warm-up steps then {args.blocks} blocks of
{args.steps} steps. Figures are generator-update images per second
(an iteration of WGAN-GP is 5 critic steps and 1 generator step); min / median /
max over all blocks. "% of peak" = iteration FLOPs x iterations/s / measured
matmul rate. Total wall time {seconds / 60:.1f} min.
{chr(10).join(lines)}

### Sampling

{chr(10).join(gen_lines)}
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=BACKENDS)
    parser.add_argument("--objectives", nargs="+", default=list(OBJECTIVES), choices=OBJECTIVES)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--blocks", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="1 pass, 8 steps x 2 blocks")
    parser.add_argument("--out", default=os.path.join("benchmarks", "RESULTS.md"))
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(*args.child, args.steps, args.blocks, args.warmup)
    if args.quick:
        args.passes, args.steps, args.blocks = 1, 8, 2

    start = time.perf_counter()
    gflops = matmul_gflops()
    print(f"matmul: {gflops:.0f} GFLOP/s", flush=True)
    results = []
    for p in range(args.passes):
        modes = ("fit", "native") if p % 2 == 0 else ("native", "fit")
        for objective in args.objectives:
            for backend in args.backends:
                for mode in modes:
                    r = run_child(backend, objective, mode, args)
                    results.append(r)
                    print(f"{backend:10s} {objective:8s} {mode:6s} {statistics.median(r['blocks']):7.1f} img/s "
                          f"{r['peak_rss_mb']:.0f} MB", flush=True)
    text = report(results, args, gflops, time.perf_counter() - start)
    from keras_fgan.imaging import atomic_write_bytes

    atomic_write_bytes(args.out, text.encode())
    results_json = json.dumps({"gflops": gflops, "results": results}, indent=1)
    atomic_write_bytes(os.path.splitext(args.out)[0] + ".json", results_json.encode())
    print("wrote", args.out)


if __name__ == "__main__":
    main()
