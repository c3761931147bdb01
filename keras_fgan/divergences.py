"""f-divergences: generator f, Fenchel conjugate f*, output activation g_f.

Every divergence of the theory table (Nowozin et al. 2016, Table 1 and 2) is a
small `FDivergence` subclass registered by name. All methods take and return
backend tensors and are written with `keras.ops`, so they run unchanged on
TensorFlow, JAX and PyTorch.

The f-GAN objective (Nowozin et al. 2016, Eq. 6) needs two functions of the
discriminator's raw output `v`:

- `activation(v)`: `T = g_f(v)`, which maps all of R into dom f*;
- `conjugate_of_activation(v)`: `f*(g_f(v))`, fused and simplified in
  softplus / log-sum-exp form so that it stays finite where the composition of
  the two naive formulas overflows (for example, for `gan`,
  `f*(g_f(v)) = softplus(v)`).

Output bound. For the divergences whose conjugate grows exponentially
(`kl`, `reverse_kl`, `neyman`, `squared_hellinger`, `jeffrey`, `alpha`), a
float32 value must overflow once `|v|` passes about 88. Rather than let the
loss become `inf`, those divergences restrict the discriminator's output to
`[-OUTPUT_BOUND, OUTPUT_BOUND]` (`OUTPUT_BOUND = 30`; for `alpha` tighter where
the exponent `alpha / (alpha - 1)` is large) before applying `g_f`. This is a
restriction of the variational function class `T`, so the f-GAN objective
remains a valid lower bound of the divergence; it binds only where the optimal
critic `T* = f'(p/q)` would need a log density ratio beyond about 30 nats
(a ratio near 1e13). The bound is set so that not only the loss and its
gradient (at most e^30 ~ 1e13) but also an optimizer's squared-gradient
moments (at most ~1e26) stay finite in float32; with a looser bound a single
extreme batch overflows Adam's second moment and turns the weights to NaN.
Values and gradients stay finite for every `|v| <= 1e4` (the gradient is
zero outside the bound, as for any clipped output).

References:
    Nowozin, Cseke, Tomioka. "f-GAN: Training Generative Neural Samplers
    using Variational Divergence Minimization." NeurIPS 2016.
    Nguyen, Wainwright, Jordan. "Estimating divergence functionals and the
    likelihood ratio by convex risk minimization." IEEE Trans. IT 2010.
"""

import math

from keras import ops

OUTPUT_BOUND = 30.0
"""Bound on |v| for divergences whose conjugate grows exponentially."""

_EXP_LIMIT = 30.0  # largest exponent evaluated: e^30 ~ 1.1e13, squared < float32 max


class Interval:
    """An interval of the real line, used for dom f*.

    Args:
        low: lower end (may be `-inf`).
        high: upper end (may be `inf`).
        closed: whether finite ends belong to the interval.
    """

    def __init__(self, low=-math.inf, high=math.inf, closed=False):
        self.low = float(low)
        self.high = float(high)
        self.closed = closed

    def contains(self, t):
        """Elementwise membership test (a boolean tensor)."""
        t = ops.convert_to_tensor(t)
        if self.closed:
            return ops.logical_and(t >= self.low, t <= self.high)
        return ops.logical_and(t > self.low, t < self.high)

    def __repr__(self):
        left = "[" if self.closed and math.isfinite(self.low) else "("
        right = "]" if self.closed and math.isfinite(self.high) else ")"
        return f"{left}{self.low}, {self.high}{right}"


def _log_softplus(x):
    """log(softplus(x)), accurate for very negative x (where it is ~x)."""
    small = x < -30.0
    x_safe = ops.where(small, ops.zeros_like(x), x)
    return ops.where(small, x, ops.log(ops.softplus(x_safe)))


def _log1mexp_neg(a):
    """log(1 - exp(-a)) for a > 0, stable at both ends (Maechler 2012)."""
    a = ops.maximum(a, 1e-30)
    near_zero = a < math.log(2.0)
    a_near = ops.where(near_zero, a, ops.ones_like(a))
    a_far = ops.where(near_zero, ops.ones_like(a), a)
    return ops.where(
        near_zero, ops.log(-ops.expm1(-a_near)), ops.log1p(-ops.exp(-a_far))
    )


def _inf_like(t):
    return ops.full_like(t, math.inf)


def _lambert_w_exp(s, iterations=8):
    """W(exp(s)), the Lambert W function at e^s, computed in log space.

    Solves y + exp(y) = s for y = log W(e^s) by Newton's method, which is
    quadratically convergent from the initial guesses below, and returns
    (W, log W). Finite for all finite s.
    """
    large = s > 1.0
    s_large = ops.where(large, s, 2.0 * ops.ones_like(s))
    s_small = ops.where(large, ops.zeros_like(s), s)
    y = ops.where(
        large,
        ops.log(s_large - ops.log(s_large)),
        _log_softplus(s_small),
    )
    for _ in range(iterations):
        e = ops.exp(ops.minimum(y, _EXP_LIMIT))
        y = y - (y + e - s) / (1.0 + e)
    return ops.exp(y), y


class FDivergence:
    """Base class: one f-divergence D_f(P || Q) = E_Q[f(p/q)].

    Subclasses implement `f`, `f_prime`, `conjugate`, `activation` and
    `conjugate_of_activation`, and set `name`, `domain` (dom f*) and
    `f_at_one` (0 except for `gan`, where it is -log 4).

    Attributes:
        name: registry name.
        output_bound: `None`, or the bound `B` applied as `clip(v, -B, B)` to
            the discriminator output before `g_f` (see the module docstring).
        mode_seeking: whether minimising D_f(P_data || Q) is mode-seeking
            (zero-forcing) rather than mode-covering.
        default_generator_loss: the f-GAN generator loss that `FGAN` uses
            with `generator_loss="auto"`. The two losses differ by a weight:
            per generated sample, the minimax gradient is the heuristic one
            times the critic's density-ratio estimate r = (f*)'(T) ~ p/q. We
            pick the variant whose weight stays bounded: "heuristic" where
            g_f' is bounded (kl, pearson, the JS family, alpha), "minimax"
            where g_f'(v) grows like exp(-v) and the ratio cancels it
            (reverse_kl, neyman, squared_hellinger), and by measurement for
            jeffrey (see tests/test_fgan_fits.py).
    """

    name = None
    output_bound = None
    f_at_one = 0.0
    mode_seeking = False
    default_generator_loss = "heuristic"

    def get_config(self):
        """Parameters that `get(name, **config)` accepts."""
        return {}

    # --- the three functions of the theory table -------------------------
    def f(self, u):
        """Generator function f(u) for u > 0."""
        raise NotImplementedError

    def f_prime(self, u):
        """Derivative f'(u); `f_prime(p/q)` is the optimal critic T*."""
        raise NotImplementedError

    def conjugate(self, t):
        """Fenchel conjugate f*(t); `+inf` outside dom f*."""
        raise NotImplementedError

    def _activation(self, v):
        raise NotImplementedError

    def _conjugate_of_activation(self, v):
        raise NotImplementedError

    # --- public, bounded versions ----------------------------------------
    def bound_output(self, v):
        """Clip v to the divergence's output bound (identity when none)."""
        v = ops.convert_to_tensor(v)
        if self.output_bound is None:
            return v
        return ops.clip(v, -self.output_bound, self.output_bound)

    def activation(self, v):
        """Output activation T = g_f(v), mapping R into dom f*."""
        return self._activation(self.bound_output(v))

    def conjugate_of_activation(self, v):
        """f*(g_f(v)) in a fused, numerically stable form."""
        return self._conjugate_of_activation(self.bound_output(v))

    def __repr__(self):
        params = ", ".join(f"{k}={v}" for k, v in self.get_config().items())
        return f"FDivergence({self.name!r}{', ' if params else ''}{params})"

    def __eq__(self, other):
        return (
            isinstance(other, FDivergence)
            and other.name == self.name
            and other.get_config() == self.get_config()
        )

    def __hash__(self):
        return hash((self.name, tuple(sorted(self.get_config().items()))))


class TotalVariation(FDivergence):
    """Total variation: f(u) = |u - 1| / 2, g_f(v) = tanh(v) / 2, f*(t) = t."""

    name = "total_variation"
    domain = Interval(-0.5, 0.5, closed=True)

    def f(self, u):
        return 0.5 * ops.abs(u - 1.0)

    def f_prime(self, u):
        return 0.5 * ops.sign(u - 1.0)

    def conjugate(self, t):
        t = ops.convert_to_tensor(t)
        return ops.where(self.domain.contains(t), t, _inf_like(t))

    def _activation(self, v):
        return 0.5 * ops.tanh(v)

    def _conjugate_of_activation(self, v):
        return 0.5 * ops.tanh(v)


class KL(FDivergence):
    """Kullback-Leibler: f(u) = u log u, g_f(v) = v, f*(t) = exp(t - 1)."""

    name = "kl"
    domain = Interval()
    output_bound = OUTPUT_BOUND

    def f(self, u):
        return u * ops.log(u)

    def f_prime(self, u):
        return ops.log(u) + 1.0

    def conjugate(self, t):
        return ops.exp(ops.convert_to_tensor(t) - 1.0)

    def _activation(self, v):
        return v

    def _conjugate_of_activation(self, v):
        return ops.exp(v - 1.0)


class ReverseKL(FDivergence):
    """Reverse KL: f(u) = -log u, g_f(v) = -exp(-v), f*(t) = -1 - log(-t)."""

    name = "reverse_kl"
    default_generator_loss = "minimax"
    domain = Interval(high=0.0)
    output_bound = OUTPUT_BOUND
    mode_seeking = True

    def f(self, u):
        return -ops.log(u)

    def f_prime(self, u):
        return -1.0 / u

    def conjugate(self, t):
        t = ops.convert_to_tensor(t)
        inside = self.domain.contains(t)
        t_safe = ops.where(inside, t, -ops.ones_like(t))
        return ops.where(inside, -1.0 - ops.log(-t_safe), _inf_like(t))

    def _activation(self, v):
        return -ops.exp(-v)

    def _conjugate_of_activation(self, v):
        # -1 - log(exp(-v)) = v - 1
        return v - 1.0


class Pearson(FDivergence):
    """Pearson chi^2: f(u) = (u - 1)^2, g_f(v) = v, f*(t) = t^2 / 4 + t.

    t^2/4 + t is the conjugate over all of R; over u >= 0 the supremum is -1
    for t < -2. Both give a valid bound that is tight at T* = f'(p/q) >= -2.
    """

    name = "pearson"
    domain = Interval()

    def f(self, u):
        return ops.square(u - 1.0)

    def f_prime(self, u):
        return 2.0 * (u - 1.0)

    def conjugate(self, t):
        t = ops.convert_to_tensor(t)
        return 0.25 * ops.square(t) + t

    def _activation(self, v):
        return v

    def _conjugate_of_activation(self, v):
        return 0.25 * ops.square(v) + v


class Neyman(FDivergence):
    """Neyman chi^2: f(u) = (1 - u)^2 / u, g_f(v) = 1 - exp(-v),
    f*(t) = 2 - 2 sqrt(1 - t)."""

    name = "neyman"
    default_generator_loss = "minimax"
    domain = Interval(high=1.0)
    output_bound = OUTPUT_BOUND
    mode_seeking = True

    def f(self, u):
        return ops.square(1.0 - u) / u

    def f_prime(self, u):
        return 1.0 - 1.0 / ops.square(u)

    def conjugate(self, t):
        t = ops.convert_to_tensor(t)
        inside = self.domain.contains(t)
        t_safe = ops.where(inside, t, ops.zeros_like(t))
        return ops.where(inside, 2.0 - 2.0 * ops.sqrt(1.0 - t_safe), _inf_like(t))

    def _activation(self, v):
        return -ops.expm1(-v)

    def _conjugate_of_activation(self, v):
        # 2 - 2 sqrt(exp(-v))
        return 2.0 - 2.0 * ops.exp(-0.5 * v)


class SquaredHellinger(FDivergence):
    """Squared Hellinger: f(u) = (sqrt(u) - 1)^2, g_f(v) = 1 - exp(-v),
    f*(t) = t / (1 - t)."""

    name = "squared_hellinger"
    default_generator_loss = "minimax"
    domain = Interval(high=1.0)
    output_bound = OUTPUT_BOUND

    def f(self, u):
        return ops.square(ops.sqrt(u) - 1.0)

    def f_prime(self, u):
        return 1.0 - 1.0 / ops.sqrt(u)

    def conjugate(self, t):
        t = ops.convert_to_tensor(t)
        inside = self.domain.contains(t)
        t_safe = ops.where(inside, t, ops.zeros_like(t))
        return ops.where(inside, t_safe / (1.0 - t_safe), _inf_like(t))

    def _activation(self, v):
        return -ops.expm1(-v)

    def _conjugate_of_activation(self, v):
        # (1 - e^-v) / e^-v = e^v - 1
        return ops.expm1(v)


class Jeffrey(FDivergence):
    """Jeffrey: f(u) = (u - 1) log u, g_f(v) = v,
    f*(t) = W(e^(1-t)) + 1 / W(e^(1-t)) + t - 2 (W: Lambert W)."""

    name = "jeffrey"
    default_generator_loss = "minimax"
    domain = Interval()
    output_bound = OUTPUT_BOUND

    def f(self, u):
        return (u - 1.0) * ops.log(u)

    def f_prime(self, u):
        return ops.log(u) + 1.0 - 1.0 / u

    def conjugate(self, t):
        t = ops.convert_to_tensor(t)
        w, log_w = _lambert_w_exp(1.0 - t)
        return w + ops.exp(-log_w) + t - 2.0

    def _activation(self, v):
        return v

    def _conjugate_of_activation(self, v):
        return self.conjugate(v)


class JensenShannon(FDivergence):
    """Jensen-Shannon: f(u) = -(u + 1) log((1 + u) / 2) + u log u,
    g_f(v) = log 2 - log(1 + exp(-v)), f*(t) = -log(2 - exp(t))."""

    name = "jensen_shannon"
    domain = Interval(high=math.log(2.0))

    def f(self, u):
        return -(u + 1.0) * ops.log((1.0 + u) / 2.0) + u * ops.log(u)

    def f_prime(self, u):
        return ops.log(2.0 * u / (1.0 + u))

    def conjugate(self, t):
        t = ops.convert_to_tensor(t)
        inside = self.domain.contains(t)
        t_safe = ops.where(inside, t, ops.zeros_like(t))
        return ops.where(inside, -ops.log(2.0 - ops.exp(t_safe)), _inf_like(t))

    def _activation(self, v):
        return math.log(2.0) - ops.softplus(-v)

    def _conjugate_of_activation(self, v):
        # -log(2 - 2 sigmoid(v)) = softplus(v) - log 2
        return ops.softplus(v) - math.log(2.0)


class JensenShannonWeighted(FDivergence):
    """pi-weighted Jensen-Shannon (Nowozin et al. 2016, Sec. 2.4 footnote):
    f(u) = pi u log u - (1 - pi + pi u) log(1 - pi + pi u),
    g_f(v) = -pi log pi - log(1 + exp(-v)),
    f*(t) = (1 - pi) log((1 - pi) / (1 - pi exp(t / pi))).

    Args:
        pi: weight in (0, 1).
    """

    name = "jensen_shannon_weighted"

    def __init__(self, pi=0.5):
        pi = float(pi)
        if not 0.0 < pi < 1.0:
            raise ValueError(
                "`pi` for 'jensen_shannon_weighted' must lie in the open "
                f"interval (0, 1). Received: pi={pi}"
            )
        self.pi = pi
        self.domain = Interval(high=-pi * math.log(pi))

    def get_config(self):
        return {"pi": self.pi}

    def f(self, u):
        pi = self.pi
        m = 1.0 - pi + pi * u
        return pi * u * ops.log(u) - m * ops.log(m)

    def f_prime(self, u):
        pi = self.pi
        return pi * ops.log(u / (1.0 - pi + pi * u))

    def conjugate(self, t):
        t = ops.convert_to_tensor(t)
        pi = self.pi
        inside = self.domain.contains(t)
        t_safe = ops.where(inside, t, ops.zeros_like(t) + self.domain.high - 1.0)
        value = (1.0 - pi) * (
            math.log(1.0 - pi) - ops.log1p(-pi * ops.exp(t_safe / pi))
        )
        return ops.where(inside, value, _inf_like(t))

    def _activation(self, v):
        return -self.pi * math.log(self.pi) - ops.softplus(-v)

    def _conjugate_of_activation(self, v):
        # pi exp(g_f(v) / pi) = exp(-softplus(-v) / pi) = exp(-a), a > 0.
        pi = self.pi
        a = ops.softplus(-v) / pi
        return (1.0 - pi) * (math.log(1.0 - pi) - _log1mexp_neg_from(a, v, pi))


def _log1mexp_neg_from(a, v, pi):
    """log(1 - exp(-a)) for a = softplus(-v) / pi, also where a underflows.

    For large v, softplus(-v) underflows to 0 in float32; there
    log(1 - exp(-a)) ~ log(a) = log_softplus(-v) - log(pi).
    """
    tiny = a < 1e-6
    a_safe = ops.where(tiny, ops.ones_like(a), a)
    return ops.where(
        tiny, _log_softplus(-v) - math.log(pi), _log1mexp_neg(a_safe)
    )


class GAN(FDivergence):
    """The GAN divergence (2 JSD - log 4): f(u) = u log u - (u + 1) log(u + 1),
    g_f(v) = -log(1 + exp(-v)), f*(t) = -log(1 - exp(t)). f(1) = -log 4."""

    name = "gan"
    domain = Interval(high=0.0)
    f_at_one = -math.log(4.0)

    def f(self, u):
        return u * ops.log(u) - (u + 1.0) * ops.log(u + 1.0)

    def f_prime(self, u):
        return ops.log(u / (u + 1.0))

    def conjugate(self, t):
        t = ops.convert_to_tensor(t)
        inside = self.domain.contains(t)
        t_safe = ops.where(inside, t, -ops.ones_like(t))
        return ops.where(inside, -ops.log(-ops.expm1(t_safe)), _inf_like(t))

    def _activation(self, v):
        return -ops.softplus(-v)

    def _conjugate_of_activation(self, v):
        return ops.softplus(v)


class Alpha(FDivergence):
    """Amari alpha-divergence (Nowozin et al. 2016, Table 5):
    f(u) = (u^alpha - 1 - alpha (u - 1)) / (alpha (alpha - 1)),
    f*(t) = (1/alpha) (t (alpha - 1) + 1)^(alpha / (alpha - 1)) - 1/alpha.

    For alpha < 1, g_f(v) = 1/(1 - alpha) - log(1 + exp(-v)) and
    dom f* = (-inf, 1/(1 - alpha)). For alpha > 1, g_f(v) = v, and the closed
    form holds where t (alpha - 1) + 1 >= 0; below that f*(t) = -1/alpha.

    Args:
        alpha: any real number other than 0 and 1.
    """

    name = "alpha"

    def __init__(self, alpha=0.5):
        alpha = float(alpha)
        if alpha in (0.0, 1.0) or not math.isfinite(alpha):
            raise ValueError(
                "`alpha` for the 'alpha' divergence must be a finite real "
                "number other than 0 and 1 (alpha -> 1 is KL, alpha -> 0 is "
                f"reverse KL: use 'kl' or 'reverse_kl'). Received: alpha={alpha}"
            )
        self.alpha = alpha
        self.exponent = alpha / (alpha - 1.0)
        if alpha < 1.0:
            self.domain = Interval(high=1.0 / (1.0 - alpha))
            # f*(g_f(v)) ~ exp(|exponent| v) for large v when 0 < alpha < 1.
            self.output_bound = min(OUTPUT_BOUND, _EXP_LIMIT / abs(self.exponent))
        else:
            self.domain = Interval()
            # (alpha - 1) v + 1 raised to exponent must stay below e^30.
            limit = (math.exp(_EXP_LIMIT / self.exponent) - 1.0) / (alpha - 1.0)
            self.output_bound = min(OUTPUT_BOUND, limit)

    def get_config(self):
        return {"alpha": self.alpha}

    def f(self, u):
        a = self.alpha
        return (ops.power(u, a) - 1.0 - a * (u - 1.0)) / (a * (a - 1.0))

    def f_prime(self, u):
        a = self.alpha
        return (ops.power(u, a - 1.0) - 1.0) / (a - 1.0)

    def conjugate(self, t):
        t = ops.convert_to_tensor(t)
        a = self.alpha
        base = t * (a - 1.0) + 1.0
        positive = base > 0.0
        base_safe = ops.where(positive, base, ops.ones_like(base))
        power = ops.exp(self.exponent * ops.log(base_safe))
        value = ops.where(positive, power, ops.zeros_like(base)) / a - 1.0 / a
        if a < 1.0:
            return ops.where(self.domain.contains(t), value, _inf_like(t))
        return value

    def _activation(self, v):
        if self.alpha < 1.0:
            return 1.0 / (1.0 - self.alpha) - ops.softplus(-v)
        return v

    def _conjugate_of_activation(self, v):
        a = self.alpha
        if a < 1.0:
            # t (a - 1) + 1 = (1 - a) softplus(-v) > 0.
            log_base = math.log(1.0 - a) + _log_softplus(-v)
            return (ops.exp(self.exponent * log_base) - 1.0) / a
        return self.conjugate(v)


_REGISTRY = {
    cls.name: cls
    for cls in (
        TotalVariation,
        KL,
        ReverseKL,
        Pearson,
        Neyman,
        SquaredHellinger,
        Jeffrey,
        JensenShannon,
        JensenShannonWeighted,
        GAN,
        Alpha,
    )
}


def names():
    """The 11 divergence names of the theory table, in table order."""
    return list(_REGISTRY)


def get(identifier, **params):
    """Returns an `FDivergence` by name (or passes an instance through).

    Args:
        identifier: a name from `names()`, an `FDivergence`, or a dict
            `{"name": ..., **params}` as produced by `serialize`.
        **params: `alpha=` for "alpha", `pi=` for "jensen_shannon_weighted".

    Returns:
        An `FDivergence`.

    Raises:
        ValueError: for an unknown name or invalid parameters.
    """
    if isinstance(identifier, FDivergence):
        if params:
            raise ValueError(
                "Parameters can only be given with a divergence name, not "
                f"with an FDivergence instance. Received: {params}"
            )
        return identifier
    if isinstance(identifier, dict):
        params = {**{k: v for k, v in identifier.items() if k != "name"}, **params}
        identifier = identifier.get("name")
    if not isinstance(identifier, str) or identifier not in _REGISTRY:
        raise ValueError(
            f"Unknown divergence {identifier!r}. Valid names: {', '.join(names())}."
        )
    cls = _REGISTRY[identifier]
    accepted = {"alpha": {"alpha"}, "jensen_shannon_weighted": {"pi"}}.get(
        identifier, set()
    )
    unknown = set(params) - accepted
    if unknown:
        valid = ", ".join(sorted(accepted)) or "none"
        raise ValueError(
            f"Divergence {identifier!r} got unexpected parameters "
            f"{sorted(unknown)}; valid parameters: {valid}."
        )
    return cls(**params)


def serialize(divergence):
    """A JSON-friendly dict `{"name": ..., **params}` for `get`."""
    divergence = get(divergence)
    return {"name": divergence.name, **divergence.get_config()}
