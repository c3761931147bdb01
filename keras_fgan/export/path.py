"""`export_path`: a saved model or preset into a folder, in either format
(the `keras-fgan export` command)."""

from keras_fgan.export import common
from keras_fgan.export import onnx
from keras_fgan.export import saved_model
from keras_fgan.export.loading import load_source


def export_path(source, format, out_dir, *, preset=None):
    """Loads a saved model (or a zoo preset) and exports it into `out_dir`.

    Every network is written into `out_dir` under its role:
    `generator.onnx` / `encoder.onnx` for ONNX, `generator/` / `encoder/` for
    SavedModel.

    Args:
        source: path of a `.keras` file (an adversarial model or a plain
            network), loaded with `safe_mode=True`; or a preset name.
        format: `"onnx"` or `"saved_model"` (`"tf_saved_model"` also works).
        out_dir: destination directory (created if needed).
        preset: preset name recorded in the metadata; defaults to `source`
            when it is a preset name.

    Returns:
        A dict `{role: path}` (str) of what was written.

    Raises:
        ValueError: for an unknown format, or a source that is neither an
            existing `.keras` file nor a known preset.
        NotImplementedError: SavedModel on the PyTorch backend (checked
            before the model is loaded).
    """
    fmt = "saved_model" if format == "tf_saved_model" else format
    if fmt not in common.FORMATS:
        raise ValueError(
            f"Unknown export format {format!r}; valid: {', '.join(common.FORMATS)}."
        )
    if fmt == "saved_model":
        saved_model.check_backend()
        write, suffix = saved_model.write_saved_model, ""
    else:
        write, suffix = onnx.write_onnx, ".onnx"
    model, preset = load_source(source, preset)
    return common.export_networks(model, out_dir, write, suffix, preset=preset, into_directory=True)
