"""Hand-written training loops, one per backend, for `benchmarks/performance.py`.

Each loop trains the same Keras networks with the same objective and
hyper-parameters as the keras-fgan model, using only the backend's own
machinery: `tf.GradientTape` inside one `tf.function` (TensorFlow),
`jax.value_and_grad` inside one `jax.jit` with a hand-written Adam (JAX),
and `torch.autograd` with `torch.optim.Adam` in eager mode (PyTorch). The
loss formulas are `keras_fgan.objectives` (plain `keras.ops` math, which runs
on native tensors); the gradient penalty's input gradient is each backend's
own double backprop.

A loop is built by `make_native_step(spec)` and returns `step(real)`; `sync()`
waits for the device. `spec` holds the networks (`G`, `D`, and for BiGAN `E`),
the objective, `n_d` (critic steps per generator step), the latent size and
prior, the optimizer (`"adam"` with `beta_1`/`beta_2`, or `"rmsprop"` with
`rho`, both written out as Keras defines them; PyTorch uses `torch.optim`)
and `d_constraint`, a `keras_fgan.lipschitz` constraint (weight clipping or
spectral norm) projected onto the critic's variables after each critic
update, as Keras optimizers apply variable constraints, or None. With
`torch_nn` set, the PyTorch loop runs `torch.nn` copies of the (MLP)
networks (`torch_module`) instead of the Keras models: the cost of Keras'
own layer calls.
"""

import keras
from keras import ops

from keras_fgan import divergences
from keras_fgan import objectives

GP_WEIGHT = 10.0
NORM_EPSILON = 1e-12
KL = divergences.get("kl")


def losses(objective, nets, real, z, eps, input_grad, stop):
    """(d_loss_fn, g_loss_fn): zero-argument functions giving the
    discriminator and generator losses, written once for every backend.

    `nets` maps "G", "D" (and "E") to callables on native tensors;
    `input_grad(fn, x)` is the backend's d sum(fn(x)) / dx, `stop` its
    stop-gradient, `eps` the per-sample interpolation weights of the
    gradient penalty.
    """
    G, D = nets["G"], nets["D"]
    if objective == "bigan":
        E = nets["E"]
        return (
            lambda: objectives.gan_discriminator_loss(D([real, stop(E(real))]), D([stop(G(z)), z])),
            lambda: objectives.gan_discriminator_loss(D([G(z), z]), D([real, E(real)])),
        )
    if objective in ("gan", "gan_d5"):
        return (
            lambda: objectives.gan_discriminator_loss(D(real), D(stop(G(z)))),
            lambda: objectives.gan_generator_loss(D(G(z)), loss="non_saturating"),
        )
    if objective == "fgan_kl":
        return (
            lambda: -objectives.f_gan_bound(D(real), D(stop(G(z))), KL),
            lambda: objectives.f_gan_generator_loss(D(G(z)), KL, loss="heuristic"),
        )

    def critic_loss():  # WGAN; -GP adds Gulrajani et al. 2017, eq. 3
        fake = stop(G(z))
        loss = objectives.wasserstein_critic_loss(D(real), D(fake))
        if objective != "wgan_gp":
            return loss  # clipping / spectral norm: a projection after the update
        grads = input_grad(D, eps * real + (1.0 - eps) * fake)
        squares = ops.reshape(ops.square(grads), (ops.shape(grads)[0], -1))
        norms = ops.sqrt(ops.sum(squares, axis=1) + NORM_EPSILON)
        return loss + GP_WEIGHT * ops.mean(ops.square(norms - 1.0))

    return critic_loss, lambda: objectives.wasserstein_generator_loss(D(G(z)))


def _groups(spec):
    d_nets = ["D"]
    g_nets = ["G", "E"] if spec["objective"] == "bigan" else ["G"]
    return d_nets, g_nets


def _constrained(spec, variables):
    """Flags: which of the critic's Keras variables `d_constraint` projects."""
    constraint = spec.get("d_constraint")
    return [constraint is not None and constraint.constrains(v) for v in variables]


def _eps_shape(real):
    return (real.shape[0],) + (1,) * (len(real.shape) - 1)


def make_native_step(spec):
    backend = keras.backend.backend()
    return {"tensorflow": _tensorflow, "jax": _jax, "torch": _torch}[backend](spec)


# ------------------------------------------------------------- TensorFlow --
def _tensorflow(spec):
    import tensorflow as tf

    nets = {k: spec[k] for k in ("G", "D", "E") if k in spec}
    d_names, g_names = _groups(spec)
    d_keras = [v for k in d_names for v in nets[k].trainable_variables]
    d_vars = [v.value for v in d_keras]
    g_vars = [v.value for k in g_names for v in nets[k].trainable_variables]
    d_opt = _tf_optimizer(spec, d_vars)
    g_opt = _tf_optimizer(spec, g_vars)
    project = [(v, on) for v, on in zip(d_vars, _constrained(spec, d_keras)) if on]
    calls = {k: (lambda net: lambda x: net(x, training=True))(n) for k, n in nets.items()}

    def input_grad(fn, x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            total = tf.reduce_sum(fn(x))
        return tape.gradient(total, x)

    def sample(batch):
        if spec["prior"] == "uniform":
            return tf.random.uniform((batch, spec["latent_dim"]), -1.0, 1.0)
        return tf.random.normal((batch, spec["latent_dim"]))

    @tf.function(jit_compile=False)
    def step(real):
        batch = tf.shape(real)[0]
        for _ in range(spec["n_d"]):
            z, eps = sample(batch), tf.random.uniform(_eps_shape(real))
            d_loss_fn, _ = losses(spec["objective"], calls, real, z, eps, input_grad, tf.stop_gradient)
            with tf.GradientTape() as tape:
                d_loss = d_loss_fn()
            d_opt(tape.gradient(d_loss, d_vars))
            for var, _ in project:
                var.assign(spec["d_constraint"](var))
        _, g_loss_fn = losses(spec["objective"], calls, real, sample(batch), None, input_grad, tf.stop_gradient)
        with tf.GradientTape() as tape:
            g_loss = g_loss_fn()
        g_opt(tape.gradient(g_loss, g_vars))
        return d_loss, g_loss

    return step, lambda out: [t.numpy() for t in out]


def _tf_optimizer(spec, variables):
    """Adam (Kingma & Ba 2015, Algorithm 1) or RMSprop (Tieleman & Hinton
    2012) on tf.Variables, eps 1e-7 and placed as in Keras."""
    import tensorflow as tf

    lr = spec["lr"]
    if spec["optimizer"] == "rmsprop":
        rho = spec["rho"]
        s = [tf.Variable(tf.zeros_like(v), trainable=False) for v in variables]

        def apply_rmsprop(grads):
            for var, grad, s_i in zip(variables, grads, s):
                s_i.assign(rho * s_i + (1.0 - rho) * tf.square(grad))
                var.assign_sub(lr * grad / tf.sqrt(s_i + 1e-7))

        return apply_rmsprop
    b1, b2 = spec["beta_1"], spec["beta_2"]
    m = [tf.Variable(tf.zeros_like(v), trainable=False) for v in variables]
    s = [tf.Variable(tf.zeros_like(v), trainable=False) for v in variables]
    t = tf.Variable(0.0, trainable=False)

    def apply(grads):
        t.assign_add(1.0)
        scale = lr * tf.sqrt(1.0 - b2**t) / (1.0 - b1**t)
        for var, grad, m_i, s_i in zip(variables, grads, m, s):
            m_i.assign(b1 * m_i + (1.0 - b1) * grad)
            s_i.assign(b2 * s_i + (1.0 - b2) * tf.square(grad))
            var.assign_sub(scale * m_i / (tf.sqrt(s_i) + 1e-7))

    return apply


# -------------------------------------------------------------------- JAX --
def _jax(spec):
    import jax
    import jax.numpy as jnp

    nets = {k: spec[k] for k in ("G", "D", "E") if k in spec}
    d_names, g_names = _groups(spec)
    project = {k: _constrained(spec, nets[k].trainable_variables) for k in d_names}
    lr = spec["lr"]

    def values(vs):
        return [v.value for v in vs]

    state = {
        "tv": {k: values(n.trainable_variables) for k, n in nets.items()},
        "ntv": {k: values(n.non_trainable_variables) for k, n in nets.items()},
    }
    for group, names in (("d", d_names), ("g", g_names)):
        zeros = {k: [jnp.zeros_like(v) for v in state["tv"][k]] for k in names}
        state[group + "_opt"] = {"m": zeros, "s": jax.tree.map(jnp.zeros_like, zeros), "t": jnp.zeros(())}
    state["key"] = jax.random.PRNGKey(0)

    def calls(tv, ntv, updates):
        def make(k):
            def call(x):
                out, new = nets[k].stateless_call(tv[k], updates.get(k, ntv[k]), x, training=True)
                updates[k] = new
                return out

            return call

        return {k: make(k) for k in nets}

    def input_grad(fn, x):
        return jax.grad(lambda x_: jnp.sum(fn(x_)))(x)

    def sample(key, batch):
        if spec["prior"] == "uniform":
            return jax.random.uniform(key, (batch, spec["latent_dim"]), minval=-1.0, maxval=1.0)
        return jax.random.normal(key, (batch, spec["latent_dim"]))

    def optimizer(params, grads, opt):
        if spec["optimizer"] == "rmsprop":
            rho = spec["rho"]
            s = jax.tree.map(lambda s_, g: rho * s_ + (1 - rho) * g * g, opt["s"], grads)
            params = jax.tree.map(lambda p, g, s_: p - lr * g / jnp.sqrt(s_ + 1e-7), params, grads, s)
            return params, {**opt, "s": s}
        b1, b2 = spec["beta_1"], spec["beta_2"]
        t = opt["t"] + 1.0
        m = jax.tree.map(lambda m_, g: b1 * m_ + (1 - b1) * g, opt["m"], grads)
        s = jax.tree.map(lambda s_, g: b2 * s_ + (1 - b2) * g * g, opt["s"], grads)
        scale = lr * jnp.sqrt(1 - b2**t) / (1 - b1**t)
        params = jax.tree.map(lambda p, m_, s_: p - scale * m_ / (jnp.sqrt(s_) + 1e-7), params, m, s)
        return params, {"m": m, "s": s, "t": t}

    def group_loss(which, names, state, real, z, eps):
        def fn(sub):
            tv = {**state["tv"], **sub}
            updates = {}
            d_loss_fn, g_loss_fn = losses(spec["objective"], calls(tv, state["ntv"], updates), real, z, eps,
                                          input_grad, jax.lax.stop_gradient)
            return (d_loss_fn() if which == "d" else g_loss_fn()), updates

        return jax.value_and_grad(fn, has_aux=True)({k: state["tv"][k] for k in names})

    @jax.jit
    def step(state, real):
        batch = real.shape[0]
        for _ in range(spec["n_d"]):
            key, kz, ke, state["key"] = jax.random.split(state["key"], 4)
            z, eps = sample(kz, batch), jax.random.uniform(ke, _eps_shape(real))
            (d_loss, updates), grads = group_loss("d", d_names, state, real, z, eps)
            new, state["d_opt"] = optimizer({k: state["tv"][k] for k in d_names}, grads, state["d_opt"])
            new = {k: [spec["d_constraint"](p) if on else p for p, on in zip(ps, project[k])]
                   for k, ps in new.items()}
            state["tv"] = {**state["tv"], **new}
            state["ntv"] = {**state["ntv"], **updates}
        kz, state["key"] = jax.random.split(state["key"])
        (g_loss, updates), grads = group_loss("g", g_names, state, real, sample(kz, batch), None)
        new, state["g_opt"] = optimizer({k: state["tv"][k] for k in g_names}, grads, state["g_opt"])
        state["tv"] = {**state["tv"], **new}
        state["ntv"] = {**state["ntv"], **updates}
        return state, (d_loss, g_loss)

    holder = {"state": state}

    def run(real):
        holder["state"], out = step(holder["state"], real)
        return out

    run.lowered = lambda real: step.lower(holder["state"], real)
    return run, lambda out: [jax.block_until_ready(t) for t in out]


# ---------------------------------------------------------------- PyTorch --
def _torch(spec):
    import torch

    nets = {k: spec[k] for k in ("G", "D", "E") if k in spec}
    d_names, g_names = _groups(spec)
    if spec.get("torch_nn"):  # the same MLPs as torch.nn modules, without Keras
        if spec.get("d_constraint") is not None:
            raise ValueError("`torch_nn` loops take no critic constraint.")
        calls = {k: torch_module(n).train() for k, n in nets.items()}
        params = {k: list(m.parameters()) for k, m in calls.items()}
        project = []
    else:
        calls = {k: (lambda net: lambda x: net(x, training=True))(n) for k, n in nets.items()}
        params = {k: [v.value for v in n.trainable_variables] for k, n in nets.items()}
        d_keras = [v for k in d_names for v in nets[k].trainable_variables]
        project = [v.value for v, on in zip(d_keras, _constrained(spec, d_keras)) if on]
    d_params = [p for k in d_names for p in params[k]]
    g_params = [p for k in g_names for p in params[k]]
    d_opt, g_opt = (_torch_optimizer(spec, group) for group in (d_params, g_params))

    def input_grad(fn, x):
        x = x.detach().requires_grad_(True)
        return torch.autograd.grad(fn(x).sum(), x, create_graph=True)[0]

    def sample(batch):
        if spec["prior"] == "uniform":
            return torch.rand(batch, spec["latent_dim"]) * 2.0 - 1.0
        return torch.randn(batch, spec["latent_dim"])

    def update(loss, params, opt, projected=()):
        for param, grad in zip(params, torch.autograd.grad(loss, params, allow_unused=True)):
            param.grad = grad
        opt.step()
        with torch.no_grad():
            for param in projected:
                param.copy_(spec["d_constraint"](param))

    def step(real):
        batch = real.shape[0]
        for _ in range(spec["n_d"]):
            d_loss_fn, _ = losses(spec["objective"], calls, real, sample(batch), torch.rand(_eps_shape(real)),
                                  input_grad, torch.Tensor.detach)
            d_loss = d_loss_fn()
            update(d_loss, d_params, d_opt, project)
        _, g_loss_fn = losses(spec["objective"], calls, real, sample(batch), None, input_grad, torch.Tensor.detach)
        g_loss = g_loss_fn()
        update(g_loss, g_params, g_opt)
        return d_loss.detach(), g_loss.detach()

    return step, lambda out: [float(t) for t in out]


def _torch_optimizer(spec, params):
    """torch.optim Adam or RMSprop (eps 1e-7; RMSprop adds it outside the
    square root, Keras inside: the same work per step)."""
    import torch

    if spec["optimizer"] == "rmsprop":
        return torch.optim.RMSprop(params, lr=spec["lr"], alpha=spec["rho"], eps=1e-7)
    return torch.optim.Adam(params, lr=spec["lr"], betas=(spec["beta_1"], spec["beta_2"]), eps=1e-7)


def torch_module(model):
    """A `torch.nn.Sequential` computing the same function as a Keras MLP
    made of Dense (linear or ReLU), BatchNormalization, ReLU and LeakyReLU
    layers, with its weights copied: a PyTorch loop without Keras' per-layer
    call machinery."""
    import torch

    modules = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        if kind == "Dense":
            kernel = layer.kernel.value.detach()
            linear = torch.nn.Linear(*kernel.shape, bias=layer.use_bias)
            with torch.no_grad():
                linear.weight.copy_(kernel.T)
                if layer.use_bias:
                    linear.bias.copy_(layer.bias.value.detach())
            modules.append(linear)
            activation = layer.activation.__name__
            if activation not in ("linear", "relu"):
                raise ValueError(f"Unsupported Dense activation: {activation}")
            if activation == "relu":
                modules.append(torch.nn.ReLU())
        elif kind == "BatchNormalization":
            norm = torch.nn.BatchNorm1d(layer.gamma.shape[0], eps=layer.epsilon, momentum=1.0 - layer.momentum)
            with torch.no_grad():
                for target, source in ((norm.weight, layer.gamma), (norm.bias, layer.beta),
                                       (norm.running_mean, layer.moving_mean),
                                       (norm.running_var, layer.moving_variance)):
                    target.copy_(source.value.detach())
            modules.append(norm)
        elif kind == "ReLU":
            modules.append(torch.nn.ReLU())
        elif kind == "LeakyReLU":
            modules.append(torch.nn.LeakyReLU(layer.negative_slope))
        else:
            raise ValueError(f"Unsupported layer for a torch.nn copy: {kind}")
    return torch.nn.Sequential(*modules)
