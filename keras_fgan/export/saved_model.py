"""TensorFlow SavedModel export, with the metadata in a JSON file beside it."""

import json
import os
import shutil
import tempfile
from pathlib import Path

import keras

from keras_fgan.export import common

SAVED_MODEL_METADATA = "keras_fgan_metadata.json"


def export_saved_model(
    source, path, *, role=None, preset=None, value_range=None, latent_prior=None
):
    """Exports a generator (and an encoder) as TensorFlow SavedModels.

    Uses `model.export(format="tf_saved_model")` (native on TensorFlow,
    through jax2tf with a polymorphic batch on JAX) with an explicit input
    signature whose batch dimension is `None`. The endpoint is `serve`:
    `tf.saved_model.load(path).serve(z)`. The metadata of `export_onnx` is
    written to `keras_fgan_metadata.json` inside each SavedModel directory.
    An existing destination is replaced only if it is empty or a SavedModel.

    Args:
        source: as in `export_onnx`.
        path: the SavedModel directory when one network is exported; a parent
            directory receiving `generator/` and `encoder/` when `source` has
            an encoder and `role` is None.
        role: as in `export_onnx`.
        preset: as in `export_onnx`.
        value_range: as in `export_onnx`.
        latent_prior: as in `export_onnx`.

    Returns:
        A dict `{role: directory}` (str) of the SavedModels written.

    Raises:
        NotImplementedError: on the PyTorch backend (export to ONNX instead,
            or export from the TensorFlow or JAX backend).
        TypeError, ValueError: as in `export_onnx`.
    """
    check_backend()
    return common.export_networks(
        source, path, write_saved_model, "", role=role, preset=preset,
        value_range=value_range, latent_prior=latent_prior,
    )


def check_backend():
    """Raises NotImplementedError unless the backend can write SavedModels."""
    if keras.backend.backend() not in ("tensorflow", "jax"):
        raise NotImplementedError(
            "SavedModel export needs the TensorFlow or JAX backend (Keras "
            f"backend is {keras.backend.backend()!r}). Set KERAS_BACKEND=tensorflow "
            "or KERAS_BACKEND=jax, or export to ONNX with `export_onnx`."
        )


def write_saved_model(network, path, spec, metadata):
    """Writes `network` as the SavedModel directory `path`: built in a
    temporary directory beside it, then swapped in, so `path` is always
    either the previous SavedModel or the new one."""
    if path.exists():
        if not path.is_dir():
            raise ValueError(f"SavedModel destination {str(path)!r} is a file.")
        if any(path.iterdir()) and not (path / "saved_model.pb").exists():
            raise ValueError(
                f"Refusing to replace {str(path)!r}: it is a non-empty directory "
                "that is not a SavedModel."
            )
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    old = None
    try:
        common.keras_export(network, tmp, format="tf_saved_model", input_signature=[spec])
        (tmp / SAVED_MODEL_METADATA).write_text(json.dumps(metadata, indent=2) + "\n")
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=path.parent))
            os.replace(path, old / "previous")
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, old):
            if leftover is not None and leftover.exists():
                shutil.rmtree(leftover, ignore_errors=True)
