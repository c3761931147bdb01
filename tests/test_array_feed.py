"""`fit` on an in-memory array, on every backend, trains on Keras' batches:
`batch_size` samples in order (the last batch partial) or a new permutation
each epoch, with Keras' `validation_split`. On TensorFlow the batches are
gathered inside the compiled step (`tensorflow_array_feed`), so these tests
hold that path to Keras' semantics; on JAX and PyTorch they run Keras' own
array pipeline."""

import keras
import numpy as np
import pytest
from keras import ops

import keras_fgan as kf

SIZE, BATCH_SIZE = 100, 32  # three full batches and a partial one of 4


def _gan():
    keras.utils.set_random_seed(0)
    return kf.GAN(
        kf.networks.mlp_generator(2, 2, width=8, depth=1),
        kf.networks.mlp_discriminator(2, width=8, depth=1),
        seed=0,
    )


def _weights(model):
    return [ops.convert_to_numpy(w) for w in model.weights]


class _StepCounter(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.steps = []

    def on_epoch_begin(self, epoch, logs=None):
        self.steps.append(0)

    def on_train_batch_end(self, batch, logs=None):
        self.steps[-1] += 1


def test_unshuffled_fit_trains_on_the_batches_in_order(ring_data):
    x = ring_data[:SIZE].astype("float64")  # floats are cast to floatx, as Keras does
    fitted = _gan()
    fitted.compile()
    counter = _StepCounter()
    fitted.fit(x, batch_size=BATCH_SIZE, epochs=2, shuffle=False, verbose=0, callbacks=[counter])

    stepped = _gan()
    stepped.compile()
    for _ in range(2):
        for start in range(0, SIZE, BATCH_SIZE):
            stepped.train_on_batch(x[start : start + BATCH_SIZE])

    assert counter.steps == [4, 4]
    assert int(ops.convert_to_numpy(fitted.g_optimizer.iterations)) == 8
    for a, b, w in zip(_weights(fitted), _weights(stepped), fitted.weights):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=w.path)


def test_shuffled_fit_is_seeded_and_differs_from_the_unshuffled_one(ring_data):
    x = ring_data[:SIZE]
    runs = []
    for shuffle in (True, True, False):
        model = _gan()
        model.compile()
        model.fit(x, batch_size=BATCH_SIZE, epochs=2, shuffle=shuffle, verbose=0)
        runs.append(_weights(model))
    for a, b in zip(runs[0], runs[1]):
        np.testing.assert_array_equal(a, b)
    assert any(not np.allclose(a, b) for a, b in zip(runs[0], runs[2]))


def test_validation_split_is_the_tail_at_the_training_batch_size(ring_data):
    x = ring_data[:SIZE]
    split = _gan()
    split.compile()
    split_history = split.fit(x, batch_size=16, validation_split=0.25, shuffle=False, verbose=0)
    explicit = _gan()
    explicit.compile()
    explicit_history = explicit.fit(
        x[:75], batch_size=16, validation_data=(x[75:],), validation_batch_size=16, shuffle=False,
        verbose=0,
    )
    assert "val_d_loss" in split_history.history
    for name, values in explicit_history.history.items():
        np.testing.assert_allclose(split_history.history[name], values, rtol=1e-6, err_msg=name)
    with pytest.raises(ValueError, match="not sufficient to split"):
        split.fit(x[:1], validation_split=0.5, verbose=0)


class _StopAt(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if batch == 1:
            raise KeyboardInterrupt


def test_fit_adds_no_variables_and_an_interrupted_fit_leaves_the_model_usable(ring_data):
    x = ring_data[:SIZE]
    model = _gan()
    model.compile()
    model.fit(x[:BATCH_SIZE], batch_size=BATCH_SIZE, verbose=0)
    variables = len(model.variables)
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, batch_size=BATCH_SIZE, verbose=0, callbacks=[_StopAt()])
    assert int(ops.convert_to_numpy(model.g_optimizer.iterations)) == 3
    model.train_on_batch(x[:BATCH_SIZE])
    model.fit(x, batch_size=BATCH_SIZE, epochs=1, verbose=0)
    assert len(model.variables) == variables
    assert int(ops.convert_to_numpy(model.g_optimizer.iterations)) == 8


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="the in-graph array feed is the TensorFlow trainer's; JAX and PyTorch "
    "get Keras' array iterators, which hand NumPy batches to the step",
)
def test_tensorflow_feed_covers_every_sample_once_per_epoch():
    import tensorflow as tf

    from keras_fgan.backend.tensorflow_array_feed import ArrayFeed
    from keras_fgan.backend.tensorflow_array_feed import take_batch

    x = np.arange(SIZE, dtype="float32").reshape(SIZE, 1)
    tf.random.set_seed(0)
    feed = ArrayFeed(x, BATCH_SIZE, shuffle=True)
    assert feed.data.dtype == tf.float32 and feed.num_batches == 4
    epochs = []
    for _ in range(2):
        epoch_iterator = object()  # Keras makes a new iterator for each epoch
        batches = [take_batch(*feed.variables, feed.next_size(epoch_iterator)).numpy()
                   for _ in range(feed.num_batches)]
        assert [len(b) for b in batches] == [32, 32, 32, 4]
        epochs.append(np.concatenate(batches)[:, 0])
    for order in epochs:
        np.testing.assert_array_equal(np.sort(order), x[:, 0])
    assert not np.array_equal(epochs[0], epochs[1])
    assert not np.array_equal(epochs[0], x[:, 0])
