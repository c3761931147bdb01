"""Checkpoints that are never left half-written."""

from pathlib import Path

import keras

from keras_fgan.arguments import check_integer
from keras_fgan.fileio import atomic_path
from keras_fgan.fileio import atomic_write_text


def atomic_save(model, path):
    """Saves `model` to `path` (`.keras` or `.weights.h5`) through a temporary
    file in the same directory and `os.replace`, so a crash mid-write leaves
    the previous checkpoint intact."""
    path = Path(path)
    weights_only = path.name.endswith(".weights.h5")
    with atomic_path(path, suffix=".weights.h5" if weights_only else path.suffix) as tmp:
        if weights_only:
            model.save_weights(tmp, overwrite=True)
        else:
            model.save(tmp, overwrite=True)
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
        self.filepath = str(filepath)
        self.every = check_integer("every", every)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            atomic_save(self.model, self.filepath.format(epoch=epoch + 1))


class BackupAndRestore(keras.callbacks.Callback):
    """Resumable training that survives SIGKILL at any instant.

    Like `keras.callbacks.BackupAndRestore`, it saves the model's weights,
    both optimizers' state and the latent sampler's RNG state at the end of
    every epoch and, when `fit` starts again with the same `backup_dir`,
    restores them and continues from the next epoch. Unlike it, no file it
    trusts can be half-written: each epoch's weights go to a new file
    written atomically (`atomic_save`), and only then does an atomically
    replaced `state.json` point to it; older files are removed afterwards.
    A crash at any point leaves `state.json` naming a complete checkpoint.

    Args:
        backup_dir: directory for the checkpoints (created if needed).
        delete_on_finish: remove the directory when training completes.
    """

    STATE = "state.json"

    def __init__(self, backup_dir, delete_on_finish=False):
        super().__init__()
        self.backup_dir = Path(backup_dir)
        self.delete_on_finish = delete_on_finish

    def _state(self):
        path = self.backup_dir / self.STATE
        if not path.is_file():
            return None
        import json

        return json.loads(path.read_text())

    def on_train_begin(self, logs=None):
        state = self._state()
        if state is None:
            return
        if self.model.optimizer is not None and not self.model.optimizer.built:
            self.model.optimizer.build(self.model.trainable_variables)
        self.model.load_weights(self.backup_dir / state["weights"])
        # The attribute Keras' own BackupAndRestore sets: fit starts here.
        self.model._initial_epoch = state["epoch"]

    def on_epoch_end(self, epoch, logs=None):
        import json

        self.backup_dir.mkdir(parents=True, exist_ok=True)
        name = f"epoch_{epoch + 1:05d}.weights.h5"
        atomic_save(self.model, self.backup_dir / name)
        atomic_write_text(
            self.backup_dir / self.STATE, json.dumps({"epoch": epoch + 1, "weights": name})
        )
        for old in self.backup_dir.glob("epoch_*.weights.h5"):
            if old.name != name:
                old.unlink(missing_ok=True)

    def on_train_end(self, logs=None):
        # Keras keeps `_initial_epoch` after fit (its own BackupAndRestore too):
        # left set, the model's next `fit` (a fine-tuning or learning-rate
        # decay phase) would start at the restored epoch and, with fewer
        # epochs than that, train none.
        self.model._initial_epoch = None
        if self.delete_on_finish and self.backup_dir.exists():
            import shutil

            shutil.rmtree(self.backup_dir)
