"""JAX gradient mechanics: a pure `train_step(state, data)`.

The whole adversarial step runs inside one `keras.StatelessScope` that maps
every model, optimizer and metric variable to its current traced value. Each
`_optimize` call differentiates the loss with `jax.value_and_grad` with
respect to one variable group, adopts the state updates made in the forward
pass (BatchNorm statistics, RNG seeds), and applies its optimizer with
`stateless_apply`, writing the new values back into the scope. Both
optimizers' variables travel in the state through `model.optimizer`, an
`OptimizerPair` whose `variables` joins the two, so their moments and
iteration counters advance across jitted steps.
"""

import jax
import jax.numpy as jnp
import keras

_SCOPES = []


def _current_scope():
    if not _SCOPES:
        raise RuntimeError(
            "keras-fgan's JAX trainer functions can only run inside "
            "`train_step` (for example through `model.fit`)."
        )
    return _SCOPES[-1]


def _nested_scope(outer, overrides=()):
    """A StatelessScope that sees the outer scope's values plus overrides."""
    scope = keras.StatelessScope()
    scope.state_mapping = dict(outer.state_mapping)
    scope.state_mapping.update(overrides)
    return scope


def input_gradients(fn, x):
    """d sum(fn(x)) / dx via `jax.grad`, differentiable again by an outer
    `jax.grad`. Inside a training step, state updates made inside `fn` are
    discarded; outside one, `fn` must be stateless (a pure function of x).

    Inside a step the result is differentiated reverse-over-forward
    (`_reverse_over_forward`) with respect to `x` and every float value of
    the step's state (the discriminator's weights among them)."""
    if not _SCOPES:
        return jax.grad(lambda x: jnp.sum(fn(x)))(x)
    outer = _SCOPES[-1]
    keys = [key for key, value in outer.state_mapping.items() if _is_float(value)]

    def total(x, values):
        with _nested_scope(outer, zip(keys, values)):
            return jnp.sum(fn(x))

    return _reverse_over_forward(total)(x, [outer.state_mapping[key] for key in keys])


def _is_float(value):
    return hasattr(value, "dtype") and jnp.issubdtype(value.dtype, jnp.inexact)


def _reverse_over_forward(total):
    """`(x, values) -> d total(x, values) / dx` whose vector-Jacobian product
    with a cotangent c is the gradient, with respect to x and values, of the
    directional derivative `<d total / dx, c>` (`jax.jvp`, forward mode).

    This is the same derivative that differentiating `jax.grad` again
    computes (reverse over reverse), by the symmetry of second derivatives,
    but it runs the networks' ordinary forward and backward operations
    only. Differentiating a gradient penalty reverse over reverse
    differentiates the backward pass of a strided convolution (a transposed
    convolution) with respect to its kernel, which XLA runs ~20x slower on
    CPU: measured on `dcgan28_discriminator` at batch 64 (one CPU, jit),
    the gradient of a WGAN-GP penalty took 274 ms reverse over reverse and
    74 ms this way, equal to 2e-6 relative. (Forward-mode differentiation
    of the result, `jax.jvp`, is not supported, as for any `custom_vjp`.)
    """

    @jax.custom_vjp
    def gradient(x, values):
        return jax.grad(total)(x, values)

    def forward(x, values):
        return gradient(x, values), (x, values)

    def backward(residuals, cotangent):
        x, values = residuals

        def directional(x, values):
            return jax.jvp(lambda x: total(x, values), (x,), (cotangent,))[1]

        return jax.grad(directional, argnums=(0, 1))(x, values)

    gradient.defvjp(forward, backward)
    return gradient


class AdversarialTrainer:
    """`train_step(state, data) -> (logs, state)` for Keras' JAX trainer."""

    def _state_groups(self):
        return (
            self.trainable_variables,
            self.non_trainable_variables,
            self.optimizer.variables,
            self.metrics_variables,
        )

    def train_step(self, state, data):
        return self._stateless_run(self.adversarial_step, self._state_groups(), state, data)

    def test_step(self, state, data):
        groups = (self.trainable_variables, self.non_trainable_variables, self.metrics_variables)
        return self._stateless_run(self.evaluation_step, groups, state, data)

    def _stateless_run(self, step, groups, state, data):
        """Runs `step(data)` with `groups` of variables mapped to the values
        in `state`; returns its logs and the new values, group by group."""
        mapping = [
            pair for variables, values in zip(groups, state)
            for pair in zip(variables, values)
        ]
        with keras.StatelessScope(state_mapping=mapping) as scope:
            _SCOPES.append(scope)
            try:
                logs = step(data)
            finally:
                _SCOPES.pop()
        new_state = tuple(
            [scope.get_current_value(v) for v in variables] for variables in groups
        )
        return logs, new_state

    def _shard_latent(self, sample, batch_size):
        """Draws the latent batch (JAX shards it like the data under
        `keras.distribution`; PyTorch runs on one device)."""
        return sample(batch_size)

    def _optimize(self, loss_fn, variables, optimizer, *args):
        scope = _current_scope()
        state = scope.state_mapping
        var_ids = [id(v) for v in variables]

        def scaled_loss(values):
            with _nested_scope(scope, zip(var_ids, values)) as inner:
                # input_gradients must see the differentiated `values`.
                _SCOPES.append(inner)
                try:
                    loss, logs = loss_fn(*args)
                finally:
                    _SCOPES.pop()
                scaled = optimizer.scale_loss(loss)
            updates = {
                key: value
                for key, value in inner.state_mapping.items()
                if key not in var_ids and value is not state.get(key)
            }
            return scaled, (logs, updates)

        values = [state[key] for key in var_ids]
        (_, (logs, updates)), grads = jax.value_and_grad(scaled_loss, has_aux=True)(
            values
        )
        state.update(updates)
        opt_ids = [id(v) for v in optimizer.variables]
        new_values, new_opt_values = optimizer.stateless_apply(
            [state[key] for key in opt_ids], grads, values
        )
        state.update(zip(var_ids, new_values))
        state.update(zip(opt_ids, new_opt_values))
        return logs
