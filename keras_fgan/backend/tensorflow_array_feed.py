"""In-memory training arrays fed to TensorFlow's train step from inside its graph.

For a NumPy array or a tensor, Keras' TensorFlow `fit` builds a `tf.data`
pipeline (an index permutation, a parallel `gather` map, `prefetch`) and
the compiled step takes each batch with `IteratorGetNext`, a hand-over from
the pipeline's threads. On a 2-core CPU, `fit` on that pipeline took
0.3-0.6 ms a step (3-6%) more than `fit` with the feed below, on the 2-D
reference networks (7-18 ms steps); on dcgan28 the two are within 1%
(`benchmarks/results/tensorflow_input.md`).

Here the array is copied once into a non-trainable `tf.Variable`, an
epoch's sample order is a second variable, and the compiled step gathers
its own batch at a position counter: the training function takes no input.
Keras' epoch loop still drives training (callbacks, progress bar,
`stop_training`, validation); it iterates `tf.data.Dataset.range` over the
epoch's batches, whose elements are never read, and each new iterator it
makes marks a new epoch, which reshuffles the order. Batches are those of
Keras' array pipeline: `batch_size` samples (32 by default), the last one
partial, floats cast to `keras.config.floatx()`, a fresh permutation per
epoch when `shuffle=True` (drawn with `tf.random.shuffle`, so seeded by
`keras.utils.set_random_seed`).

Used by `tensorflow_trainer.AdversarialTrainer.fit` when nothing else needs
Keras' pipeline (see `ArrayFeed.for_fit`); other data goes to Keras as is.
"""

import inspect
import math

import keras
import numpy as np
import tensorflow as tf

_FIT_SIGNATURE = inspect.signature(keras.Model.fit)


def _is_array(x):
    if isinstance(x, np.ndarray):
        return True
    return isinstance(x, tf.Tensor) and not isinstance(x, (tf.SparseTensor, tf.RaggedTensor))


def _validation_split(x, fraction):
    """Keras' `validation_split` of an array: the last `fraction` of the
    samples, before any shuffling, as `(train, (validation,))`."""
    size = int(x.shape[0])
    split_at = int(math.floor(size * (1.0 - fraction)))
    if split_at in (0, size):
        raise ValueError(
            f"Training data contains {size} samples, which is not sufficient to "
            f"split it into a validation and training set as specified by "
            f"`validation_split={fraction}`. Either provide more data, or a "
            "different value for the `validation_split` argument."
        )
    return x[:split_at], (x[split_at:],)


class ArrayFeed:
    """One `fit` call's training array, its epoch order and position.

    Its variables are created outside the model's tracking (the feed is a
    plain object), so they never reach checkpoints or exports.
    """

    def __init__(self, x, batch_size, shuffle):
        x = tf.convert_to_tensor(x)
        if x.dtype.is_floating and x.dtype != keras.config.floatx():
            x = tf.cast(x, keras.config.floatx())
        self.size = int(x.shape[0])
        self.sample_shape = tuple(x.shape[1:])
        self.batch_size = min(int(batch_size), self.size)
        self.shuffle = bool(shuffle)
        self.full_batches, self.remainder = divmod(self.size, self.batch_size)
        self.num_batches = self.full_batches + (self.remainder > 0)
        # What Keras' epoch loop iterates: its length is the epoch's batch count.
        self.dataset = tf.data.Dataset.range(self.num_batches)
        # An unknown first dimension: every array of a sample shape and dtype
        # shares the compiled step's trace.
        self.data = tf.Variable(x, trainable=False, shape=tf.TensorShape([None, *self.sample_shape]))
        self.order = tf.Variable(
            tf.range(self.size, dtype=tf.int64), trainable=False, shape=tf.TensorShape([None])
        )
        self.position = tf.Variable(0, dtype=tf.int64, trainable=False)
        self._epoch_iterator = None
        self._steps = 0

    @classmethod
    def for_fit(cls, model, *args, **kwargs):
        """`(feed, fit_kwargs)`: the feed of a `model.fit(*args, **kwargs)`
        call and the arguments to give Keras' `fit` instead, or `(None,
        None)` when Keras' own pipeline is needed: data other than one
        array, labels or weights, `steps_per_epoch`, `shuffle="batch"`,
        `steps_per_execution` > 1, eager execution or a distribution
        strategy."""
        arguments = _FIT_SIGNATURE.bind(model, *args, **kwargs)
        arguments.apply_defaults()
        a = dict(arguments.arguments)
        del a["self"]
        if not (
            _is_array(a["x"])
            and a["x"].shape[0]
            and a["y"] is None
            and a["sample_weight"] is None
            and a["class_weight"] is None
            and a["steps_per_epoch"] is None
            and a["shuffle"] in (True, False)
            and not keras.config.max_steps_per_epoch()
            and model.steps_per_execution == 1
            and not model.run_eagerly
            and not tf.distribute.has_strategy()
            and model.distribute_strategy is tf.distribute.get_strategy()
        ):
            return None, None
        x, batch_size = a["x"], a["batch_size"] or 32
        if a["validation_split"] and a["validation_data"] is None:
            x, a["validation_data"] = _validation_split(x, a["validation_split"])
        if a["validation_data"] is not None:
            a["validation_batch_size"] = a["validation_batch_size"] or batch_size
        feed = cls(x, batch_size, a["shuffle"])
        a.update(x=feed.dataset, batch_size=None, shuffle=False, validation_split=0.0)
        return feed, a

    @property
    def variables(self):
        """The array, the epoch's order and the position: the arguments of
        the compiled step, which gathers the batch with `take_batch`."""
        return self.data, self.order, self.position

    def next_size(self, iterator):
        """The size of the next batch: `batch_size`, or None for the partial
        last one. A new `iterator` from Keras' epoch loop starts an epoch."""
        if iterator is not self._epoch_iterator:
            self._epoch_iterator, self._steps = iterator, 0
            order = tf.range(self.size, dtype=tf.int64)
            self.order.assign(tf.random.shuffle(order) if self.shuffle else order)
            self.position.assign(0)
        self._steps += 1
        return self.batch_size if self._steps <= self.full_batches else None


def take_batch(data, order, position, size):
    """Inside the compiled step: the `size` samples of `data` (all that are
    left in the epoch when `size` is None) at `position` in `order`, and the
    position moved past them."""
    if size is None:
        size = tf.shape(order, out_type=tf.int64)[0] - position
    # `tf.slice` with a constant size keeps the batch dimension static.
    size = tf.cast(size, tf.int64)
    indices = tf.slice(order, tf.reshape(position, [1]), tf.reshape(size, [1]))
    position.assign_add(size)
    return tf.gather(data, indices)
