"""A model from a `.keras` file or a zoo preset name: the one loader of
`export_path` and the `keras-fgan` commands."""

import zipfile
from pathlib import Path

import keras


def load_source(source, preset=None):
    """Loads a saved model, or a zoo preset.

    Args:
        source: path of a `.keras` file (an adversarial model or a plain
            network), loaded with `safe_mode=True`; or a preset name of
            `kf.zoo.list_presets()`.
        preset: the preset name to report; defaults to `source` when it is a
            preset name.

    Returns:
        `(model, preset)`: the loaded model and the preset name (or None).

    Raises:
        ValueError: `source` is a file other than `.keras`, a `.keras` file
            that is not a zip archive, or neither an existing file nor a known
            preset.
    """
    path = Path(str(source))
    if path.is_file():
        if path.suffix != ".keras":
            raise ValueError(f"Expected a `.keras` file. Received: {str(source)!r}")
        if not zipfile.is_zipfile(path):
            raise ValueError(
                f"{str(source)!r} is not a valid `.keras` file: a `.keras` file is a zip archive, and this "
                "one is corrupt, truncated or of another format."
            )
        return keras.saving.load_model(path, safe_mode=True), preset
    from keras_fgan import zoo

    if isinstance(source, str) and source in zoo.list_presets():
        return zoo.load(source), preset or source
    raise ValueError(
        f"{str(source)!r} is neither an existing `.keras` file nor a known preset "
        "(see `keras-fgan zoo list`)."
    )
