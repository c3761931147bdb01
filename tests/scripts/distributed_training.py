"""Trains each objective under the backend's data-parallel engine on two
virtual CPU devices and compares GAN weights with a single-device run.

Prints one JSON line: {"devices": n, "objectives": {...}, "max_abs_diff": x}.
"""

import json
import os
import sys

backend = os.environ["KERAS_BACKEND"]
if backend == "jax":
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=2").strip()
if backend == "tensorflow":
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

if backend == "jax":
    import jax

    # Three steps per model: compile time is all there is (see tests/conftest.py).
    jax.config.update("jax_disable_most_optimizations", True)

import keras_fgan as kf  # noqa: E402


def strategy_scope(distributed):
    if backend == "tensorflow":
        import tensorflow as tf

        strategy = (
            tf.distribute.MirroredStrategy(
                ["/cpu:0", "/cpu:1"], cross_device_ops=tf.distribute.ReductionToOneDevice()
            )
            if distributed
            else tf.distribute.get_strategy()
        )
        return strategy.scope()
    import contextlib

    devices = keras.distribution.list_devices("cpu")
    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices) if distributed else None)
    return contextlib.nullcontext()


def build(objective):
    g = kf.networks.mlp_generator(4, 2, width=16, depth=2)
    if objective == "gan":
        return kf.GAN(g, kf.networks.mlp_discriminator(2, 16, 2), seed=1)
    if objective == "wgan_gp":
        return kf.WGAN(g, kf.networks.mlp_discriminator(2, 16, 2), lipschitz=kf.lipschitz.GradientPenalty(10.0), n_critic=2, seed=1)
    raise ValueError(f"Unknown objective {objective!r}")


def train(objective, distributed, steps=3):
    keras.utils.set_random_seed(0)
    with strategy_scope(distributed):
        model = build(objective)
        model.compile()
    data = kf.datasets.load("ring", n=64 * steps, seed=0)
    history = model.fit(data, batch_size=64, epochs=1, shuffle=False, verbose=0)
    return model, history


results = {"devices": 2, "objectives": {}}
# GAN and FGAN share AdversarialModel's step (they differ in a loss object),
# so GAN stands for both; WGAN-GP brings input gradients. (BiGAN, whose
# joint step is its own, was left out for CI time.)
distributed = {}
for objective in ("gan", "wgan_gp"):
    model, history = train(objective, True)
    distributed[objective] = model
    results["objectives"][objective] = {
        "g_iterations": int(keras.ops.convert_to_numpy(model.g_optimizer.iterations)),
        "finite": bool(all(np.isfinite(v[-1]) for v in history.history.values())),
    }
single, _ = train("gan", False)
multi = distributed["gan"]
results["max_abs_diff"] = max(
    float(np.max(np.abs(keras.ops.convert_to_numpy(a) - keras.ops.convert_to_numpy(b))))
    for a, b in zip(single.weights, multi.weights)
)
if backend == "tensorflow":  # the collective all-reduce is refused with a clear message
    import tensorflow as tf

    with tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]).scope():
        model = build("gan")
        model.compile()
    try:
        model.fit(kf.datasets.load("ring", n=64, seed=0), batch_size=64, epochs=1, verbose=0)
        results["collective_refused"] = False
    except ValueError as error:
        results["collective_refused"] = "cross_device_ops=" in str(error)
print(json.dumps(results))
sys.exit(0)
