"""Checkpoints that are never left half-written."""

import os
import tempfile
from pathlib import Path

import keras


def atomic_save(model, path):
    """Saves `model` to `path` (`.keras` or `.weights.h5`) through a temporary
    file in the same directory and `os.replace`, so a crash mid-write leaves
    the previous checkpoint intact."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = ".weights.h5" if path.name.endswith(".weights.h5") else path.suffix
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        if suffix == ".weights.h5":
            model.save_weights(tmp, overwrite=True)
        else:
            model.save(tmp, overwrite=True)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


class AtomicModelCheckpoint(keras.callbacks.Callback):
    """Saves the model every `every` epochs, atomically (see `atomic_save`).

    Args:
        filepath: destination; may contain an `{epoch}` field (epochs count
            from 1), e.g. `"ckpt/model_{epoch:03d}.keras"`.
        every: save every this many epochs.
    """

    def __init__(self, filepath, every=1):
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"`every` must be a positive integer. Received: {every!r}")
        self.filepath = str(filepath)
        self.every = every

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            atomic_save(self.model, self.filepath.format(epoch=epoch + 1))
