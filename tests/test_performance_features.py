"""`steps_per_execution` on every adversarial model and backend: k steps
per call of the train function, and the same optimizer counts, metrics and
weights as k single steps."""

import keras
import numpy as np
import pytest
from keras import ops

import keras_fgan as kf

BATCHES, BATCH_SIZE, STEPS_PER_EXECUTION = 6, 32, 3


def _model(family):
    """A tiny model of `family` with seeded initial weights and latents."""
    keras.utils.set_random_seed(0)
    generator = kf.networks.mlp_generator(2, 2, width=8, depth=1)
    if family == "bigan":
        return kf.BiGAN(
            generator,
            kf.networks.mlp_encoder(2, 2, width=8, depth=1),
            kf.networks.mlp_joint_discriminator(2, 2, width=8, depth=1),
            seed=0,
        )
    discriminator = kf.networks.mlp_discriminator(2, width=8, depth=1)
    if family == "gan":
        return kf.GAN(generator, discriminator, seed=0)
    if family == "fgan":
        return kf.FGAN(generator, discriminator, divergence="kl", seed=0)
    return kf.WGAN(generator, discriminator, n_critic=2, seed=0)


class _CallCounter(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.calls = 0

    def on_train_batch_end(self, batch, logs=None):
        self.calls += 1


def _fit(family, steps_per_execution, data):
    model = _model(family)
    model.compile(steps_per_execution=steps_per_execution)
    counter = _CallCounter()
    history = model.fit(
        data, batch_size=BATCH_SIZE, epochs=1, shuffle=False, verbose=0, callbacks=[counter]
    )
    return model, counter.calls, history.history


@pytest.mark.parametrize("family", ["gan", "fgan", "wgan", "bigan"])
def test_steps_per_execution_runs_k_steps_per_call(family, ring_data):
    data = ring_data[: BATCHES * BATCH_SIZE]
    single, single_calls, single_logs = _fit(family, 1, data)
    multi, multi_calls, multi_logs = _fit(family, STEPS_PER_EXECUTION, data)

    assert single_calls == BATCHES
    assert multi_calls == BATCHES // STEPS_PER_EXECUTION
    for model in (single, multi):
        assert int(ops.convert_to_numpy(model.g_optimizer.iterations)) == BATCHES
        assert int(ops.convert_to_numpy(model.d_optimizer.iterations)) == BATCHES * model.d_steps
    assert sorted(multi_logs) == sorted(single_logs)
    for name, values in single_logs.items():
        np.testing.assert_allclose(multi_logs[name], values, rtol=1e-4, atol=1e-5, err_msg=name)
    for a, b in zip(single.weights, multi.weights):
        np.testing.assert_allclose(
            ops.convert_to_numpy(b), ops.convert_to_numpy(a), rtol=1e-4, atol=1e-5, err_msg=a.path
        )


def test_steps_per_execution_in_evaluate_and_predict(ring_data):
    data = ring_data[: BATCHES * BATCH_SIZE]
    results = []
    for steps_per_execution in (1, STEPS_PER_EXECUTION):
        model = _model("gan")
        model.compile(steps_per_execution=steps_per_execution)
        z = model.latent_batch(100, seed=0)
        results.append(
            (
                model.evaluate(data, batch_size=BATCH_SIZE, verbose=0, return_dict=True),
                model.predict(z, batch_size=BATCH_SIZE, verbose=0),
            )
        )
    (single_eval, single_pred), (multi_eval, multi_pred) = results
    assert multi_pred.shape == (100, 2)
    np.testing.assert_allclose(multi_pred, single_pred, rtol=1e-5, atol=1e-6)
    for name, value in single_eval.items():
        np.testing.assert_allclose(multi_eval[name], value, rtol=1e-4, atol=1e-5, err_msg=name)


def test_data_of_unknown_length_trains_to_its_end_every_epoch(ring_data):
    """A `tf.data.Dataset` whose length is unknown (a filter) ends each
    epoch when it runs out, with one train-function call per batch (the
    TensorFlow trainer's one-step function, Keras' function elsewhere)."""
    import tensorflow as tf

    data = ring_data[: BATCHES * BATCH_SIZE]
    dataset = tf.data.Dataset.from_tensor_slices(data).filter(lambda x: True).batch(BATCH_SIZE)
    assert int(dataset.cardinality()) == int(tf.data.UNKNOWN_CARDINALITY)
    model = _model("gan")
    model.compile()
    counter = _CallCounter()
    model.fit(dataset, epochs=2, verbose=0, callbacks=[counter])
    assert counter.calls == 2 * BATCHES
    assert int(ops.convert_to_numpy(model.g_optimizer.iterations)) == 2 * BATCHES


class _ThreadProbe(keras.layers.Layer):
    """Identity layer recording PyTorch's intra-op thread count when called."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, x):
        import torch

        self.seen.append(torch.get_num_threads())
        return x


@pytest.mark.skipif(
    keras.backend.backend() != "torch", reason="intra-op thread policy of the PyTorch trainer"
)
def test_torch_small_steps_run_on_one_thread(ring_data):
    import torch

    from keras_fgan.backend import torch_trainer

    probe = _ThreadProbe()
    z = keras.Input((2,))
    generator = keras.Model(z, probe(kf.networks.mlp_generator(2, 2, width=8, depth=1)(z)))
    model = kf.GAN(generator, kf.networks.mlp_discriminator(2, width=8, depth=1), seed=0)
    model.compile()
    image_model = kf.GAN(kf.networks.dcgan28_generator(), kf.networks.dcgan28_discriminator())
    previous = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        assert torch_trainer.single_thread_step(model, 256)
        assert not torch_trainer.single_thread_step(image_model, 64)  # 64 x 14 x 14 x 64 outputs
        probe.seen.clear()
        model.fit(ring_data[:256], batch_size=128, epochs=1, verbose=0)
        assert probe.seen and set(probe.seen) == {1}
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(previous)
