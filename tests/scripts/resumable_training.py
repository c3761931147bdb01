"""Trains a small GAN for 3 epochs with keras-fgan's BackupAndRestore.

Usage: resumable_training.py BACKUP_DIR OUT.npz [KILL_AT_GLOBAL_BATCH]
With KILL_AT_GLOBAL_BATCH, the process SIGKILLs itself at that batch (as a
crash would), leaving only what the callback had written.
`train(backup_dir, out)` runs the same training in the calling process.
"""

import os
import signal
import sys

import keras
import numpy as np

import keras_fgan as kf


class Crash(keras.callbacks.Callback):
    """SIGKILLs this process at global batch `kill_at` (never when None)."""

    def __init__(self, kill_at):
        super().__init__()
        self.kill_at, self.seen = kill_at, 0

    def on_train_batch_end(self, batch, logs=None):
        self.seen += 1
        if self.seen == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)


def train(backup_dir, out, kill_at=None):
    keras.utils.set_random_seed(0)
    model = kf.WGAN(
        kf.networks.mlp_generator(4, 2, width=16, depth=2),
        kf.networks.mlp_discriminator(2, width=16, depth=2),
        lipschitz=kf.lipschitz.GradientPenalty(10.0),
        n_critic=2,
        seed=3,
    )
    model.compile()
    data = kf.datasets.load("ring", n=512, seed=0)
    model.fit(data, batch_size=64, epochs=3, shuffle=False, verbose=0,
              callbacks=[kf.checkpointing.BackupAndRestore(backup_dir), Crash(kill_at)])
    np.savez(out, *[keras.ops.convert_to_numpy(v) for v in model.weights],
             d_iter=keras.ops.convert_to_numpy(model.d_optimizer.iterations),
             g_iter=keras.ops.convert_to_numpy(model.g_optimizer.iterations))


if __name__ == "__main__":
    train(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else None)
