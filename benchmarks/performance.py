"""Training throughput of `model.fit` against hand-written native loops.

Cases (`--cases`), each an objective on a set of reference networks:

- `dcgan28` networks (latent 64, width 64) on Fashion-MNIST at batch 64:
  `gan` (non-saturating), `gan_d5` (the same with 5 discriminator steps per
  generator step: the reference for a WGAN critic step), `fgan_kl`,
  `wgan_gp`, `wgan_clip`, `wgan_sn` (n_critic 5, the paper optimizers) and
  `bigan`; `gan_resize` swaps in the resize-convolution generator
  (`dcgan_generator(..., upsampling="resize")`).
- 2-D networks on the ring at the batch of their source: `gan_pacgan2d`,
  PacGAN's (Lin et al. 2018, Sec. 6) generator of 4 x 400 ReLU + BatchNorm
  and discriminator of 3 x 200 LeakyReLU, batch 100; `gan_mlp128`, the
  README's `mlp_generator(8, 2)` and `mlp_discriminator(2)`, batch 256.
  These also run `fit_spe`: `fit` after `compile(steps_per_execution=10)`,
  the setting the 2-D training recipes use (one compiled call and one round
  of callbacks per 10 steps).

Each case runs on each backend both through `model.fit` and through the
backend's own loop (`benchmarks/native_loops.py`) with identical networks,
initial weights and hyper-parameters. On PyTorch the native loop gets the
intra-op thread count that `fit` picks for the case (one thread for the
2-D networks, see `keras_fgan/backend/torch_trainer.py`), and the 2-D cases
also run a third mode, `native_nn`: the same loop on `torch.nn` copies of
the MLPs, which measures what Keras' layer calls cost on PyTorch.

Every (backend, case, mode) runs in a fresh process (so its peak RSS is its
own); the runner alternates fit and native, and the second pass runs them in
the opposite order. Inside a process: warm-up steps (tracing, compilation),
then `--blocks` timed blocks of `--steps` steps (divided by the critic steps
per iteration for the 5-critic-step cases, so that every block does about the
same work; multiplied by `SMALL_CASE_STEPS` for the 2-D cases, whose steps
take milliseconds). FLOPs per iteration come from XLA's cost analysis of the native
JAX step (the same math on every backend); the machine's fp32 peak is a
measured NumPy matmul. Load averages are recorded before and after each
process: on a shared machine they say how much the figures mean.

    python benchmarks/performance.py                 # writes benchmarks/RESULTS.md
    python benchmarks/performance.py --quick         # 1 pass, fewer steps
    python benchmarks/performance.py --cases gan_mlp128 gan_pacgan2d --backends torch

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

# case -> (networks, objective, batch size)
CASES = {
    "gan": ("dcgan28", "gan", 64),
    "gan_d5": ("dcgan28", "gan_d5", 64),
    "fgan_kl": ("dcgan28", "fgan_kl", 64),
    "wgan_gp": ("dcgan28", "wgan_gp", 64),
    "wgan_clip": ("dcgan28", "wgan_clip", 64),
    "wgan_sn": ("dcgan28", "wgan_sn", 64),
    "bigan": ("dcgan28", "bigan", 64),
    "gan_resize": ("dcgan28_resize", "gan", 64),
    "gan_pacgan2d": ("pacgan2d", "gan", 100),
    "gan_mlp128": ("mlp128", "gan", 256),
}
BACKENDS = ("tensorflow", "jax", "torch")
SMALL_NETWORKS = ("pacgan2d", "mlp128")
SMALL_CASE_STEPS = 10  # a 2-D step is 2-60 ms: blocks of a few seconds, like dcgan28's
SMALL_CASE_SPE = 10  # steps_per_execution of the `fit_spe` mode
MODES = ("fit", "fit_spe", "native", "native_nn")
ENV = {"MALLOC_MMAP_THRESHOLD_": "1000000000", "MALLOC_TRIM_THRESHOLD_": "1000000000"}


def _load():
    return "{:.1f}/{:.1f}/{:.1f}".format(*os.getloadavg())


# ------------------------------------------------------------------ child --
def reference_networks(networks):
    """(generator, discriminator[, encoder]) of a case's networks."""
    import keras_fgan as kf

    n = kf.networks
    if networks == "pacgan2d":
        return n.mlp_generator(2, 2, width=400, depth=4, batch_norm=True), n.mlp_discriminator(2, width=200, depth=3)
    if networks == "mlp128":
        return n.mlp_generator(8, 2), n.mlp_discriminator(2)
    if networks == "dcgan28_resize":
        return n.dcgan_generator(64, (28, 28, 1), upsampling="resize"), n.dcgan28_discriminator()
    return n.dcgan28_generator(64), n.dcgan28_discriminator()


def build_model(case, seed=0):
    import keras

    import keras_fgan as kf

    keras.utils.set_random_seed(seed)
    networks, objective, _ = CASES[case]
    generator, discriminator = reference_networks(networks)
    if objective == "bigan":
        return kf.BiGAN(generator, kf.networks.dcgan28_encoder(64),
                        kf.networks.dcgan28_joint_discriminator(64), seed=seed)
    if objective.startswith("wgan_"):
        lipschitz = {"gp": "gradient_penalty", "clip": "weight_clip", "sn": "spectral_norm"}[objective[5:]]
        return kf.WGAN(generator, discriminator, lipschitz=lipschitz, n_critic=5, seed=seed)
    if objective == "fgan_kl":
        return kf.FGAN(generator, discriminator, divergence="kl", seed=seed)
    return kf.GAN(generator, discriminator, d_steps=5 if objective == "gan_d5" else 1, seed=seed)


def training_data(case, n):
    import keras_fgan as kf

    if CASES[case][0] in SMALL_NETWORKS:
        return kf.datasets.load("ring", n=n, seed=0)
    return kf.datasets.load("fashion_mnist", n=n)


def native_spec(model, case):
    d_opt, _ = model.default_optimizers()
    optimizer = type(d_opt).__name__.lower()
    spec = {
        "objective": CASES[case][1],
        "G": model.generator,
        "D": model.discriminator,
        "n_d": model.d_steps,
        "latent_dim": model.latent_dim,
        "prior": model.latent_prior,
        "optimizer": optimizer,
        "lr": float(d_opt.learning_rate),
        "d_constraint": getattr(model, "lipschitz", None) if case in ("wgan_clip", "wgan_sn") else None,
    }
    if optimizer == "rmsprop":
        spec["rho"] = float(d_opt.rho)
    else:
        spec["beta_1"], spec["beta_2"] = float(d_opt.beta_1), float(d_opt.beta_2)
    if CASES[case][1] == "bigan":
        spec["E"] = model.encoder
    return spec


def modes_of(backend, case):
    if CASES[case][0] not in SMALL_NETWORKS:
        return ("fit", "native")
    return ("fit", "fit_spe", "native") + (("native_nn",) if backend == "torch" else ())


def batch_clock(first):
    """A Keras callback timing from the start of batch `first` to the end of
    training: wall-clock `start` / `stop` and process CPU time `cpu_start` /
    `cpu_stop` (all threads; on a shared machine the CPU seconds a step
    needed, whatever the wait for a core)."""
    import keras

    class BatchClock(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if batch == first:
                self.start, self.cpu_start = time.perf_counter(), time.process_time()

        def on_train_end(self, logs=None):
            self.stop, self.cpu_stop = time.perf_counter(), time.process_time()

    return BatchClock()


def child(backend, case, mode, steps, blocks, warmup, jit_compile):
    import keras

    batch_size = CASES[case][2]
    model = build_model(case)
    steps = max(2, steps // model.d_steps)
    if CASES[case][0] in SMALL_NETWORKS:
        steps *= SMALL_CASE_STEPS
    x = training_data(case, batch_size * (steps + warmup))
    # Build every network once (same initial weights for both modes).
    model.generate(2, seed=0)
    result = {"backend": backend, "case": case, "mode": mode, "blocks": [], "cpu_ms": [],
              "batch": batch_size, "load_before": _load()}
    if backend == "torch":
        import torch

        from keras_fgan.backend.torch_trainer import single_thread_step

        if single_thread_step(model, batch_size):  # `fit` runs its steps on one thread
            result["torch_threads"] = 1
            if not mode.startswith("fit"):
                torch.set_num_threads(1)
        else:
            result["torch_threads"] = torch.get_num_threads()
    if mode in ("fit", "fit_spe"):
        # Timed from the second execution's first batch to the end of training.
        per_call = SMALL_CASE_SPE if mode == "fit_spe" else 1
        model.compile(jit_compile=True if jit_compile else "auto", steps_per_execution=per_call)
        start = time.perf_counter()
        model.fit(x[: batch_size * max(warmup, per_call)], batch_size=batch_size, epochs=1, verbose=0)
        result["warmup_s"] = time.perf_counter() - start  # tracing / compilation included
        timed = steps + warmup - per_call
        for _ in range(blocks):
            clock = batch_clock(first=per_call)
            model.fit(x, batch_size=batch_size, epochs=1, verbose=0, shuffle=False, callbacks=[clock])
            result["blocks"].append(batch_size * timed / (clock.stop - clock.start))
            result["cpu_ms"].append(1000 * (clock.cpu_stop - clock.cpu_start) / timed)
        if case == "gan":
            result["generate"] = time_generate(model)
    else:
        from native_loops import make_native_step

        step, sync = make_native_step(dict(native_spec(model, case), torch_nn=mode == "native_nn"))
        batches = [keras.ops.convert_to_tensor(x[i * batch_size : (i + 1) * batch_size])
                   for i in range(steps + warmup)]
        for batch in batches[:warmup]:
            sync(step(batch))
        for _ in range(blocks):
            start, cpu_start = time.perf_counter(), time.process_time()
            for batch in batches[warmup:]:
                out = step(batch)
            sync(out)
            result["blocks"].append(batch_size * steps / (time.perf_counter() - start))
            result["cpu_ms"].append(1000 * (time.process_time() - cpu_start) / steps)
        if backend == "jax":
            cost = step.lowered(batches[0]).compile().cost_analysis()
            cost = cost[0] if isinstance(cost, (list, tuple)) else cost
            result["flops"] = float(cost["flops"])
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["load_after"] = _load()
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


def run_child(backend, case, mode, args):
    env = dict(os.environ, KERAS_BACKEND=backend, PYTHONPATH=os.getcwd(), **ENV)
    cmd = [sys.executable, os.path.abspath(__file__), "--child", backend, case, mode,
           "--steps", str(args.steps), "--blocks", str(args.blocks), "--warmup", str(args.warmup)]
    if args.jit_compile:
        cmd.append("--jit-compile")
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{backend} {case} {mode} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def summarize(values):
    return statistics.median(values), min(values), max(values)


def medians(results, backend, case):
    """{mode: median img/s} of a (backend, case)."""
    out = {}
    for mode in MODES:
        blocks = [b for r in results if (r["backend"], r["case"], r["mode"]) == (backend, case, mode)
                  for b in r["blocks"]]
        if blocks:
            out[mode] = statistics.median(blocks)
    return out


def case_table(results, case, backends, gflops, flops):
    batch = CASES[case][2]
    lines = ["| backend | mode | img/s median | min | max | ms/iteration | CPU ms/iteration | "
             "fit / native (wall, CPU) | % of peak | peak RSS MB | warm-up s | load avg before -> after |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for backend in backends:
        med, cpu, runs_of = {}, {}, {}
        for mode in MODES:
            runs = [r for r in results if (r["backend"], r["case"], r["mode"]) == (backend, case, mode)]
            if runs:
                runs_of[mode] = runs
                med[mode] = statistics.median(b for r in runs for b in r["blocks"])
                cpu[mode] = statistics.median(c for r in runs for c in r["cpu_ms"])
        for mode, runs in runs_of.items():
            _, low, high = summarize([b for r in runs for b in r["blocks"]])
            # fit rows: against the native loop; native rows: fit against them.
            if mode.startswith("fit"):
                ratio = (f"{med[mode] / med['native']:.2f}, {cpu['native'] / cpu[mode]:.2f}"
                         if mode == "fit_spe" and "native" in med else "")
            else:
                ratio = (f"{med['fit'] / med[mode]:.2f}, {cpu[mode] / cpu['fit']:.2f}"
                         if "fit" in med else "")
            peak = f"{100 * med[mode] / batch * flops / (gflops * 1e9):.2f}%" if flops else ""
            rss = max(r["peak_rss_mb"] for r in runs)
            warm = f"{statistics.median(r['warmup_s'] for r in runs):.0f}" if mode.startswith("fit") else ""
            loads = ", ".join(f"{r['load_before']} -> {r['load_after']}" for r in runs)
            threads = f" ({runs[0]['torch_threads']} thread{'s' * (runs[0]['torch_threads'] > 1)})" \
                if "torch_threads" in runs[0] else ""
            lines.append(f"| {backend} | {mode}{threads} | {med[mode]:.0f} | {low:.0f} | {high:.0f} | "
                         f"{1000 * batch / med[mode]:.1f} | {cpu[mode]:.1f} | {ratio} | {peak} | {rss:.0f} "
                         f"| {warm} | {loads} |")
    return lines


def summary_table(results, args):
    """One line per case: fit img/s per backend, fit / native in brackets."""
    head = "| case | networks, batch | " + " | ".join(f"{b} fit (fit / native)" for b in args.backends) + " |"
    lines = [head, "|---|---|" + "---|" * len(args.backends)]
    for case in args.cases:
        cells = []
        for backend in args.backends:
            med = medians(results, backend, case)
            if "fit" not in med:
                cells.append("")
                continue
            ratio = f" ({med['fit'] / med['native']:.2f})" if "native" in med else ""
            if "fit_spe" in med:
                ratio += (f"; steps_per_execution={SMALL_CASE_SPE}: {med['fit_spe']:.0f} img/s, "
                          f"{1000 * CASES[case][2] / med['fit_spe']:.1f} ms"
                          + (f" ({med['fit_spe'] / med['native']:.2f})" if "native" in med else ""))
            if "native_nn" in med:
                ratio += f", torch.nn loop {1000 * CASES[case][2] / med['native_nn']:.1f} ms"
            cells.append(f"{med['fit']:.0f} img/s, {1000 * CASES[case][2] / med['fit']:.1f} ms{ratio}")
        lines.append(f"| {case} | {CASES[case][0]}, {CASES[case][2]} | " + " | ".join(cells) + " |")
    return lines


def report(results, args, gflops, seconds, loads, commands):
    flops = {r["case"]: r["flops"] for r in results if "flops" in r}
    sections = []
    for case in args.cases:
        networks, objective, batch = CASES[case]
        sections.append(f"\n### {case} ({objective} on {networks}, batch {batch})\n")
        if case in flops:
            sections.append(f"FLOPs per iteration (XLA cost analysis of the native JAX step): "
                            f"{flops[case] / 1e9:.3f} GFLOP.\n")
        sections.extend(case_table(results, case, args.backends, gflops, flops.get(case)))
    gen = [r for r in results if "generate" in r]
    gen_lines = ["| backend | `generate(1024)` s | raw compiled forward s | ratio |", "|---|---|---|---|"]
    for backend in args.backends:
        runs = [r["generate"] for r in gen if r["backend"] == backend]
        if runs:
            g = statistics.median(r["generate_s"] for r in runs)
            raw = statistics.median(r["raw_s"] for r in runs)
            gen_lines.append(f"| {backend} | {g:.4f} | {raw:.4f} | {g / raw:.2f} |")
    return f"""# Performance: `model.fit` vs hand-written native loops

Command(s) (repository root; `--resume` continues the same JSON):
{chr(10).join((c if c.startswith("(") else f"`python {c}`") + "  " for c in commands)}

Machine: {platform.machine()} CPU, {os.cpu_count()} cores, no GPU, {platform.platform()};
fp32 peak used for "% of peak": **{gflops:.0f} GFLOP/s** ({"given as --peak-gflops" if args.peak_gflops
else "NumPy 2048x2048 matmul, best of 5, measured at the start"}).
Versions: Python {platform.python_version()}, keras {version('keras')}, tensorflow
{version('tensorflow')}, jax {version('jax')}, torch {version('torch')}.
Environment of every child: {' '.join(f'{k}={v}' for k, v in ENV.items())}.
`fit` compiles with `jit_compile={True if args.jit_compile else '"auto"'}`.
Protocol: each (backend, case, mode) in a fresh process, fit and native
alternating, {args.passes} pass(es) (the second in reverse order); per process
{args.warmup} warm-up steps then {args.blocks} blocks of {args.steps} steps ({args.steps} // 5
iterations for the 5-critic-step cases, {SMALL_CASE_STEPS} x {args.steps} for the 2-D cases). Figures are generator-update images
per second (an iteration of a 5-critic-step case is 5 critic steps and 1
generator step) and milliseconds per iteration; min / median / max over all
blocks; "CPU ms/iteration" is the process CPU time (all threads) per
iteration, median over blocks: on a shared machine it is steadier than wall
time, but it also counts threads spinning at barriers. "fit / native" is
the speed ratio (>= 1: fit is faster), from wall time and from CPU time.
"% of peak" = iteration FLOPs x iterations/s / the fp32 peak above. "warm-up s":
the first `fit` call of the warm-up steps (tracing and compilation included).
Load averages (1/5/15 min) at the start and end of each invocation: {' -> '.join(loads)}
(per process in the tables). Total wall time {seconds / 60:.1f} min.

## Summary: `fit` per backend (fit / native on the same backend)

{chr(10).join(summary_table(results, args))}

## Per case
{chr(10).join(sections)}

### Sampling

{chr(10).join(gen_lines)}
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=BACKENDS)
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--blocks", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="1 pass, 8 steps x 2 blocks")
    parser.add_argument("--jit-compile", action="store_true",
                        help="fit with compile(jit_compile=True) (torch.compile on PyTorch)")
    parser.add_argument("--peak-gflops", type=float,
                        help="the fp32 peak for '%% of peak' (default: measured now; a loaded "
                             "machine measures less than its peak)")
    parser.add_argument("--resume", action="store_true",
                        help="keep the runs already in the JSON file beside --out (same settings)")
    parser.add_argument("--out", default=os.path.join("benchmarks", "RESULTS.md"))
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(*args.child, args.steps, args.blocks, args.warmup, args.jit_compile)
    if args.quick:
        args.passes, args.steps, args.blocks = 1, 8, 2

    from keras_fgan.fileio import atomic_write_bytes

    start = time.perf_counter()
    json_path = os.path.splitext(args.out)[0] + ".json"
    saved = {"results": [], "loads": [_load()], "minutes": 0.0}
    if args.resume and os.path.exists(json_path):
        with open(json_path) as f:
            saved = json.load(f)
        saved["loads"].append(_load())
    saved.setdefault("commands", []).append(" ".join(sys.argv))
    gflops = args.peak_gflops or saved.get("gflops") or matmul_gflops()
    print(f"peak: {gflops:.0f} GFLOP/s", flush=True)
    results = saved["results"]
    for p in range(args.passes):
        for case in args.cases:
            for backend in args.backends:
                modes = modes_of(backend, case)
                for mode in modes if p % 2 == 0 else modes[::-1]:
                    if any((r["backend"], r["case"], r["mode"], r["pass"]) == (backend, case, mode, p)
                           for r in results):
                        continue
                    r = dict(run_child(backend, case, mode, args), **{"pass": p})
                    results.append(r)
                    minutes = saved["minutes"] + (time.perf_counter() - start) / 60
                    atomic_write_bytes(json_path, json.dumps(
                        dict(saved, gflops=gflops, results=results, minutes=minutes), indent=1).encode())
                    print(f"{backend:10s} {case:12s} {mode:6s} {statistics.median(r['blocks']):7.1f} img/s "
                          f"{r['peak_rss_mb']:.0f} MB load {r['load_before']} -> {r['load_after']}", flush=True)
    saved["loads"].append(_load())
    minutes = saved["minutes"] + (time.perf_counter() - start) / 60
    atomic_write_bytes(json_path, json.dumps(
        dict(saved, gflops=gflops, results=results, minutes=minutes), indent=1).encode())
    args.cases = [c for c in CASES if any(r["case"] == c for r in results)]
    args.backends = [b for b in BACKENDS if any(r["backend"] == b for r in results)]
    atomic_write_bytes(args.out, report(results, args, gflops, 60 * minutes, saved["loads"],
                                        saved["commands"]).encode())
    print("wrote", args.out)


if __name__ == "__main__":
    main()
