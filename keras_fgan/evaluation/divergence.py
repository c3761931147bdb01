"""Variational estimation of an f-divergence from two samples."""

import numpy as np

import keras
from keras import ops

from keras_fgan import divergences


def _as_2d(samples, name):
    samples = np.asarray(samples, dtype="float32")
    if samples.ndim == 1:
        samples = samples[:, None]
    if samples.ndim != 2 or samples.shape[0] < 2:
        raise ValueError(
            f"`{name}` must be an array of shape (n,) or (n, d) with n >= 2. "
            f"Received shape {samples.shape}."
        )
    if not np.all(np.isfinite(samples)):
        raise ValueError(f"`{name}` contains NaN or inf values.")
    return samples


def _variational_loss(divergence, p_weight, q_weight):
    """Per-sample negated bound: -w_p g_f(V) on P samples (y = 1),
    +w_q f*(g_f(V)) on Q samples (y = 0). Its batch mean is an unbiased
    estimate of -(E_P[g_f(V)] - E_Q[f*(g_f(V))])."""

    def loss(y_true, v):
        y = ops.cast(ops.reshape(y_true, (-1,)), "float32")
        v = ops.cast(ops.reshape(v, (-1,)), "float32")
        return -y * p_weight * divergence.activation(v) + (
            1.0 - y
        ) * q_weight * divergence.conjugate_of_activation(v)

    return loss


def estimate_divergence(
    p_samples,
    q_samples,
    divergence,
    *,
    width=64,
    depth=2,
    epochs=20,
    batch_size=1024,
    learning_rate=1e-2,
    seed=0,
    return_critic=False,
):
    """Estimates D_f(P || Q) by maximising the variational lower bound.

    Trains a small MLP critic V on the f-GAN objective

        D_f(P || Q) >= sup_T E_P[T(x)] - E_Q[f*(T(x))],  T = g_f(V)

    and returns the bound at the trained critic, evaluated on the given
    samples. Because the critic class is restricted, the value is a lower
    bound up to sampling noise (Nguyen et al. 2010).

    Args:
        p_samples: samples of P, shape (n,) or (n, d).
        q_samples: samples of Q, shape (m,) or (m, d).
        divergence: a divergence name or `FDivergence`.
        width: hidden units per layer of the critic.
        depth: hidden layers of the critic.
        epochs: passes over the pooled samples.
        batch_size: minibatch size.
        learning_rate: Adam learning rate (decayed by cosine schedule).
        seed: seed for the critic's initialisation and shuffling.
        return_critic: also return the trained critic.

    Returns:
        The estimate, a Python float (and the critic if `return_critic`).

    References:
        Nguyen, Wainwright, Jordan. "Estimating divergence functionals and the
        likelihood ratio by convex risk minimization." IEEE Trans. IT 2010.
        Nowozin, Cseke, Tomioka. "f-GAN." NeurIPS 2016, Eq. 4.
    """
    divergence = divergences.get(divergence)
    p = _as_2d(p_samples, "p_samples")
    q = _as_2d(q_samples, "q_samples")
    if p.shape[1] != q.shape[1]:
        raise ValueError(
            f"`p_samples` and `q_samples` must have the same dimension; got "
            f"{p.shape[1]} and {q.shape[1]}."
        )
    n_p, n_q = len(p), len(q)
    x = np.concatenate([p, q])
    y = np.concatenate([np.ones(n_p, "float32"), np.zeros(n_q, "float32")])
    # Standardise inputs with the pooled statistics (an invertible map, so
    # the divergence is unchanged) to condition the critic's training.
    mean, std = x.mean(0), x.std(0) + 1e-8
    x = (x - mean) / std

    keras.utils.set_random_seed(seed)
    inputs = keras.Input((x.shape[1],))
    h = inputs
    for _ in range(depth):
        h = keras.layers.Dense(width, activation="tanh")(h)
    critic = keras.Model(inputs, keras.layers.Dense(1)(h))
    steps = epochs * int(np.ceil(len(x) / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, steps, alpha=0.05)
    n = n_p + n_q
    critic.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss=_variational_loss(divergence, n / n_p, n / n_q),
    )
    critic.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=0)

    v = critic.predict(x, batch_size=4096, verbose=0).reshape(-1)
    t_p = ops.convert_to_numpy(divergence.activation(v[:n_p]))
    f_q = ops.convert_to_numpy(divergence.conjugate_of_activation(v[n_p:]))
    estimate = float(np.mean(t_p, dtype="float64") - np.mean(f_q, dtype="float64"))
    return (estimate, critic) if return_critic else estimate
