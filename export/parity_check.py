"""Checks that exported ONNX networks compute what their Keras originals do.

Exports every network of a saved model (generator, and encoder for a BiGAN)
or a saved plain network with `keras_fgan.export.export_onnx`, runs
onnxruntime and Keras `predict` on the same seeded inputs at batch 1 and 64,
prints the max absolute difference of each, and exits with status 1 when one
exceeds the tolerance (2 on a usage error):

    KERAS_BACKEND=jax python export/parity_check.py model.keras [--tolerance 1e-5]
    python export/parity_check.py --preset NAME      # needs keras_fgan.zoo

Generator inputs are latents from the recorded prior; encoder inputs are
uniform on [-1, 1], the data range of the library's image datasets.
"""

import argparse
import importlib.util
import sys
import tempfile
from pathlib import Path

import numpy as np

try:
    import keras_fgan
except ImportError:  # run from a checkout without installing the package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import keras_fgan

import keras

DEFAULT_TOLERANCE = 1e-5
DEFAULT_BATCH_SIZES = (1, 64)


def _inputs(session, batch, rng):
    meta = session.get_modelmeta().custom_metadata_map
    shape = (batch,) + tuple(session.get_inputs()[0].shape[1:])
    if meta.get("role") == "generator" and meta.get("latent_prior") == "normal":
        return rng.standard_normal(shape).astype("float32")
    return rng.uniform(-1.0, 1.0, size=shape).astype("float32")


def parity(source, *, batch_sizes=DEFAULT_BATCH_SIZES, seed=0, workdir=None):
    """Max abs differences between onnxruntime and Keras for each network.

    Args:
        source: an adversarial model or a plain Keras network (as
            `keras_fgan.export.export_onnx` takes).
        batch_sizes: batch sizes to compare at.
        seed: seed of the inputs.
        workdir: where to write the ONNX files (a temporary directory when
            None).

    Returns:
        A list of `(role, batch_size, max_abs_difference)`.
    """
    import onnxruntime as ort

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(workdir or tmp)
        roles = keras_fgan.export.exported_networks(source)
        for role, network in roles.items():
            target = out / f"{role}.onnx"
            keras_fgan.export.export_onnx(source, target, role=role)
            session = ort.InferenceSession(str(target), providers=["CPUExecutionProvider"])
            rng = np.random.default_rng(seed)
            for batch in batch_sizes:
                x = _inputs(session, batch, rng)
                expected = np.asarray(network.predict(x, batch_size=batch, verbose=0))
                actual = session.run(None, {session.get_inputs()[0].name: x})[0]
                if actual.shape != expected.shape:
                    raise AssertionError(
                        f"{role}: onnxruntime output shape {actual.shape} != Keras "
                        f"{expected.shape} at batch {batch}."
                    )
                diff = float(np.max(np.abs(actual.astype("float32") - expected)))
                results.append((role, batch, diff))
    return results


def _load(args, parser):
    if args.preset:
        if importlib.util.find_spec("keras_fgan.zoo") is None:
            parser.exit(2, "zoo not available: --preset needs keras_fgan.zoo.\n")
        from keras_fgan import zoo

        return zoo.load(args.preset)
    path = Path(args.model)
    if path.suffix != ".keras" or not path.is_file():
        parser.exit(2, f"error: {args.model!r} is not an existing .keras file.\n")
    return keras.saving.load_model(path, safe_mode=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", nargs="?", help="a .keras file (model or plain network)")
    parser.add_argument("--preset", help="a zoo preset name instead of a file")
    parser.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE)
    parser.add_argument(
        "--batch-sizes", type=int, nargs="+", default=list(DEFAULT_BATCH_SIZES)
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if bool(args.model) == bool(args.preset):
        parser.error("give a .keras file or --preset NAME (one of them)")
    if any(b < 1 for b in args.batch_sizes):
        parser.error("batch sizes must be >= 1")
    source = _load(args, parser)
    results = parity(source, batch_sizes=args.batch_sizes, seed=args.seed)
    print(f"backend {keras.backend.backend()}, tolerance {args.tolerance:g}")
    worst = 0.0
    for role, batch, diff in results:
        verdict = "ok" if diff <= args.tolerance else "FAIL"
        print(f"{role:9s} batch {batch:4d}: max abs diff {diff:.3e} {verdict}")
        worst = max(worst, diff)
    return 0 if worst <= args.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
