"""TensorFlow gradient mechanics: `tf.GradientTape`, nested for double backprop."""

import tensorflow as tf

from keras_fgan.backend.tensorflow_array_feed import ArrayFeed
from keras_fgan.backend.tensorflow_array_feed import take_batch


def input_gradients(fn, x):
    """d sum(fn(x)) / dx, recorded by any enclosing tape (double backprop)."""
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(fn(x))  # inside the tape, or the gradient is None
    return tape.gradient(total, x)


def _replicas():
    return tf.distribute.get_strategy().num_replicas_in_sync


def check_strategy(strategy=None):
    """Refuses strategies whose gradient all-reduce is a collective op.

    An adversarial step runs one all-reduce per optimizer (discriminator,
    then generator). With `CollectiveAllReduce` (what `MirroredStrategy`
    picks for CPU devices, and what `MultiWorkerMirroredStrategy` always
    uses) the replicas have been seen to pair the two reductions in
    different orders and abort with "Shape mismatch in the collective
    instance" (TensorFlow 2.21, two CPU devices). Reductions done from the
    cross-replica context (`ReductionToOneDevice`, `NcclAllReduce`,
    `HierarchicalCopyAllReduce`) are unaffected: weights match a single
    device to 1e-8.
    """
    strategy = strategy or tf.distribute.get_strategy()
    if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        raise ValueError(
            "keras-fgan does not support MultiWorkerMirroredStrategy: its collective "
            "all-reduce can pair the discriminator's and the generator's gradient "
            "reductions in different orders across replicas. Use the JAX backend with "
            "keras.distribution for multi-host training."
        )
    cross_device_ops = getattr(strategy.extended, "_cross_device_ops", None) or getattr(
        strategy.extended, "_inferred_cross_device_ops", None
    )
    if type(cross_device_ops).__name__ == "CollectiveAllReduce":
        raise ValueError(
            "This MirroredStrategy reduces gradients with CollectiveAllReduce (its default "
            "for CPU devices), which can pair the discriminator's and the generator's "
            "reductions in different orders across replicas. Create it with "
            "cross_device_ops=tf.distribute.ReductionToOneDevice() (CPUs) or "
            "tf.distribute.NcclAllReduce() (GPUs)."
        )


class AdversarialTrainer:
    """`train_step(data)` for Keras' TensorFlow trainer (run in a
    `tf.function`, with XLA when `jit_compile` is on, and per replica under
    a `tf.distribute` strategy)."""

    _array_feed = None  # the running `fit`'s ArrayFeed, if any

    def train_step(self, data):
        check_strategy()  # at trace time only
        return self.adversarial_step(data)

    def fit(self, *args, **kwargs):
        """Keras' `fit`, with an in-memory training array gathered batch by
        batch inside the compiled step (`tensorflow_array_feed`)."""
        feed, arguments = ArrayFeed.for_fit(self, *args, **kwargs)
        if feed is None:
            return super().fit(*args, **kwargs)
        self._array_feed = feed
        try:
            return super().fit(**arguments)
        finally:
            self._array_feed = None

    def test_step(self, data):
        return self.evaluation_step(data)

    def make_train_function(self, force=False):
        """Keras' train function, except with one step per call on the
        default strategy: the step's logs come back as they are, where
        Keras wraps them in a `tf.experimental.Optional` that costs two eager
        ops and a structure rebuild per call (about 1 ms a step on the
        2-D reference MLPs, profiled on CPU). At the end of data of unknown
        length, `get_next` raises `OutOfRangeError`, which Keras' epoch
        iterator turns into the end of the epoch, as with Keras' function,
        but no part of the step runs (with Keras' function the optimizers'
        iteration counters advanced once more on that call)."""
        if self.train_function is not None and not force:
            return self.train_function
        if (
            self.steps_per_execution != 1
            or self.run_eagerly
            or tf.distribute.has_strategy()
            or self.distribute_strategy is not tf.distribute.get_strategy()
        ):
            return super().make_train_function(force)
        one_step_on_data = tf.function(
            self.train_step, reduce_retracing=True, jit_compile=self.jit_compile
        )

        def one_step_on_feed(size):
            def step(data, order, position):
                batch = (take_batch(data, order, position, size),)
                if self.jit_compile:  # XLA compiles the step, not the gather
                    return one_step_on_data(batch)
                return self.train_step(batch)

            return tf.function(step)

        @tf.function(reduce_retracing=True)
        def one_step_on_iterator(iterator):
            data = iterator.get_next()
            # Every op of the step waits for `get_next`: otherwise the
            # updates that read no data (optimizer iteration counters, seed
            # states) would run on the call that finds the data exhausted.
            with tf.control_dependencies(tf.nest.flatten(data)):
                if self.jit_compile:  # XLA compiles the step, not `get_next`
                    return one_step_on_data(data)
                return self.train_step(data)

        # Calling the `tf.function` binds the iterator to a trace: it hashes
        # the iterator's type spec and checks the captured variables, about 2
        # ms of Python per call (cProfile: `trace_function`, one thread,
        # README MLPs); the concrete function of that spec is called
        # directly. A new spec (another dataset) gets its own trace.
        # The same for an array feed: one trace per batch size (full batches
        # and the partial last one), sample shape and dtype, whatever the
        # array's length (its variables have an unknown first dimension).
        concrete = {}

        def function(iterator):
            feed = self._array_feed
            if feed is not None:
                size = feed.next_size(iterator)
                key = (size, feed.data.shape[1:], feed.data.dtype)
                if key not in concrete:
                    concrete[key] = one_step_on_feed(size).get_concrete_function(*feed.variables)
                return concrete[key](*feed.variables)
            if isinstance(iterator, tf.data.Iterator):
                spec = iterator._type_spec
                if spec not in concrete:
                    concrete[spec] = one_step_on_iterator.get_concrete_function(iterator)
                return concrete[spec](iterator)
            if isinstance(iterator, tf.distribute.DistributedIterator):
                return one_step_on_iterator(iterator)
            return one_step_on_data(next(iterator))

        self.train_function = function
        return function

    def _shard_latent(self, sample, batch_size):
        """Under a strategy with R replicas, every replica draws the same
        global latent batch (its seed state is mirrored) and keeps its own
        slice: replicas get different latents, and together exactly the ones
        a single device would draw for the global batch."""
        replicas = _replicas()
        context = tf.distribute.get_replica_context()
        if replicas == 1 or context is None:
            return sample(batch_size)
        start = context.replica_id_in_sync_group * batch_size
        return sample(batch_size * replicas)[start : start + batch_size]

    def _optimize(self, loss_fn, variables, optimizer, *args):
        with tf.GradientTape() as tape:
            loss, logs = loss_fn(*args)
            # Gradients are summed over replicas: scale each replica's mean
            # loss by 1 / R so the update is that of the global batch mean.
            scaled_loss = optimizer.scale_loss(loss) / _replicas()
        grads = tape.gradient(
            scaled_loss, variables, unconnected_gradients=tf.UnconnectedGradients.ZERO
        )
        optimizer.apply(grads, variables)
        return logs
