"""The adversarial model: networks + a loss + regularizers + constraints."""

import copy
import functools
import warnings

import numpy as np

import keras
from keras import ops

from keras_fgan import losses as losses_lib
from keras_fgan import regularizers as regularizers_lib
from keras_fgan.arguments import check_integer
from keras_fgan.arguments import check_number
from keras_fgan.backend import AdversarialTrainer
from keras_fgan.backend import call_network
from keras_fgan.backend import random_normal
from keras_fgan.backend import random_uniform
from keras_fgan.backend import record_first_nonfinite
from keras_fgan.backend import track_means
from keras_fgan.models.optimizer_pair import OptimizerPair

LATENT_PRIORS = ("normal", "uniform")


def network_input_shapes(network, role):
    """The input shapes (batch dimension included) of a built Keras network.

    Raises:
        ValueError: when `network` is not a Keras layer or has no defined
            input shape.
    """
    if not isinstance(network, keras.layers.Layer):
        raise TypeError(
            f"The {role} must be a Keras model or layer. Received: "
            f"{type(network).__name__}"
        )
    try:
        inputs = network.inputs
    except (AttributeError, ValueError):
        inputs = None
    if inputs:
        return [tuple(t.shape) for t in inputs]
    shapes = getattr(network, "_build_shapes_dict", None)
    if network.built and shapes:
        return [tuple(s) for s in shapes.values()]
    raise ValueError(
        f"The {role} {network.name!r} has no defined input shape. Create it "
        "with `keras.Input(...)` (a functional or Sequential model), or build "
        f"it first with `{role}.build(input_shape)`."
    )


def symbolic_output_shape(network, input_shapes):
    """Output shape of `network` on symbolic inputs of the given shapes."""
    inputs = [keras.KerasTensor(shape) for shape in input_shapes]
    outputs = network(inputs[0] if len(inputs) == 1 else inputs)
    return tuple(outputs.shape)


def _check_scores(shape, role):
    if len(shape) not in (1, 2) or (len(shape) == 2 and shape[-1] != 1):
        raise ValueError(
            f"The {role} must output one score per sample, shape (batch, 1) "
            f"or (batch,). Its output shape is {shape}."
        )


class NonFiniteLossError(FloatingPointError):
    """Raised when an adversarial model's loss becomes NaN or infinite."""


class NonFiniteLossGuard(keras.callbacks.Callback):
    """Stops training with a clear error when a loss became NaN or infinite.

    Added by `AdversarialModel.fit` after the user's callbacks. The compiled
    training step records the first generator iteration whose discriminator
    or generator loss was not finite in a model variable, so checking costs
    one host read per epoch, not one per batch. At the end of an epoch with
    such a step it raises `NonFiniteLossError` naming the objective, the
    epoch and the step; if a user's callback (such as
    `keras.callbacks.TerminateOnNaN`) already stopped training, it only
    warns.
    """

    def on_train_begin(self, logs=None):
        self.model.nonfinite_iteration.assign(-1)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = int(ops.convert_to_numpy(self.model.g_optimizer.iterations))

    def on_epoch_end(self, epoch, logs=None):
        iteration = int(ops.convert_to_numpy(self.model.nonfinite_iteration))
        if iteration < 0:
            return
        values = ", ".join(
            f"{name}={float(value)}" for name, value in (logs or {}).items()
            if name.endswith("loss") and not np.isfinite(float(value))
        )
        message = (
            f"{self.model.describe()}: non-finite loss at epoch {epoch + 1}, "
            f"step {iteration - self._epoch_start + 1}"
            + (f" (epoch means: {values})" if values else "")
            + ". Lower the learning rates, check the data for extreme values, "
            "or use a Lipschitz constraint / a different divergence."
        )
        if self.model.stop_training:
            warnings.warn(message, stacklevel=2)
            return
        raise NonFiniteLossError(message)


@keras.saving.register_keras_serializable(package="keras_fgan")
class AdversarialModel(AdversarialTrainer, keras.Model):
    """A generator and a discriminator trained adversarially: networks + a
    loss + regularizers (+ Keras constraints on the discriminator's weights).

    Each training step runs `d_steps` discriminator updates, then one
    generator update, each with its own optimizer, inside one compiled step
    (the backend trainer of `keras_fgan.backend`). The discriminator
    minimises `loss.discriminator_loss(D(x), D(G(z)))` plus every
    regularizer's penalty; the generator minimises
    `loss.generator_loss(D(x), D(G(z)))`. `evaluate` and
    `fit(validation_data=...)` report the same losses on held-out data
    against fresh latents, with no update. `predict(z)` / `model(z)` map
    latents to samples (with the averaged generator when `ema` is set).

    Args:
        generator: a built Keras model mapping latents `(batch, latent_dim)`
            to samples.
        discriminator: a built Keras model mapping (packed) samples to one
            score each.
        loss: an `AdversarialLoss` of `keras_fgan.losses`, its name
            (`keras_fgan.losses.names()`) or config. Default
            `"non_saturating"`.
        regularizers: a list of `keras_fgan.regularizers` objects, names or
            configs (e.g. `[R1(0.1), R2(0.1)]`), added to the discriminator's
            loss. Without any (`None` or `[]`, the default), no input gradient
            is ever computed.
        d_steps: discriminator updates per generator update (>= 1).
        pack: PacGAN packing degree m >= 1: the discriminator sees m samples
            concatenated along the last (feature or channel) axis, so it takes
            inputs of shape `sample_shape[:-1] + (m * sample_shape[-1],)`
            (Lin et al. 2018). A batch whose size is not a multiple of m is
            completed by repeating its first samples.
        ema: decay in [0, 1) of an exponential moving average of the
            generator's weights, updated after every generator step inside
            the compiled step (`model.ema_generator`); `generate`, `predict`,
            export and the zoo then use the averaged generator. None: off.
        latent_prior: `"normal"` (standard normal) or `"uniform"` (on
            [-1, 1]).
        seed: seed of the in-graph latent sampler (int or None).
        **kwargs: `keras.Model` arguments (`name`, `dtype`).

    Example:

    ```python
    model = kf.AdversarialModel(
        kf.networks.mlp_generator(8, 2), kf.networks.mlp_discriminator(2, pack=2),
        loss="relativistic", regularizers=[kf.regularizers.R1(0.1), kf.regularizers.R2(0.1)],
        pack=2, ema=0.999)
    model.compile()
    model.fit(x, batch_size=256, epochs=5)
    ```

    References:
        Goodfellow et al. "Generative Adversarial Nets." NeurIPS 2014.
        Lin, Khetan, Fanti, Oh. "PacGAN: The power of two samples in
        generative adversarial networks." NeurIPS 2018, Sec. 3.
        Yazici et al. "The Unusual Effectiveness of Averaging in GAN
        Training." ICLR 2019 (generator EMA).
    """

    def __init__(
        self,
        generator,
        discriminator,
        *,
        loss="non_saturating",
        regularizers=(),
        latent_prior="normal",
        d_steps=1,
        pack=1,
        ema=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if latent_prior not in LATENT_PRIORS:
            raise ValueError(
                f"Unknown latent_prior {latent_prior!r}; valid: {', '.join(LATENT_PRIORS)}."
            )
        self.d_steps = check_integer("d_steps", d_steps)
        self.pack = check_integer("pack", pack)
        if ema is not None:
            ema = check_number("ema", ema, minimum=0.0, inclusive=True)
            if ema >= 1.0:
                raise ValueError(f"`ema` must be a decay in [0, 1). Received: {ema!r}")
        if regularizers is None:
            regularizers = ()
        if isinstance(regularizers, (str, dict)) or not isinstance(regularizers, (list, tuple)):
            raise ValueError(
                "`regularizers` must be a list of keras_fgan.regularizers objects, names "
                f"or configs. Received: {regularizers!r}"
            )
        self.adversarial_loss = losses_lib.get(loss)
        self.regularizers = [regularizers_lib.get(r) for r in regularizers]
        self.generator = generator
        self.discriminator = discriminator
        self.latent_prior = latent_prior
        self.ema = ema
        self.seed = seed
        self._check_networks()
        self.seed_generator = keras.random.SeedGenerator(seed)
        # Evaluation draws its own latents, so `fit(validation_data=...)`
        # trains on the same latent stream as `fit` without it.
        self._eval_seed_generator = keras.random.SeedGenerator(
            None if seed is None else seed + 1
        )
        self.nonfinite_iteration = keras.Variable(
            -1, dtype="int32", trainable=False, name="nonfinite_iteration",
            aggregation="only_first_replica",
        )
        self.ema_generator = _averaged_copy(generator) if ema is not None else None
        self.metric_names = ("d_loss", "g_loss") + tuple(
            dict.fromkeys(
                self.adversarial_loss.metric_names
                + tuple(n for r in self.regularizers for n in r.metric_names)
                + self.generator_metric_names()
            )
        )
        self._trackers = [keras.metrics.Mean(name=name) for name in self.metric_names]
        self.built = True

    # ----------------------------------------------------------- networks --
    def _check_networks(self):
        (latent_shape,) = network_input_shapes(self.generator, "generator")
        if len(latent_shape) != 2 or latent_shape[-1] is None:
            raise ValueError(
                "The generator must take latents of shape (batch, latent_dim). "
                f"Its input shape is {latent_shape}."
            )
        self.latent_dim = int(latent_shape[-1])
        self.sample_shape = symbolic_output_shape(self.generator, [latent_shape])[1:]
        self._check_discriminator()

    @property
    def packed_shape(self):
        """The shape of one discriminator input: `sample_shape` with its last
        axis multiplied by `pack`."""
        return self.sample_shape[:-1] + (self.pack * self.sample_shape[-1],)

    def _check_discriminator(self):
        (data_shape,) = network_input_shapes(self.discriminator, "discriminator")
        if tuple(data_shape[1:]) != self.packed_shape:
            packing = (
                f" packed {self.pack} at a time along the last axis, i.e. {self.packed_shape}"
                if self.pack > 1 else ""
            )
            raise ValueError(
                f"The generator outputs samples of shape {self.sample_shape}{packing}, "
                f"but the discriminator takes inputs of shape {tuple(data_shape[1:])}."
            )
        _check_scores(
            symbolic_output_shape(self.discriminator, [data_shape]), "discriminator"
        )

    def _d_variables(self):
        return self.discriminator.trainable_variables

    def _g_variables(self):
        return self.generator.trainable_variables

    @property
    def sampling_generator(self):
        """The generator used to draw samples: the weight average
        `ema_generator` when `ema` is set, else `generator`."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def call_network(self, network, inputs, training, gradient=True):
        """`network(inputs, training=training)`, the way the backend runs it
        fastest (`keras_fgan.backend.call_network`); `gradient=False` stops
        gradients at its outputs."""
        return call_network(network, inputs, training, gradient)

    def call(self, z, training=False):
        """Maps latents to samples (`sampling_generator`)."""
        return self.call_network(self.sampling_generator, z, training)

    def pack_samples(self, x):
        """Groups a batch into packs of `pack` samples concatenated along the
        last axis: `(n, *shape)` -> `(ceil(n / m), *shape[:-1], m * shape[-1])`.

        A batch whose size is not a multiple of m is completed by repeating
        its first samples (every pack is full).
        """
        m = self.pack
        if m == 1:
            return x
        n = ops.shape(x)[0]
        x = ops.take(x, ops.arange(((n + m - 1) // m) * m) % n, axis=0)
        x = ops.reshape(x, (-1, m) + tuple(self.sample_shape))
        x = ops.moveaxis(x, 1, -2)
        return ops.reshape(x, (-1,) + tuple(self.packed_shape))

    def score(self, samples, training=True):
        """Discriminator scores of a batch of (unpacked) samples."""
        return self.call_network(self.discriminator, self.pack_samples(samples), training)

    # ------------------------------------------------------------ latents --
    def sample_latent(self, batch_size, seed_generator=None):
        """In-graph latent batch from the prior, using the model's seed state
        (distinct per replica under a distribution strategy)."""
        return self._shard_latent(
            functools.partial(self._sample_prior, seed_generator=seed_generator), batch_size
        )

    def _sample_prior(self, batch_size, seed_generator=None):
        shape = (batch_size, self.latent_dim)
        seed = seed_generator or self.seed_generator
        if self.latent_prior == "uniform":
            return random_uniform(shape, -1.0, 1.0, seed)
        return random_normal(shape, seed)

    def latent_batch(self, n, seed=None):
        """A NumPy latent batch from the prior; identical on every backend for
        the same `seed`."""
        rng = np.random.default_rng(seed)
        if self.latent_prior == "uniform":
            z = rng.uniform(-1.0, 1.0, size=(n, self.latent_dim))
        else:
            z = rng.standard_normal((n, self.latent_dim))
        return z.astype("float32")

    def generate(self, n, seed=None, batch_size=256):
        """Draws `n` samples from the generator (the averaged one when `ema`
        is set).

        Args:
            n: number of samples (>= 1).
            seed: a non-negative int for reproducible samples (the same on
                every backend), or None.
            batch_size: generator batch size.

        Returns:
            A NumPy float32 array of shape `(n, *sample_shape)`.

        Raises:
            ValueError: `n` or `batch_size` is not a positive integer, or
                `seed` is neither None nor a non-negative integer.
        """
        n = check_integer("n", n)
        batch_size = check_integer("batch_size", batch_size)
        seed = check_integer("seed", seed, low=0, allow_none=True)
        z = self.latent_batch(n, seed)
        generator = self.sampling_generator
        # `predict_on_batch` per chunk: the compiled forward pass without
        # `predict`'s per-call data pipeline (1.46x the raw pass on
        # TensorFlow at n=1024, see benchmarks/RESULTS.md).
        chunks = [
            generator.predict_on_batch(z[start : start + batch_size])
            for start in range(0, len(z), batch_size)
        ]
        return np.concatenate([np.asarray(c, dtype="float32") for c in chunks])

    # ------------------------------------------------------------ compile --
    def default_optimizers(self):
        """(d_optimizer, g_optimizer) used when `compile` is given none."""
        return (
            keras.optimizers.Adam(2e-4, beta_1=0.5),
            keras.optimizers.Adam(2e-4, beta_1=0.5),
        )

    def compile(
        self,
        d_optimizer=None,
        g_optimizer=None,
        *,
        jit_compile="auto",
        run_eagerly=False,
        steps_per_execution=1,
        **kwargs,
    ):
        """Configures the two optimizers.

        Args:
            d_optimizer: discriminator optimizer (instance, name or config);
                the objective's paper default when None.
            g_optimizer: generator optimizer; likewise.
            jit_compile: as in `keras.Model.compile` ("auto" compiles with XLA
                where Keras does: JAX always, TensorFlow on accelerators).
            run_eagerly: as in `keras.Model.compile`.
            steps_per_execution: as in `keras.Model.compile`.
        """
        if kwargs:
            raise ValueError(
                "An adversarial model takes `d_optimizer` and `g_optimizer`; its "
                "losses come from the objective. Unexpected compile arguments: "
                f"{sorted(kwargs)}."
            )
        defaults = self.default_optimizers()
        d_optimizer = keras.optimizers.get(d_optimizer) if d_optimizer is not None else defaults[0]
        g_optimizer = keras.optimizers.get(g_optimizer) if g_optimizer is not None else defaults[1]
        if d_optimizer is g_optimizer:
            raise ValueError(
                "`d_optimizer` and `g_optimizer` must be two different optimizer "
                "instances (each keeps its own state)."
            )
        if self.dtype_policy.name == "mixed_float16":
            d_optimizer, g_optimizer = (
                opt if isinstance(opt, keras.optimizers.LossScaleOptimizer)
                else keras.optimizers.LossScaleOptimizer(opt)
                for opt in (d_optimizer, g_optimizer)
            )
        super().compile(
            optimizer=d_optimizer,
            jit_compile=jit_compile,
            run_eagerly=run_eagerly,
            steps_per_execution=steps_per_execution,
            auto_scale_loss=False,
        )
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.optimizer = OptimizerPair(
            d_optimizer, g_optimizer, self._d_variables, self._g_variables
        )
        self.optimizer.build()

    def get_compile_config(self):
        if not self.compiled:
            return {}

        def serialize(opt):
            return keras.optimizers.serialize(getattr(opt, "inner_optimizer", opt))

        return {
            "d_optimizer": serialize(self.d_optimizer),
            "g_optimizer": serialize(self.g_optimizer),
            "jit_compile": self.jit_compile,
            "run_eagerly": self.run_eagerly,
            "steps_per_execution": self.steps_per_execution,
        }

    def compile_from_config(self, config):
        config = dict(config)
        for key in ("d_optimizer", "g_optimizer"):
            config[key] = keras.optimizers.deserialize(config[key])
        self.compile(**config)

    @property
    def metrics(self):
        return list(self._trackers)

    # The latent sampler's RNG state is saved with the weights, so a run
    # restored from a checkpoint draws the same latents as an uninterrupted one.
    _SEED_STATE_KEY = "seed_generator_state"

    def save_own_variables(self, store):
        super().save_own_variables(store)
        store[self._SEED_STATE_KEY] = ops.convert_to_numpy(self.seed_generator.state.value)

    def load_own_variables(self, store):
        if self._SEED_STATE_KEY in store:
            self.seed_generator.state.assign(np.asarray(store[self._SEED_STATE_KEY]))

    # --------------------------------------------------------------- step --
    def _prepare_real(self, data):
        real, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        if isinstance(real, (list, tuple, dict)):
            raise ValueError(
                "Expected a single array of samples per batch, got a "
                f"{type(real).__name__}."
            )
        shape = tuple(real.shape[1:])
        if shape != self.sample_shape:
            raise ValueError(
                f"Data samples have shape {shape} but the discriminator expects "
                f"{self.sample_shape}."
            )
        return ops.cast(real, "float32")

    def adversarial_step(self, data):
        """One training step: `d_steps` discriminator updates then one
        generator update (and the EMA update). Runs inside the backend's
        compiled step."""
        real = self._prepare_real(data)
        batch_size = ops.shape(real)[0]
        logs = {}
        for _ in range(self.d_steps):
            z = self.sample_latent(batch_size)
            logs.update(
                self._optimize(
                    self.discriminator_loss, self._d_variables(), self.d_optimizer, real, z
                )
            )
        z = self.sample_latent(batch_size)
        logs.update(
            self._optimize(self.generator_loss, self._g_variables(), self.g_optimizer, real, z)
        )
        if self.ema_generator is not None:
            self._update_ema()
        self._record_nonfinite(logs)
        return self._track(logs)

    def evaluation_step(self, data):
        """The step `evaluate` runs: both losses (and the loss' and the
        regularizers' metrics) on a held-out real batch against fresh
        latents, networks in inference mode, no update."""
        real = self._prepare_real(data)
        z = self.sample_latent(ops.shape(real)[0], self._eval_seed_generator)
        _, logs = self.discriminator_loss(real, z, training=False)
        _, g_logs = self.generator_loss(real, z, training=False)
        logs.update(g_logs)
        return self._track({k: ops.stop_gradient(v) for k, v in logs.items()})

    def _track(self, logs):
        results = track_means(self._trackers, logs)
        # `loss` = d_loss + g_loss: the single value Keras callbacks such as
        # `TerminateOnNaN` watch. It is a health signal, not an objective.
        results["loss"] = results["d_loss"] + results["g_loss"]
        return results

    def _record_nonfinite(self, logs):
        """Stores the first generator iteration with a non-finite loss in
        `nonfinite_iteration` (read once per epoch by `NonFiniteLossGuard`)."""
        record_first_nonfinite(
            self.nonfinite_iteration, self.g_optimizer.iterations, logs["d_loss"], logs["g_loss"]
        )

    def _update_ema(self):
        """ema <- decay * ema + (1 - decay) * weights for the generator's
        trainable weights; its other weights (BatchNorm statistics) are copied."""
        decay = self.ema
        for average, variable in zip(self.ema_generator.weights, self.generator.weights):
            value = ops.stop_gradient(variable.value)
            if variable.trainable:
                value = decay * average.value + (1.0 - decay) * value
            average.assign(value)

    def discriminator_inputs(self, real, z, training=True):
        """The real and generated batches the discriminator's step scores,
        `(real_in, fake_in)`, each one tensor (here packed samples; no
        gradient reaches the generator). The regularizers differentiate
        `discriminate` with respect to them."""
        fake = self.call_network(self.generator, z, training, gradient=False)
        return self.pack_samples(real), self.pack_samples(fake)

    def discriminate(self, inputs, training=True):
        """Discriminator scores of a batch from `discriminator_inputs`."""
        return self.call_network(self.discriminator, inputs, training)

    def penalized_discriminator(self, training=True):
        """The function of a `discriminator_inputs` batch whose input
        gradients the regularizers penalise: here `discriminate` itself."""
        return lambda inputs: self.discriminate(inputs, training)

    def discriminator_loss(self, real, z, training=True):
        """Returns `(loss, logs)` minimised by the discriminator: the loss'
        discriminator term plus every regularizer's penalty."""
        real_in, fake_in = self.discriminator_inputs(real, z, training)
        real_scores = self.discriminate(real_in, training)
        fake_scores = self.discriminate(fake_in, training)
        loss = self.adversarial_loss.discriminator_loss(real_scores, fake_scores)
        logs = dict(self.adversarial_loss.metrics(real_scores, fake_scores))
        seed = self.seed_generator if training else self._eval_seed_generator
        penalized = self.penalized_discriminator(training)
        for regularizer in self.regularizers:
            penalty, extra = regularizer(penalized, real_in, fake_in, seed)
            loss = loss + penalty
            logs.update(extra)
        logs["d_loss"] = loss
        return loss, logs

    def generator_metric_names(self):
        """Names of the extra logs `generator_loss` returns (tracked as
        metrics beside `d_loss` and `g_loss`); none here."""
        return ()

    def generator_loss(self, real, z, training=True):
        """Returns `(loss, logs)` minimised by the generator."""
        fake_scores = self.score(self.call_network(self.generator, z, training), training)
        real_scores = (
            self.score(real, training=training)
            if self.adversarial_loss.generator_needs_real else None
        )
        loss = self.adversarial_loss.generator_loss(real_scores, fake_scores)
        return loss, {"g_loss": loss}

    # ---------------------------------------------------------------- fit --
    def fit(self, x=None, y=None, *args, **kwargs):
        """`keras.Model.fit` on unlabelled samples (labels, if any, are
        ignored). Accepts arrays, `tf.data.Dataset`, `keras.utils.PyDataset`
        and torch `DataLoader`s; `validation_data` is a held-out set of
        samples (see `evaluate`)."""
        if not self.compiled:
            raise ValueError(
                f"Call `{type(self).__name__}.compile(d_optimizer=..., "
                "g_optimizer=...)` before `fit()`."
            )
        self._check_array_data(x)
        callbacks = list(kwargs.pop("callbacks", None) or [])
        callbacks.append(NonFiniteLossGuard())
        return super().fit(x, y, *args, callbacks=callbacks, **kwargs)

    def evaluate(self, x=None, y=None, *args, **kwargs):
        """The adversarial losses on held-out samples `x` against fresh
        latents (`d_loss`, `g_loss` and the loss' metrics such as the f-GAN
        bound `divergence` or the Wasserstein estimate), with the networks
        in inference mode and no weight or optimizer update. Otherwise as
        `keras.Model.evaluate`."""
        if not self.compiled:
            raise ValueError(
                f"Call `{type(self).__name__}.compile(d_optimizer=..., "
                "g_optimizer=...)` before `evaluate()`."
            )
        self._check_array_data(x)
        return super().evaluate(x, y, *args, **kwargs)

    def describe(self):
        """A short description of the objective, for messages."""
        return f"{type(self).__name__}(loss={self.adversarial_loss!r})"

    def _check_array_data(self, x):
        if x is None:
            raise ValueError("Training data `x` is required.")
        if not (isinstance(x, np.ndarray) or ops.is_tensor(x)):
            return
        x = ops.convert_to_numpy(x)
        if x.dtype.kind not in "fiu":
            raise TypeError(
                f"Training data must be numeric; received dtype {x.dtype}."
            )
        if x.ndim < 1 or x.shape[0] == 0:
            raise ValueError("Training data is empty.")
        if tuple(x.shape[1:]) != self.sample_shape:
            raise ValueError(
                f"Data samples have shape {tuple(x.shape[1:])} but the "
                f"discriminator expects {self.sample_shape}."
            )
        if x.dtype.kind == "f" and not np.all(np.isfinite(x)):
            bad = int(np.sum(~np.isfinite(x)))
            raise ValueError(
                f"Training data contains {bad} non-finite values (NaN or inf)."
            )

    # -------------------------------------------------------------- zoo --
    @classmethod
    def from_preset(cls, preset):
        """Loads a pretrained preset (`keras_fgan.zoo.list_presets()`), checking
        that it holds this class (e.g. `WGAN.from_preset("wgan_gp_ring")`)."""
        from keras_fgan import zoo

        return zoo.load(preset, expected_class=cls)

    # -------------------------------------------------------- config I/O --
    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": keras.saving.serialize_keras_object(self.dtype_policy),
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "loss": losses_lib.serialize(self.adversarial_loss),
            "regularizers": [regularizers_lib.serialize(r) for r in self.regularizers],
            "latent_prior": self.latent_prior,
            "d_steps": self.d_steps,
            "pack": self.pack,
            "ema": self.ema,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = copy.deepcopy(config)  # Keras deserialisation consumes its input
        for key in ("generator", "discriminator", "encoder", "critic"):
            if key in config:
                config[key] = keras.saving.deserialize_keras_object(config[key])
        if "dtype" in config and isinstance(config["dtype"], dict):
            config["dtype"] = keras.dtype_policies.deserialize(config["dtype"])
        return cls(**config)


def _averaged_copy(generator):
    """A non-trainable copy of `generator` with the same weights: the start
    of its exponential moving average."""
    average = keras.models.clone_model(generator)
    average.set_weights(generator.get_weights())
    average.trainable = False
    return average
