"""ONNX export: Keras' own exporter, then graph names, metadata and checks."""

import contextlib
import functools
from pathlib import Path

import keras

from keras_fgan import fileio
from keras_fgan.export import common


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
    adds the metadata described in the package docstring, and writes the
    file atomically (temporary file + `os.replace`).

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
    return common.export_networks(
        source, path, functools.partial(write_onnx, opset_version=opset_version), ".onnx",
        role=role, preset=preset, value_range=value_range, latent_prior=latent_prior,
    )


def write_onnx(network, path, spec, metadata, *, opset_version=None):
    """Writes `network` to the ONNX file `path` (atomically), its input and
    output renamed for its role and `metadata` in `metadata_props`."""
    import onnx

    kwargs = {} if opset_version is None else {"opset_version": opset_version}
    kwargs.update(format="onnx", input_signature=[spec])
    with fileio.atomic_path(path, suffix=".onnx") as tmp:
        if keras.backend.backend() == "jax":
            try:
                with _jax2onnx_core_plugins():
                    common.keras_export(network, tmp, **kwargs)
            except Exception:  # noqa: BLE001 (an op outside the core plugins)
                common.keras_export(network, tmp, **kwargs)  # with all of them
        else:
            common.keras_export(network, tmp, **kwargs)
        proto = onnx.load(tmp)
        _rename_io(proto, *common.IO_NAMES[metadata["role"]])
        del proto.metadata_props[:]
        for key, value in metadata.items():
            proto.metadata_props.add(key=key, value=value)
        onnx.checker.check_model(proto)
        onnx.save(proto, tmp)


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
