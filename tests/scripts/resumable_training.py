"""Trains a small GAN for 3 epochs with keras-fgan's BackupAndRestore.

Usage: resumable_training.py BACKUP_DIR OUT.npz [KILL_AT_GLOBAL_BATCH]
With KILL_AT_GLOBAL_BATCH, the process SIGKILLs itself at that batch (as a
crash would), leaving only what the callback had written.
"""

import os
import signal
import sys

import keras
import numpy as np

import keras_fgan as kf

backup_dir, out = sys.argv[1], sys.argv[2]
kill_at = int(sys.argv[3]) if len(sys.argv) > 3 else None

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


class Crash(keras.callbacks.Callback):
    seen = 0

    def on_train_batch_end(self, batch, logs=None):
        Crash.seen += 1
        if kill_at is not None and Crash.seen == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)


model.fit(data, batch_size=64, epochs=3, shuffle=False, verbose=0,
          callbacks=[kf.checkpointing.BackupAndRestore(backup_dir), Crash()])
np.savez(out, *[keras.ops.convert_to_numpy(v) for v in model.weights],
         d_iter=keras.ops.convert_to_numpy(model.d_optimizer.iterations),
         g_iter=keras.ops.convert_to_numpy(model.g_optimizer.iterations))
