"""Two optimizers presented to Keras' trainers as one `model.optimizer`."""


class OptimizerPair:
    """The discriminator's and the generator's optimizers, as `model.optimizer`.

    Keras' trainers expect a single `model.optimizer`. JAX in particular
    carries only `model.optimizer.variables` through a jitted step, so both
    optimizers' variables must appear there or their moments and iteration
    counters would silently reset. This container joins the two; each
    optimizer is built on (and only ever updates) its own variable group.

    Args:
        d_optimizer: optimizer of the discriminator / critic.
        g_optimizer: optimizer of the generator (and encoder, for BiGAN).
        d_variables: callable returning the discriminator's trainable
            variables, in a fixed order.
        g_variables: likewise for the generator side.
    """

    def __init__(self, d_optimizer, g_optimizer, d_variables, g_variables):
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self._d_variables = d_variables
        self._g_variables = g_variables

    @property
    def variables(self):
        return list(self.d_optimizer.variables) + list(self.g_optimizer.variables)

    @property
    def built(self):
        return self.d_optimizer.built and self.g_optimizer.built

    def build(self, variables=None):
        """Builds both optimizers on their own groups (`variables` is ignored:
        Keras passes all trainable variables of the model)."""
        if not self.d_optimizer.built:
            self.d_optimizer.build(self._d_variables())
        if not self.g_optimizer.built:
            self.g_optimizer.build(self._g_variables())

    @property
    def iterations(self):
        """Generator updates so far (the discriminator's count is
        `d_optimizer.iterations`)."""
        return self.g_optimizer.iterations

    def scale_loss(self, loss):
        return loss

    @property
    def learning_rate(self):
        raise AttributeError(
            "An adversarial model has two optimizers: use "
            "`model.d_optimizer.learning_rate` or `model.g_optimizer.learning_rate`."
        )

    def __repr__(self):
        return f"OptimizerPair(d={self.d_optimizer.name}, g={self.g_optimizer.name})"
