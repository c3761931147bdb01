"""The adversarial losses (`kf.losses`): NumPy golden values, registry, configs.

Every registered loss is picked up automatically from `kf.losses.names()`;
adding a loss means adding its NumPy formula to `GOLDEN`.
"""

import keras
import numpy as np
import pytest

import keras_fgan as kf


def _softplus(x):
    return np.logaddexp(0.0, x)


# name -> (NumPy discriminator loss, NumPy generator loss), both of (real, fake) scores.
GOLDEN = {
    "minimax": (
        lambda r, f: _softplus(-r).mean() + _softplus(f).mean(),
        lambda r, f: -_softplus(f).mean(),
    ),
    "non_saturating": (
        lambda r, f: _softplus(-r).mean() + _softplus(f).mean(),
        lambda r, f: _softplus(-f).mean(),
    ),
    # FGANLoss() defaults to Jensen-Shannon: g_f(v) = log 2 - softplus(-v),
    # f*(t) = -log(2 - e^t); the heuristic generator loss is -E[g_f(V(G(z)))].
    "fgan": (
        lambda r, f: -((np.log(2) - _softplus(-r)).mean()
                       + np.log(2 - np.exp(np.log(2) - _softplus(-f))).mean()),
        lambda r, f: -(np.log(2) - _softplus(-f)).mean(),
    ),
    "wasserstein": (lambda r, f: f.mean() - r.mean(), lambda r, f: -f.mean()),
    "hinge": (
        lambda r, f: np.maximum(0, 1 - r).mean() + np.maximum(0, 1 + f).mean(),
        lambda r, f: -f.mean(),
    ),
    "relativistic": (
        lambda r, f: _softplus(f - r).mean(),
        lambda r, f: _softplus(r - f).mean(),
    ),
}


def _scores(seed):
    rng = np.random.default_rng(seed)
    return (rng.normal(0.5, 2.0, (64, 1)).astype("float32"),
            rng.normal(-0.5, 2.0, (64, 1)).astype("float32"))


def test_every_registered_loss_has_a_golden_formula():
    assert set(kf.losses.names()) == set(GOLDEN)


@pytest.mark.parametrize("name", kf.losses.names())
@pytest.mark.parametrize("seed", [0, 1])
def test_losses_match_numpy(name, seed):
    loss = kf.losses.get(name)
    real, fake = _scores(seed)
    d_golden, g_golden = GOLDEN[name]
    d = keras.ops.convert_to_numpy(loss.discriminator_loss(real, fake))
    g = keras.ops.convert_to_numpy(
        loss.generator_loss(real if loss.generator_needs_real else None, fake))
    np.testing.assert_allclose(d, d_golden(real.astype("float64"), fake.astype("float64")),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(g, g_golden(real.astype("float64"), fake.astype("float64")),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", kf.losses.names())
def test_serialisation_round_trips(name):
    loss = kf.losses.get(name)
    assert kf.losses.get(loss) is loss
    restored = kf.losses.deserialize(kf.losses.serialize(loss))
    assert type(restored) is type(loss) and restored == loss
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(loss))
    assert restored == loss
    assert loss.name == name


def test_fgan_loss_parameters_and_metrics():
    loss = kf.losses.get({"name": "fgan", "divergence": "kl", "generator_loss": "minimax"})
    assert loss.divergence.name == "kl" and loss.generator_loss_variant == "minimax"
    real, fake = _scores(2)
    bound = keras.ops.convert_to_numpy(loss.metrics(real, fake)["divergence"])
    # KL: g_f(v) = v, f*(t) = exp(t - 1).
    expected = real.mean() - np.exp(fake.astype("float64") - 1).mean()
    np.testing.assert_allclose(bound, expected, rtol=1e-5)
    assert kf.losses.FGANLoss("alpha") != kf.losses.FGANLoss("kl")
    restored = kf.losses.get(kf.losses.serialize(kf.losses.FGANLoss(
        kf.divergences.get("alpha", alpha=0.3))))
    assert restored.divergence == kf.divergences.get("alpha", alpha=0.3)


def test_wasserstein_logs_its_estimate():
    real, fake = _scores(3)
    estimate = kf.losses.Wasserstein().metrics(real, fake)["wasserstein"]
    np.testing.assert_allclose(keras.ops.convert_to_numpy(estimate), real.mean() - fake.mean(),
                               rtol=1e-5)


@pytest.mark.parametrize(
    "identifier, match",
    [
        ("hinj", r"Unknown adversarial loss 'hinj'. Did you mean hinge"),
        (3, r"Expected a AdversarialLoss, one of minimax, .*Received: 3"),
        ({"name": "hinge", "margin": 2}, r"Invalid parameters for adversarial loss 'hinge'"),
        ({"name": "fgan", "divergence": "nope"}, r"Unknown divergence 'nope'"),
        ({"name": "fgan", "generator_loss": "x"}, r"generator_loss 'x'"),
    ],
)
def test_bad_identifiers_raise(identifier, match):
    with pytest.raises(ValueError, match=match):
        kf.losses.get(identifier)
