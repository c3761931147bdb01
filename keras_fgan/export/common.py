"""What an export writes, whatever the format: the networks of a model, their
input signature, their metadata, and the loop that writes one artefact per
network (`export_networks`), given a format's writer."""

import json
import math
import warnings
from pathlib import Path

import keras

ROLES = ("generator", "encoder")
FORMATS = ("onnx", "saved_model")

IO_NAMES = {"generator": ("z", "x"), "encoder": ("x", "z")}
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


def is_adversarial(source):
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
    if is_adversarial(source):
        # The weight-averaged generator when the model keeps one (`ema`).
        available = {"generator": getattr(source, "sampling_generator", source.generator)}
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


def input_shape(network, role):
    """The network's input shape with a `None` batch; single inputs only."""
    from keras_fgan.models.adversarial_model import network_input_shapes

    shapes = network_input_shapes(network, role)
    if len(shapes) != 1:
        raise ValueError(
            f"Only single-input networks can be exported; the {role} "
            f"{network.name!r} has {len(shapes)} inputs."
        )
    return (None,) + tuple(shapes[0][1:])


def _output_shape(network, in_shape):
    from keras_fgan.models.adversarial_model import symbolic_output_shape

    shape = symbolic_output_shape(network, [in_shape])
    return (None,) + tuple(shape[1:])


def _infer_role(network):
    in_shape = input_shape(network, "network")
    out_shape = _output_shape(network, in_shape)
    return "encoder" if len(in_shape) > 2 and len(out_shape) == 2 else "generator"


def check_value_range(value_range):
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


def metadata(source, network, role, preset, value_range, latent_prior):
    """The description every artefact carries (see the package docstring)."""
    import keras_fgan

    in_shape = input_shape(network, role)
    out_shape = _output_shape(network, in_shape)
    adversarial = is_adversarial(source)
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


def keras_export(network, path, **kwargs):
    """`network.export(path, **kwargs)` without the exporters' chatter."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*might cause the trace to be incorrect.*")
        warnings.filterwarnings("ignore", message=".*np.object.*", category=FutureWarning)
        network.export(str(path), verbose=False, **kwargs)


def export_networks(
    source, path, write, suffix, *, role=None, preset=None, value_range=None,
    latent_prior=None, into_directory=False,
):
    """Writes one artefact per exported network of `source`.

    Args:
        source: an adversarial model or a plain Keras network.
        path: the artefact when one network is exported and
            `into_directory` is False; else a directory receiving
            `{role}{suffix}` per network.
        write: the format's writer, `write(network, path, input_spec,
            metadata)`; it must replace `path` atomically.
        suffix: file suffix of an artefact in a directory (`".onnx"`, or
            `""` for SavedModel directories).
        role: as in `export_onnx`.
        preset: as in `export_onnx`.
        value_range: as in `export_onnx`.
        latent_prior: as in `export_onnx`.
        into_directory: write into the directory `path` even for one network.

    Returns:
        A dict `{role: path}` (str) of what was written.
    """
    networks = exported_networks(source, role)
    if latent_prior is not None and is_adversarial(source):
        raise ValueError(
            "`latent_prior` is for plain networks; an adversarial model records "
            f"its own ({source.latent_prior!r})."
        )
    check_value_range(value_range)
    path = Path(path)
    if into_directory or len(networks) > 1:
        if path.exists() and not path.is_dir():
            raise ValueError(
                f"{type(source).__name__} has {len(networks)} networks "
                f"({', '.join(networks)}), so `path` must be a directory; "
                f"{str(path)!r} is a file. Pass `role=` to export one network."
            )
        targets = {r: path / f"{r}{suffix}" for r in networks}
    else:
        targets = {r: path for r in networks}
    written = {}
    for r, network in networks.items():
        _check_float32(network, r)
        spec = keras.InputSpec(shape=input_shape(network, r), dtype="float32", name=IO_NAMES[r][0])
        targets[r].parent.mkdir(parents=True, exist_ok=True)
        write(network, targets[r], spec, metadata(source, network, r, preset, value_range, latent_prior))
        written[r] = str(targets[r])
    return written
