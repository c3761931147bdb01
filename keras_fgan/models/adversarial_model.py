"""The base class shared by every adversarial objective."""

import copy
import warnings

import numpy as np

import keras
from keras import ops

from keras_fgan.backend import AdversarialTrainer
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
    """Stops training with a clear error when a logged loss is not finite.

    Added by `AdversarialModel.fit` after the user's callbacks. If a user's
    callback (such as `keras.callbacks.TerminateOnNaN`) already stopped
    training, it only reports; otherwise it raises `NonFiniteLossError`
    naming the objective (and divergence), the epoch and the step.
    """

    def __init__(self):
        super().__init__()
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        bad = {
            name: float(value)
            for name, value in (logs or {}).items()
            if name.endswith("loss") and not np.isfinite(float(value))
        }
        if not bad:
            return
        message = (
            f"{self.model.describe()}: non-finite loss at epoch {self._epoch + 1}, "
            f"step {batch + 1}: "
            + ", ".join(f"{k}={v}" for k, v in bad.items())
            + ". Lower the learning rates, check the data for extreme values, "
            "or use a Lipschitz constraint / a different divergence."
        )
        if self.model.stop_training:
            warnings.warn(message, stacklevel=2)
            return
        raise NonFiniteLossError(message)


class AdversarialModel(AdversarialTrainer, keras.Model):
    """Base class: a generator and a discriminator trained adversarially.

    Subclasses define the objective only: `discriminator_loss(real, z)` and
    `generator_loss(real, z)`, each returning `(loss, logs)` written in
    `keras.ops`, the `metric_names` they log, and their default optimizers.
    The backend trainer (`keras_fgan.backend`) turns them into a training
    step: `d_steps` discriminator updates, then one generator update, each
    with its own optimizer, inside one compiled step.

    Args:
        generator: a built Keras model mapping latents `(batch, latent_dim)`
            to samples.
        discriminator: a built Keras model mapping samples to one score each.
        latent_prior: `"normal"` (standard normal) or `"uniform"` (on
            [-1, 1]).
        d_steps: discriminator updates per generator update (>= 1).
        seed: seed of the in-graph latent sampler (int or None).
        **kwargs: `keras.Model` arguments (`name`, `dtype`).
    """

    metric_names = ("d_loss", "g_loss")

    def __init__(
        self,
        generator,
        discriminator,
        *,
        latent_prior="normal",
        d_steps=1,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if latent_prior not in LATENT_PRIORS:
            raise ValueError(
                f"Unknown latent_prior {latent_prior!r}; valid: {', '.join(LATENT_PRIORS)}."
            )
        if isinstance(d_steps, bool) or not isinstance(d_steps, (int, np.integer)) or d_steps < 1:
            raise ValueError(f"`d_steps` must be an integer >= 1. Received: {d_steps!r}")
        self.generator = generator
        self.discriminator = discriminator
        self.latent_prior = latent_prior
        self.d_steps = int(d_steps)
        self.seed = seed
        self._check_networks()
        self.seed_generator = keras.random.SeedGenerator(seed)
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

    def _check_discriminator(self):
        (data_shape,) = network_input_shapes(self.discriminator, "discriminator")
        if tuple(data_shape[1:]) != self.sample_shape:
            raise ValueError(
                f"The generator outputs samples of shape {self.sample_shape} "
                f"but the discriminator takes inputs of shape {tuple(data_shape[1:])}."
            )
        _check_scores(
            symbolic_output_shape(self.discriminator, [data_shape]), "discriminator"
        )

    def _d_variables(self):
        return self.discriminator.trainable_variables

    def _g_variables(self):
        return self.generator.trainable_variables

    def call(self, z, training=False):
        """Maps latents to samples (the generator)."""
        return self.generator(z, training=training)

    # ------------------------------------------------------------ latents --
    def sample_latent(self, batch_size):
        """In-graph latent batch from the prior, using the model's seed state
        (distinct per replica under a distribution strategy)."""
        return self._shard_latent(self._sample_prior, batch_size)

    def _sample_prior(self, batch_size):
        shape = (batch_size, self.latent_dim)
        if self.latent_prior == "uniform":
            return keras.random.uniform(shape, -1.0, 1.0, seed=self.seed_generator)
        return keras.random.normal(shape, seed=self.seed_generator)

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
        """Draws `n` samples from the generator.

        Args:
            n: number of samples (>= 1).
            seed: int for reproducible samples (the same on every backend),
                or None.
            batch_size: generator batch size.

        Returns:
            A NumPy float32 array of shape `(n, *sample_shape)`.
        """
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"`n` must be a positive integer. Received: {n!r}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"`batch_size` must be a positive integer. Received: {batch_size!r}")
        z = self.latent_batch(int(n), seed)
        # `predict_on_batch` per chunk: the compiled forward pass without
        # `predict`'s per-call data pipeline (1.46x the raw pass on
        # TensorFlow at n=1024, see benchmarks/RESULTS.md).
        chunks = [
            self.generator.predict_on_batch(z[start : start + batch_size])
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
        generator update. Runs inside the backend's compiled step."""
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
        for tracker in self._trackers:
            tracker.update_state(logs[tracker.name])
        results = {tracker.name: tracker.result() for tracker in self._trackers}
        # `loss` = d_loss + g_loss: the single value Keras callbacks such as
        # `TerminateOnNaN` watch. It is a health signal, not an objective.
        results["loss"] = results["d_loss"] + results["g_loss"]
        return results

    def discriminator_loss(self, real, z):
        """Returns `(loss, logs)` minimised by the discriminator."""
        raise NotImplementedError

    def generator_loss(self, real, z):
        """Returns `(loss, logs)` minimised by the generator."""
        raise NotImplementedError

    def discriminate(self, real, z, training=True):
        """Discriminator outputs on real samples and on G(z) (detached)."""
        fake = ops.stop_gradient(self.generator(z, training=training))
        return (
            self.discriminator(real, training=training),
            self.discriminator(fake, training=training),
        )

    # ---------------------------------------------------------------- fit --
    def fit(self, x=None, y=None, *args, **kwargs):
        """`keras.Model.fit` on unlabelled samples (labels, if any, are
        ignored). Accepts arrays, `tf.data.Dataset`, `keras.utils.PyDataset`
        and torch `DataLoader`s."""
        if not self.compiled:
            raise ValueError(
                f"Call `{type(self).__name__}.compile(d_optimizer=..., "
                "g_optimizer=...)` before `fit()`."
            )
        self._check_array_data(x)
        callbacks = list(kwargs.pop("callbacks", None) or [])
        callbacks.append(NonFiniteLossGuard())
        return super().fit(x, y, *args, callbacks=callbacks, **kwargs)

    def describe(self):
        """A short description of the objective, for messages."""
        return type(self).__name__

    def _check_array_data(self, x):
        if x is None:
            raise ValueError("`fit` needs training data `x`.")
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
            "latent_prior": self.latent_prior,
            "d_steps": self.d_steps,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = copy.deepcopy(config)  # Keras deserialisation consumes its input
        for key in ("generator", "discriminator", "encoder"):
            if key in config:
                config[key] = keras.saving.deserialize_keras_object(config[key])
        if "dtype" in config and isinstance(config["dtype"], dict):
            config["dtype"] = keras.dtype_policies.deserialize(config["dtype"])
        return cls(**config)
