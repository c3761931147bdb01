"""Export generators and encoders to ONNX and TensorFlow SavedModel.

`export_onnx` and `export_saved_model` take either an adversarial model (any
object with a Keras `generator` attribute, e.g. `GAN`, `FGAN`, `WGAN`; a
model that also has an `encoder`, e.g. `BiGAN`, exports both networks) or a
plain Keras network, and write artefacts with a dynamic batch dimension.

Paths: when one network is exported, `path` is the artefact itself (an
`.onnx` file, or a SavedModel directory). When several are (a BiGAN with
`role=None`), `path` is a directory that receives one artefact per role:
`generator.onnx` and `encoder.onnx`, or the SavedModel directories
`generator/` and `encoder/`. Both functions return `{role: written_path}`.

Every ONNX file carries its description in `metadata_props` (string values;
structured ones are JSON):

| key | value |
| --- | --- |
| `role` | `generator` or `encoder` |
| `latent_dim` | latent size, e.g. `64` |
| `latent_prior` | `normal` (standard normal) or `uniform` (on [-1, 1]) |
| `input_shape`, `output_shape` | JSON, batch as `null`: `[null, 28, 28, 1]` |
| `output_range` | JSON `[low, high]` (e.g. `[-1.0, 1.0]` after `tanh`) or `unbounded` |
| `objective` | class name of the adversarial model (`FGAN`), or `none` |
| `objective_config` | JSON: the model's config without its networks (`{}` if none) |
| `divergence` | JSON `{"name": ..., **params}` for an f-GAN, else `none` |
| `preset` | the `preset` argument, or `none` |
| `network` | the Keras network's name |
| `keras_backend` | the backend that exported it |
| `keras_fgan_version` | `keras_fgan.__version__` |

The graph's input is renamed `z` (generator) or `x` (encoder) and its output
`x` (generator) or `z` (encoder), so consumers see the same names whichever
backend exported it. A SavedModel directory gets the same description in
`keras_fgan_metadata.json` next to `saved_model.pb`, and its endpoint is
`serve` (`tf.saved_model.load(path).serve(z)`).

This module imports `onnx` and `tensorflow` only inside the functions that
need them, so `import keras_fgan` stays cheap.
"""

import contextlib
import json
import math
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import keras

ROLES = ("generator", "encoder")
FORMATS = ("onnx", "saved_model")
SAVED_MODEL_METADATA = "keras_fgan_metadata.json"

_IO_NAMES = {"generator": ("z", "x"), "encoder": ("x", "z")}
# Output ranges of final activations; anything else is "unbounded".
_ACTIVATION_RANGES = {
    "tanh": (-1.0, 1.0),
    "hard_tanh": (-1.0, 1.0),
    "soft_sign": (-1.0, 1.0),
    "softsign": (-1.0, 1.0),
    "sigmoid": (0.0, 1.0),
    "hard_sigmoid": (0.0, 1.0),
    "softmax": (0.0, 1.0),
    "relu6": (0.0, 6.0),
}
# Keys of an adversarial model's config that are networks or Keras plumbing.
_NON_OBJECTIVE_KEYS = {
    "generator", "discriminator", "encoder", "critic", "name", "trainable", "dtype",
}


# ----------------------------------------------------------------- public --
def export_onnx(
    source,
    path,
    *,
    role=None,
    preset=None,
    value_range=None,
    latent_prior=None,
    opset_version=None,
):
    """Exports a generator (and an encoder) to ONNX with a dynamic batch.

    Uses Keras' own `model.export(format="onnx")` (tf2onnx on TensorFlow,
    jax2onnx on JAX, the TorchScript exporter on PyTorch) with an explicit
    input signature whose batch dimension is `None`, so the network need
    never have been called. Then it renames the graph's input and output,
    adds the metadata described in the module docstring, and writes the file
    atomically (temporary file + `os.replace`).

    Args:
        source: an adversarial model (an object whose `generator` attribute
            is a Keras model; its `encoder`, if any, is exported too) or a
            plain, built Keras network.
        path: destination `.onnx` file when one network is exported; a
            directory (created if needed) receiving `generator.onnx` and
            `encoder.onnx` when `source` has an encoder and `role` is None.
        role: for an adversarial model, which network to export
            (`"generator"` or `"encoder"`) to the single file `path`; None
            exports all of them. For a plain network, the role recorded in
            the metadata; None infers `"encoder"` for a network mapping
            images (rank > 2) to vectors and `"generator"` otherwise.
        preset: zoo preset name recorded in the metadata (optional).
        value_range: output range of the generator, `(low, high)` or
            `"unbounded"`; None infers it from the final activation.
        latent_prior: `"normal"` or `"uniform"`, for a plain network only (an
            adversarial model records its own); defaults to `"normal"`.
        opset_version: ONNX opset (the exporter's default when None).

    Returns:
        A dict `{role: path}` (str) of the files written.

    Raises:
        TypeError: when `source` is not a Keras network or adversarial model.
        ValueError: for an unbuilt network, a multi-input network, a
            non-float32 network, or invalid arguments.
    """
    return _export(
        source, path, "onnx", role=role, preset=preset, value_range=value_range,
        latent_prior=latent_prior, opset_version=opset_version,
    )


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
    _check_saved_model_backend()
    return _export(
        source, path, "saved_model", role=role, preset=preset,
        value_range=value_range, latent_prior=latent_prior,
    )


def export_path(source, format, out_dir, *, preset=None):
    """Loads a saved model (or a zoo preset) and exports it into `out_dir`.

    The entry point of `keras-fgan export`. Every network is written into
    `out_dir` under its role: `generator.onnx` / `encoder.onnx` for ONNX,
    `generator/` / `encoder/` for SavedModel.

    Args:
        source: path of a `.keras` file (an adversarial model or a plain
            network), loaded with `safe_mode=True`; or, when `keras_fgan.zoo`
            is available, a preset name.
        format: `"onnx"` or `"saved_model"` (`"tf_saved_model"` also works).
        out_dir: destination directory (created if needed).
        preset: preset name recorded in the metadata; defaults to `source`
            when it is a preset name.

    Returns:
        A dict `{role: path}` (str) of what was written.

    Raises:
        ValueError: for an unknown format, or a source that is neither an
            existing `.keras` file nor a known preset.
    """
    fmt = "saved_model" if format == "tf_saved_model" else format
    if fmt not in FORMATS:
        raise ValueError(
            f"Unknown export format {format!r}; valid: {', '.join(FORMATS)}."
        )
    if fmt == "saved_model":
        _check_saved_model_backend()
    model, preset = _load_source(source, preset)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = ".onnx" if fmt == "onnx" else ""
    written = {}
    networks = exported_networks(model, role=None)
    for role, network in networks.items():
        target = out_dir / f"{role}{suffix}"
        written[role] = _export_one(
            network, role, target, fmt, _metadata(model, network, role, preset, None, None)
        )
    return written


# ----------------------------------------------------------- internals --
def _export(source, path, fmt, *, role, preset, value_range, latent_prior, opset_version=None):
    networks = exported_networks(source, role)
    if latent_prior is not None and _is_adversarial(source):
        raise ValueError(
            "`latent_prior` is for plain networks; an adversarial model records "
            f"its own ({source.latent_prior!r})."
        )
    _check_value_range(value_range)
    path = Path(path)
    if len(networks) > 1:
        if path.exists() and not path.is_dir():
            raise ValueError(
                f"{type(source).__name__} has {len(networks)} networks "
                f"({', '.join(networks)}), so `path` must be a directory; "
                f"{str(path)!r} is a file. Pass `role=` to export one network."
            )
        path.mkdir(parents=True, exist_ok=True)
        targets = {r: path / (r + (".onnx" if fmt == "onnx" else "")) for r in networks}
    else:
        targets = {r: path for r in networks}
    written = {}
    for r, network in networks.items():
        metadata = _metadata(source, network, r, preset, value_range, latent_prior)
        written[r] = _export_one(network, r, targets[r], fmt, metadata, opset_version)
    return written


def _is_adversarial(source):
    return isinstance(getattr(source, "generator", None), keras.layers.Layer)


def exported_networks(source, role=None):
    """The networks `export_onnx(source, ..., role=role)` writes.

    Args:
        source: an adversarial model or a plain Keras network.
        role: as in `export_onnx`.

    Returns:
        A dict `{role: keras network}`.
    """
    if role is not None and role not in ROLES:
        raise ValueError(f"Unknown role {role!r}; valid: {', '.join(ROLES)}.")
    if _is_adversarial(source):
        available = {"generator": source.generator}
        encoder = getattr(source, "encoder", None)
        if encoder is not None:
            if not isinstance(encoder, keras.layers.Layer):
                raise TypeError(
                    "The model's `encoder` must be a Keras model. Received: "
                    f"{type(encoder).__name__}"
                )
            available["encoder"] = encoder
        if role is None:
            return available
        if role not in available:
            raise ValueError(
                f"{type(source).__name__} has no {role}; it has: {', '.join(available)}."
            )
        return {role: available[role]}
    if isinstance(source, keras.layers.Layer):
        return {role or _infer_role(source): source}
    raise TypeError(
        "Expected an adversarial model (with a Keras `generator` attribute) or a "
        f"Keras network. Received: {type(source).__name__}"
    )


def _input_shape(network, role):
    from keras_fgan.models.adversarial_model import network_input_shapes

    shapes = network_input_shapes(network, role)
    if len(shapes) != 1:
        raise ValueError(
            f"Only single-input networks can be exported; the {role} "
            f"{network.name!r} has {len(shapes)} inputs."
        )
    return (None,) + tuple(shapes[0][1:])


def _output_shape(network, input_shape):
    from keras_fgan.models.adversarial_model import symbolic_output_shape

    shape = symbolic_output_shape(network, [input_shape])
    return (None,) + tuple(shape[1:])


def _infer_role(network):
    in_shape = _input_shape(network, "network")
    out_shape = _output_shape(network, in_shape)
    return "encoder" if len(in_shape) > 2 and len(out_shape) == 2 else "generator"


def _check_value_range(value_range):
    if value_range is None or value_range == "unbounded":
        return
    try:
        low, high = (float(v) for v in value_range)
    except (TypeError, ValueError):
        low = high = math.nan
    if not (math.isfinite(low) and math.isfinite(high) and high > low):
        raise ValueError(
            "`value_range` must be None, 'unbounded' or (low, high) with finite "
            f"low < high. Received: {value_range!r}"
        )


def _final_activation(network):
    """Name of the activation producing the network's output, or None."""
    try:
        operation = network.outputs[0]._keras_history[0]
    except (AttributeError, IndexError, TypeError, ValueError):
        return None
    names = {"ReLU": "relu", "Softmax": "softmax"}
    if type(operation).__name__ in names:
        return names[type(operation).__name__]
    activation = getattr(operation, "activation", None)
    return getattr(activation, "__name__", None)


def infer_value_range(network):
    """`(low, high)` of a network's output from its final activation, or
    `"unbounded"` when it cannot be told (linear output, subclassed model)."""
    return _ACTIVATION_RANGES.get(_final_activation(network), "unbounded")


def _metadata(source, network, role, preset, value_range, latent_prior):
    import keras_fgan

    in_shape = _input_shape(network, role)
    out_shape = _output_shape(network, in_shape)
    adversarial = _is_adversarial(source)
    if role == "generator":
        latent_dim = in_shape[-1]
        if value_range is None:
            value_range = infer_value_range(network)
    else:
        latent_dim = out_shape[-1]
        value_range = infer_value_range(network)
    if adversarial:
        latent_dim = getattr(source, "latent_dim", latent_dim)
        latent_prior = getattr(source, "latent_prior", "normal")
    prior = latent_prior or "normal"
    if prior not in ("normal", "uniform"):
        raise ValueError(f"Unknown latent_prior {prior!r}; valid: normal, uniform.")
    objective, objective_config, divergence = "none", {}, "none"
    if adversarial:
        objective = type(source).__name__
        get_config = getattr(source, "get_config", None)
        config = get_config() if callable(get_config) else {}
        objective_config = {k: v for k, v in config.items() if k not in _NON_OBJECTIVE_KEYS}
        div = getattr(source, "divergence", None)
        if div is not None:
            params = div.get_config() if hasattr(div, "get_config") else {}
            divergence = json.dumps({"name": getattr(div, "name", str(div)), **params})
    if value_range != "unbounded":
        value_range = json.dumps([float(v) for v in value_range])
    return {
        "role": role,
        "latent_dim": str(int(latent_dim)),
        "latent_prior": prior,
        "input_shape": json.dumps(list(in_shape)),
        "output_shape": json.dumps(list(out_shape)),
        "output_range": value_range,
        "objective": objective,
        "objective_config": json.dumps(objective_config, sort_keys=True, default=repr),
        "divergence": divergence,
        "preset": "none" if preset is None else str(preset),
        "network": network.name,
        "keras_backend": keras.backend.backend(),
        "keras_fgan_version": keras_fgan.__version__,
    }


def _check_float32(network, role):
    if network.dtype_policy.compute_dtype != "float32":
        raise ValueError(
            f"Only float32 networks can be exported; the {role} {network.name!r} "
            f"uses the dtype policy {network.dtype_policy.name!r}. Rebuild it "
            "with dtype='float32' and load the weights into it."
        )


def _check_saved_model_backend():
    if keras.backend.backend() not in ("tensorflow", "jax"):
        raise NotImplementedError(
            "SavedModel export needs the TensorFlow or JAX backend (Keras "
            f"backend is {keras.backend.backend()!r}). Set KERAS_BACKEND=tensorflow "
            "or KERAS_BACKEND=jax, or export to ONNX with `export_onnx`."
        )


def _export_one(network, role, path, fmt, metadata, opset_version=None):
    _check_float32(network, role)
    in_shape = _input_shape(network, role)
    spec = keras.InputSpec(shape=in_shape, dtype="float32", name=_IO_NAMES[role][0])
    path = Path(path)
    if path.parent != Path(""):
        path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "onnx":
        _write_onnx(network, role, path, spec, metadata, opset_version)
    else:
        _write_saved_model(network, path, spec, metadata)
    return str(path)


def _quiet_export(network, path, **kwargs):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*might cause the trace to be incorrect.*")
        warnings.filterwarnings("ignore", message=".*np.object.*", category=FutureWarning)
        network.export(str(path), verbose=False, **kwargs)


def _write_onnx(network, role, path, spec, metadata, opset_version):
    import onnx

    fd, tmp = tempfile.mkstemp(suffix=".onnx", prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        kwargs = {} if opset_version is None else {"opset_version": opset_version}
        kwargs.update(format="onnx", input_signature=[spec])
        if keras.backend.backend() == "jax":
            try:
                with _jax2onnx_core_plugins():
                    _quiet_export(network, tmp, **kwargs)
            except Exception:  # noqa: BLE001 (an op outside the core plugins)
                _quiet_export(network, tmp, **kwargs)  # with all of them
        else:
            _quiet_export(network, tmp, **kwargs)
        proto = onnx.load(tmp)
        _rename_io(proto, *_IO_NAMES[role])
        del proto.metadata_props[:]
        for key, value in metadata.items():
            proto.metadata_props.add(key=key, value=value)
        onnx.checker.check_model(proto)
        onnx.save(proto, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


@contextlib.contextmanager
def _jax2onnx_core_plugins():
    """Lets jax2onnx run with only its `jax` plugins loaded.

    On first use jax2onnx imports every plugin it ships (Flax, Equinox, its
    examples), which compiles dozens of JAX functions (about 20 s on a CPU);
    a Keras graph only needs the `jax` (lax, numpy, nn) plugins. This imports
    those and marks the plugins as loaded for the duration of the export,
    then restores the flag so a later jax2onnx call still loads the rest.
    Does nothing if jax2onnx's layout is not the expected one.
    """
    try:
        from jax2onnx.plugins import plugin_system
    except ImportError:
        plugin_system = None
    flag = "_already_imported_plugins"
    if (
        plugin_system is None
        or getattr(plugin_system, flag, True)
        or not callable(getattr(plugin_system, "_import_tree", None))
    ):
        yield
        return
    root = Path(plugin_system.__file__).parent
    plugin_system._import_tree(root / "jax", "jax2onnx.plugins.jax")
    setattr(plugin_system, flag, True)
    try:
        yield
    finally:
        setattr(plugin_system, flag, False)


def _rename_io(proto, input_name, output_name):
    """Renames the graph's single input and output (skipped on a clash) and
    names their dynamic first dimension `batch`."""
    import onnx

    subgraph_types = (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS)
    graph = proto.graph
    if len(graph.input) != 1 or len(graph.output) != 1:
        return
    used = {i.name for i in graph.initializer} | {v.name for v in graph.value_info}
    for node in graph.node:
        used.update(node.input)
        used.update(node.output)
        if any(a.type in subgraph_types for a in node.attribute):
            return  # subgraphs may refer to outer names: leave them alone
    used.update(v.name for v in graph.input)
    used.update(v.name for v in graph.output)
    for value in (graph.input[0], graph.output[0]):
        dims = value.type.tensor_type.shape.dim
        if dims and not dims[0].HasField("dim_value"):
            dims[0].dim_param = "batch"
    for value, new in ((graph.input[0], input_name), (graph.output[0], output_name)):
        old = value.name
        if old == new or new in used:
            continue
        for node in graph.node:
            for names in (node.input, node.output):
                for i, name in enumerate(names):
                    if name == old:
                        names[i] = new
        for other in list(graph.input) + list(graph.output) + list(graph.value_info):
            if other.name == old:
                other.name = new
        used.add(new)


def _write_saved_model(network, path, spec, metadata):
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
        _quiet_export(network, tmp, format="tf_saved_model", input_signature=[spec])
        (tmp / SAVED_MODEL_METADATA).write_text(json.dumps(metadata, indent=2) + "\n")
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=path.parent))
            os.replace(path, old / "previous")
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, old):
            if leftover is not None and leftover.exists():
                shutil.rmtree(leftover, ignore_errors=True)


def _load_source(source, preset):
    """(model, preset) from a `.keras` path or a zoo preset name."""
    source_path = Path(str(source))
    if source_path.is_file():
        if source_path.suffix != ".keras":
            raise ValueError(f"Expected a `.keras` file; received {str(source)!r}.")
        import keras_fgan  # noqa: F401  (registers the serialisable classes)

        return keras.saving.load_model(source_path, safe_mode=True), preset
    zoo = _zoo()
    if zoo is not None and isinstance(source, str) and source in zoo.list_presets():
        return zoo.load(source), preset or source
    hint = "" if zoo is not None else " (keras_fgan.zoo is not available for preset names)"
    raise ValueError(
        f"{str(source)!r} is neither an existing `.keras` file nor a known preset{hint}."
    )


def _zoo():
    import importlib
    import importlib.util

    if importlib.util.find_spec("keras_fgan.zoo") is None:
        return None
    return importlib.import_module("keras_fgan.zoo")
