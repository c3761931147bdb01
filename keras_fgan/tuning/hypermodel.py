"""`GANHyperModel`: the KerasTuner HyperModel over adversarial objectives."""

import random
import sys

import keras
import keras_tuner
import numpy as np

from keras_fgan import builders
from keras_fgan import lipschitz as lipschitz_lib
from keras_fgan import registry
from keras_fgan.arguments import check_integer
from keras_fgan.tuning import scoring
from keras_fgan.tuning import space
from keras_fgan.tuning.data import load_data


def _seed_everything(seed):
    """`keras.utils.set_random_seed(seed)`, without importing TensorFlow
    just for that on the JAX and PyTorch backends (it would cost seconds):
    Python's and NumPy's generators seed the weight initialisers and the
    JAX data shuffle, PyTorch's the PyTorch data loader. The models' own
    samplers are seeded by their `seed`."""
    if "tensorflow" in sys.modules:
        keras.utils.set_random_seed(seed)
        return
    random.seed(seed)
    np.random.seed(seed)
    if keras.backend.backend() == "torch":
        import torch

        torch.manual_seed(seed)


class GANHyperModel(keras_tuner.HyperModel):
    """A search space over adversarial objectives, scored by sample quality.

    See `keras_fgan.tuning` for the search space, the score and how failed
    trials and checkpoints are handled. Pass `objective=hypermodel.objective`
    to the tuner: `fit` returns a dict of metrics.

    Args:
        data: "ring" or "grid" (2-D mixtures, scored by mode coverage),
            "fashion_mnist" (scored by Frechet distance), or an array of
            training samples: `(N, D)` vectors or `(N, 28, 28, 1)` images in
            [-1, 1]. Arrays are scored by Frechet distance against their
            first `eval_samples` rows, or by mode coverage when `mixture` is
            given.
        objectives: objective families to search (`"gan"`, `"fgan"`,
            `"wgan"`, `"bigan"`).
        divergences: f-GAN divergences to search (names of
            `kf.divergences.names()`).
        gan_losses: domain of `gan_loss` (None: the default).
        generator_losses: domain of `generator_loss` (None: the default).
        lipschitz: domain of `lipschitz` (None: the default).
        clip_values: domain of `clip_value` (None: the default).
        penalty_weights: domain of `penalty_weight` (None: the default).
        n_critics: domain of `n_critic` (None: the default).
        d_learning_rates: domain of `d_learning_rate` (None: the default).
        g_learning_rates: domain of `g_learning_rate` (None: the default).
        beta_1s: domain of `beta_1` (None: the default).
        beta_2s: domain of `beta_2` (None: the default).
        latent_dims: domain of `latent_dim` (None: the default).
        width_multipliers: domain of `width_multiplier` (None: the default).
        fixed: dict `{hyperparameter: value}` of pinned values.
        epochs: training epochs per trial (a Hyperband tuner passes its own).
        batch_size: training batch size.
        n_train: number of training samples drawn from a 2-D mixture (or
            taken from Fashion-MNIST's train split; all when None).
        eval_samples: generated (and real) samples the score uses; 2,500 is
            the PacGAN protocol for the 2-D mixtures.
        width: base width of the MLP networks (2-D / vector data) or of the
            DCGAN networks (images), scaled by `width_multiplier`.
        depth: hidden layers of the MLP networks.
        mixture: for array data: "ring", "grid" or `(centres, std)` to score
            by mode coverage.
        seed: seed of the data draw, of the weight initialisation and latent
            sampler of every trial, and of the evaluation samples.
        jit_compile: passed to `model.compile`.
        name: the hypermodel's name.

    Raises:
        ValueError: an unknown data name, search-space argument or
            hyperparameter (the message lists the valid ones), or an invalid
            value.
    """

    def __init__(
        self,
        data="ring",
        *,
        objectives=None,
        divergences=None,
        gan_losses=None,
        generator_losses=None,
        lipschitz=None,
        clip_values=None,
        penalty_weights=None,
        n_critics=None,
        d_learning_rates=None,
        g_learning_rates=None,
        beta_1s=None,
        beta_2s=None,
        latent_dims=None,
        width_multipliers=None,
        fixed=None,
        epochs=5,
        batch_size=64,
        n_train=None,
        eval_samples=2500,
        width=None,
        depth=3,
        mixture=None,
        seed=0,
        jit_compile="auto",
        name=None,
        **kwargs,
    ):
        if kwargs:
            space.reject_arguments(kwargs)
        super().__init__(name=name, tunable=True)
        self.epochs = check_integer("epochs", epochs)
        self.batch_size = check_integer("batch_size", batch_size)
        self.eval_samples = check_integer("eval_samples", eval_samples)
        self.depth = check_integer("depth", depth)
        if n_train is not None:
            n_train = check_integer("n_train", n_train)
        self.seed = check_integer("seed", seed, low=0)
        self.jit_compile = jit_compile
        if width is not None:
            width = check_integer("width", width)

        given = {
            "objectives": objectives, "divergences": divergences,
            "gan_losses": gan_losses, "generator_losses": generator_losses,
            "lipschitz": lipschitz, "clip_values": clip_values,
            "penalty_weights": penalty_weights, "n_critics": n_critics,
            "d_learning_rates": d_learning_rates, "g_learning_rates": g_learning_rates,
            "beta_1s": beta_1s, "beta_2s": beta_2s, "latent_dims": latent_dims,
            "width_multipliers": width_multipliers,
        }
        self.fixed = space.check_fixed(fixed)
        self.domains = {}
        for argument, domain in given.items():
            dim = space.ARGUMENTS[argument]
            if domain is not None and dim.name in self.fixed:
                raise ValueError(
                    f"`{argument}` narrows {dim.name!r}, which `fixed` also sets; give one."
                )
            if domain is None:
                domain = dim.default
                if domain is None and dim.name == "latent_dim":
                    continue  # depends on the data, set below
                if domain is None:
                    domain = list(dim.valid_values())
            self.domains[dim.name] = space.check_domain(dim, domain)
        if "objective" in self.fixed:
            self.domains["objective"] = [self.fixed["objective"]]
        if "lipschitz" in self.fixed:
            self.domains["lipschitz"] = [self.fixed["lipschitz"]]

        # The data last: Fashion-MNIST takes a while to load.
        self.data = load_data(
            data, n_train=n_train, mixture=mixture, seed=self.seed, eval_samples=self.eval_samples
        )
        self.domains.setdefault("latent_dim", space.DEFAULT_LATENT_DIMS[self.data.kind])
        self.width = width or (64 if self.data.kind == "image" else 128)

    @property
    def objective(self):
        """The `keras_tuner.Objective` that `fit` reports: `score` (max) for
        mode coverage, `frechet_distance` (min) otherwise."""
        return scoring.objective(self.data.mixture)

    # --------------------------------------------------------------- space --
    def _hp(self, hp, name):
        dim = space.SEARCH_SPACE[name]
        if name in self.fixed:
            return hp.Fixed(name, self.fixed[name])
        domain = self.domains[name]
        if isinstance(domain, tuple):
            low, high = domain
            if dim.kind == "int":
                return hp.Int(name, low, high, sampling="log" if dim.log else "linear")
            return hp.Float(name, low, high, sampling="log" if dim.log else "linear")
        return hp.Choice(name, domain)

    def _scoped(self, hp, name):
        """Declares `name` under its parent's conditional scope; None when the
        parent cannot take an activating value (then it is not declared)."""
        parent, parent_values = space.SEARCH_SPACE[name].parent
        values = [v for v in parent_values if v in self.domains[parent]]
        if not values:
            return None
        with hp.conditional_scope(parent, values):
            return self._hp(hp, name)

    def hyperparameters(self, hp):
        """Declares the search space on `hp` and returns the active values as
        a dict (inactive ones are None)."""
        values = {"objective": self._hp(hp, "objective")}
        values["gan_loss"] = self._scoped(hp, "gan_loss")
        values["divergence"] = self._scoped(hp, "divergence")
        values["generator_loss"] = self._scoped(hp, "generator_loss")
        values["lipschitz"] = self._scoped(hp, "lipschitz")
        values["n_critic"] = self._scoped(hp, "n_critic")
        constrained = [o for o in space.takers("lipschitz") if o in self.domains["objective"]]
        if constrained:
            with hp.conditional_scope("objective", constrained):
                values["clip_value"] = self._scoped(hp, "clip_value")
                values["penalty_weight"] = self._scoped(hp, "penalty_weight")
        for name in ("d_learning_rate", "g_learning_rate", "beta_1", "beta_2",
                     "latent_dim", "width_multiplier"):
            values[name] = self._hp(hp, name)
        return values

    # --------------------------------------------------------------- build --
    def build(self, hp):
        """Builds and compiles the model that `hp` describes."""
        values = self.hyperparameters(hp)
        _seed_everything(self.seed)
        model = self._make_model(values)
        model.compile(
            d_optimizer=self._optimizer(values, "d_learning_rate"),
            g_optimizer=self._optimizer(values, "g_learning_rate"),
            jit_compile=self.jit_compile,
        )
        return model

    @staticmethod
    def _optimizer(values, rate):
        return keras.optimizers.Adam(
            values[rate], beta_1=values["beta_1"], beta_2=values["beta_2"]
        )

    def _make_model(self, values):
        objective = values["objective"]
        width = max(1, int(round(self.width * values["width_multiplier"])))
        nets = builders.reference_networks(
            objective, self.data.sample_shape, int(values["latent_dim"]), width, self.depth
        )
        settings = {"seed": self.seed}
        for parameter in registry.family(objective).parameters:
            if parameter in registry.STRENGTH_KEYS or parameter in space.UNSEARCHED:
                continue  # in the Lipschitz constraint `_lipschitz` builds, or left at its default
            settings[parameter] = (
                self._lipschitz(values) if parameter == "lipschitz"
                else values[space.FAMILY_DIMENSIONS[parameter]]
            )
        return builders.assemble(objective, nets, **settings)

    @staticmethod
    def _lipschitz(values):
        name = values["lipschitz"]
        if name == "weight_clip":
            return lipschitz_lib.WeightClip(values["clip_value"])
        if name in space.PENALTIES:
            return lipschitz_lib.GradientPenalty(
                values["penalty_weight"], one_sided=name == "one_sided_penalty"
            )
        return lipschitz_lib.get(name)

    # ----------------------------------------------------------------- fit --
    def fit(self, hp, model, *args, **kwargs):
        """Trains `model` and returns its sample-quality metrics.

        Takes the training data from the hypermodel unless given as the first
        positional argument or `x=`. `epochs` defaults to the hypermodel's;
        `initial_epoch` (passed by Hyperband with `epochs`), `callbacks` (the
        tuner's checkpointing) and other `keras.Model.fit` arguments are
        forwarded.

        Returns:
            A dict: `score`, `modes`, `high_quality`, `kl` for mode coverage;
            `frechet_distance` otherwise.

        Raises:
            keras_tuner.errors.FailedTrialError: training raised, or the
                losses, samples or score are not finite.
        """
        del hp
        x = kwargs.pop("x", None)
        if args:
            x, args = args[0], args[1:]
        if args:
            raise ValueError(
                "GANHyperModel.fit takes at most the training data positionally; "
                f"pass other arguments by name. Received {len(args)} more."
            )
        x = self.data.x_train if x is None else x
        kwargs.setdefault("epochs", self.epochs)
        kwargs.setdefault("batch_size", self.batch_size)
        kwargs.setdefault("verbose", 0)
        kwargs.pop("y", None)
        _seed_everything(self.seed)
        try:
            model.fit(x, **kwargs)
        except (keras_tuner.errors.FailedTrialError, keras_tuner.errors.FatalError):
            raise
        except FloatingPointError as error:  # the models' NonFiniteLossError
            raise keras_tuner.errors.FailedTrialError(f"training diverged: {error}") from error
        except Exception as error:  # noqa: BLE001 - the trial fails, the search goes on
            raise keras_tuner.errors.FailedTrialError(
                f"training raised {type(error).__name__}: {error}"
            ) from error
        return self.evaluate(model)


    def evaluate(self, model):
        """The metrics `fit` returns, for a trained `model` (see
        `keras_fgan.tuning.scoring.sample_quality`). Raises `FailedTrialError`
        when they are not finite."""
        return scoring.sample_quality(model, self.data, num_samples=self.eval_samples, seed=self.seed)
