"""WGAN with each Lipschitz constraint, through the public API, on the current backend."""

import importlib.util
from pathlib import Path

import keras
import numpy as np
import pytest

import keras_fgan as kf
from adversarial_test_case import run_adversarial_model_test
from convergence import convergence_test

OPTIONS = {
    "gradient_penalty": lambda: kf.lipschitz.GradientPenalty(10.0),
    "one_sided_penalty": lambda: kf.lipschitz.GradientPenalty(10.0, one_sided=True),
    "weight_clip": lambda: kf.lipschitz.WeightClip(0.01),
    "spectral_norm": lambda: kf.lipschitz.SpectralNorm(),
}
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "disjoint_supports.py"


@pytest.fixture(autouse=True, scope="module")
def single_threaded_torch():
    """These tiny networks run several times faster on one PyTorch thread:
    with two, OpenMP synchronisation dominates (and stalls on a busy CPU)."""
    if keras.backend.backend() != "torch":
        yield
        return
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _wgan(lipschitz, width=32, n_critic=2, **kwargs):
    return kf.WGAN(
        kf.networks.mlp_generator(2, 2, width=width, depth=2),
        kf.networks.mlp_discriminator(2, width=width, depth=2),
        lipschitz=lipschitz, n_critic=n_critic, seed=1, **kwargs,
    )


def _critic_1d(width=32):
    """A 1-D critic whose output layer starts at zero (see
    examples/disjoint_supports.py: in 1-D a two-sided penalty can hold a
    critic that starts with the wrong slope sign)."""
    critic = kf.networks.mlp_discriminator(1, width=width, depth=2)
    output = critic.get_layer("output")
    output.kernel.assign(np.zeros(output.kernel.shape, "float32"))
    return critic


# ------------------------------------------------------- standard checks --
@pytest.mark.parametrize("option", ["gradient_penalty", "weight_clip", "spectral_norm"])
def test_standard(option, ring_data, tmp_path):
    # n_critic = 2 checks the critic/generator step counts; 1 keeps the others fast.
    n_critic = 2 if option == "gradient_penalty" else 1
    run_adversarial_model_test(
        lambda: _wgan(OPTIONS[option](), n_critic=n_critic), ring_data, tmp_path
    )


@pytest.mark.parametrize("option", sorted(OPTIONS))
def test_keras_file_keeps_the_constraint(option, tmp_path):
    model = _wgan(OPTIONS[option](), n_critic=3)
    path = str(tmp_path / "wgan.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded.lipschitz) is type(model.lipschitz)
    assert loaded.lipschitz.get_config() == model.lipschitz.get_config()
    assert loaded.n_critic == loaded.d_steps == 3
    for saved, restored in zip(model.critic.trainable_variables, loaded.critic.trainable_variables):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(saved),
                                      keras.ops.convert_to_numpy(restored))
        expected = type(model.lipschitz) if saved.constraint is not None else type(None)
        assert type(restored.constraint) is expected


def test_a_reused_critic_gets_only_the_new_constraint():
    critic = kf.networks.mlp_discriminator(2, width=8, depth=1)
    generator = kf.networks.mlp_generator(2, 2, width=8, depth=1)
    kf.WGAN(generator, critic, lipschitz="weight_clip")
    assert all(isinstance(v.constraint, kf.lipschitz.WeightClip) for v in critic.trainable_variables)
    kf.WGAN(generator, critic, lipschitz="spectral_norm")
    constraints = [type(v.constraint) for v in critic.trainable_variables]
    assert constraints == [kf.lipschitz.SpectralNorm, type(None)] * 2
    kf.WGAN(generator, critic, lipschitz="gradient_penalty")
    assert all(v.constraint is None for v in critic.trainable_variables)


def test_config_names_the_critic():
    model = _wgan("spectral_norm", n_critic=4)
    config = model.get_config()
    assert "critic" in config and "discriminator" not in config
    assert config["n_critic"] == 4 and "d_steps" not in config
    assert config["lipschitz"]["config"] == {"power_iterations": 256}
    clone = kf.WGAN.from_config(config)
    assert clone.get_config() == config
    assert isinstance(clone.lipschitz, kf.lipschitz.SpectralNorm)


@pytest.mark.parametrize(
    "option, cls, learning_rate, betas",
    [
        ("weight_clip", keras.optimizers.RMSprop, 5e-5, None),
        ("gradient_penalty", keras.optimizers.Adam, 1e-4, (0.0, 0.9)),
        ("one_sided_penalty", keras.optimizers.Adam, 1e-4, (0.0, 0.9)),
        ("spectral_norm", keras.optimizers.Adam, 1e-4, (0.5, 0.9)),
    ],
)
def test_paper_default_optimizers(option, cls, learning_rate, betas):
    model = _wgan(option)
    assert model.n_critic == 2
    model.compile()
    assert model.d_optimizer is not model.g_optimizer
    for opt in (model.d_optimizer, model.g_optimizer):
        assert isinstance(opt, cls)
        np.testing.assert_allclose(float(keras.ops.convert_to_numpy(opt.learning_rate)),
                                   learning_rate, rtol=1e-6)
        if betas:
            assert (opt.beta_1, opt.beta_2) == betas
    assert kf.WGAN(
        kf.networks.mlp_generator(2, 2, width=8, depth=1),
        kf.networks.mlp_discriminator(2, width=8, depth=1),
    ).n_critic == 5


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_critic": 0}, "`n_critic` must be a positive integer"),
        ({"n_critic": -2}, "`n_critic` must be a positive integer"),
        ({"n_critic": 2.5}, "`n_critic` must be a positive integer"),
        ({"n_critic": True}, "`n_critic` must be a positive integer"),
        ({"d_steps": 3}, r"n_critic"),
        ({"lipschitz": "clip"}, r"valid: weight_clip, gradient_penalty"),
        ({"lipschitz": None}, r"LipschitzConstraint"),
    ],
)
def test_invalid_arguments_raise(kwargs, match):
    kwargs = {"lipschitz": "gradient_penalty", "n_critic": 5, **kwargs}
    with pytest.raises(ValueError, match=match):
        kf.WGAN(kf.networks.mlp_generator(2, 2, width=8, depth=1),
                kf.networks.mlp_discriminator(2, width=8, depth=1), **kwargs)


@pytest.mark.parametrize(
    "settings, expected",
    [
        ({"lipschitz": "gradient_penalty", "gamma": 0.1}, kf.lipschitz.GradientPenalty(0.1)),
        ({"lipschitz": "one_sided_penalty", "gamma": 2.0}, kf.lipschitz.GradientPenalty(2.0, one_sided=True)),
        ({"lipschitz": "weight_clip", "clip_value": 0.05}, kf.lipschitz.WeightClip(0.05)),
        ({"lipschitz": "gradient_penalty"}, kf.lipschitz.GradientPenalty(10.0)),
    ],
)
def test_recipe_sets_the_constraint_strength(settings, expected, tmp_path):
    """`gamma` (penalty weight) and `clip_value` in a recipe reach the
    constraint, and survive a save and load."""
    model = kf.builders.build_model("wgan", "ring", width=8, depth=1, **settings)
    assert model.lipschitz.get_config() == expected.get_config()
    model.save(tmp_path / "wgan.keras")
    loaded = keras.saving.load_model(tmp_path / "wgan.keras")
    assert loaded.lipschitz.get_config() == expected.get_config()


@pytest.mark.parametrize(
    "settings, match",
    [
        ({"lipschitz": "weight_clip", "gamma": 0.1}, r"gamma.*weighs the gradient penalty"),
        ({"lipschitz": "spectral_norm", "gamma": 0.1}, r"gamma.*weighs the gradient penalty"),
        ({"lipschitz": "gradient_penalty", "clip_value": 0.05}, r"clip_value.*does not apply"),
        ({"lipschitz": "weight_clip", "clip_value": -1.0}, r"clip_value"),
        ({"lipschitz": "gradient_penalty", "gamma": -1.0}, r"gamma"),
    ],
)
def test_recipe_strength_for_the_wrong_constraint_raises(settings, match):
    with pytest.raises(ValueError, match=match):
        kf.builders.build_model("wgan", "ring", width=8, depth=1, **settings)


# ------------------------------------------------------------ behaviour --
@convergence_test("torch")
def test_critic_estimates_w1_between_two_gaussians():
    """N(0, 1) vs N(2, 1): W1 = 2, within 10%. Only the critic trains (the
    generator x = 2 + z is frozen); on TensorFlow the step is compiled with
    XLA. Penalty weight 50, not 10: a critic of slope s scores 2 s and pays
    weight (s - 1)^2 on the interpolates, so the penalised optimum is
    s = 1 + 1/weight and the estimate 2 (1 + 1/weight): +10% at weight 10,
    +2% at 50."""
    generator = kf.networks.affine_generator(1, 1, mean=2.0, scale=1.0)
    generator.trainable = False
    model = kf.WGAN(generator, _critic_1d(), kf.lipschitz.GradientPenalty(50.0), seed=0)
    model.compile(d_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5, beta_2=0.9),
                  jit_compile=keras.backend.backend() == "tensorflow" or "auto")
    rng = np.random.default_rng(0)
    model.fit(rng.standard_normal((256 * 25, 1)).astype("float32"),
              batch_size=256, epochs=1, verbose=0)
    real = rng.standard_normal((20000, 1)).astype("float32")
    fake = 2.0 + rng.standard_normal((20000, 1)).astype("float32")
    critic = model.critic.predict
    estimate = float(np.mean(critic(real, verbose=0)) - np.mean(critic(fake, verbose=0)))
    print(f"W1 estimate ({keras.backend.backend()}): {estimate:.4f}")
    assert abs(estimate - 2.0) < 0.2


def test_gradient_penalty_makes_the_critic_1_lipschitz(ring_data):
    model = _wgan("gradient_penalty", width=64, n_critic=5)
    model.compile(d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5, beta_2=0.9),
                  g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5, beta_2=0.9))
    history = model.fit(ring_data, batch_size=64, epochs=4, verbose=0).history
    print(f"grad_norm per epoch ({keras.backend.backend()}): {history['grad_norm']}")
    assert history["grad_norm"][0] < 0.9 or history["grad_norm"][0] > 1.1  # it had to move
    assert abs(history["grad_norm"][-1] - 1.0) < 0.1


def test_weight_clip_bounds_every_critic_weight(ring_data):
    clip = 0.01
    model = _wgan(kf.lipschitz.WeightClip(clip))
    # A step size far above the clip value: unclipped weights would leave [-c, c].
    model.compile(d_optimizer=keras.optimizers.RMSprop(1e-2),
                  g_optimizer=keras.optimizers.RMSprop(1e-3))
    model.fit(ring_data[:256], batch_size=64, epochs=1, verbose=0)
    weights = np.concatenate([w.ravel() for w in model.critic.get_weights()])
    assert np.all(np.abs(weights) <= clip + 1e-7)
    assert np.isclose(np.abs(weights).max(), clip)  # the clip was active
    assert not np.all(np.isclose(np.abs(weights), clip))  # and not everything sits on it


def test_spectral_norm_bounds_every_critic_kernel(ring_data):
    model = _wgan(kf.lipschitz.SpectralNorm())
    model.compile(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.Adam(1e-3))
    model.fit(ring_data[:256], batch_size=64, epochs=1, verbose=0)
    kernels = [v for v in model.critic.trainable_variables if len(v.shape) == 2]
    assert len(kernels) == 3
    for kernel in kernels:
        w = keras.ops.convert_to_numpy(kernel).astype("float64")
        assert abs(np.linalg.svd(w, compute_uv=False)[0] - 1.0) < 1e-3


@pytest.mark.parametrize("option", ["gradient_penalty", "weight_clip", "spectral_norm"])
def test_trains_on_ring_and_grid(option):
    model = _wgan(option)
    model.compile()
    for name in ("ring", "grid"):
        data = kf.datasets.load(name, n=256, seed=0)
        history = model.fit(data, batch_size=64, epochs=1, verbose=0).history
        assert all(np.isfinite(v[-1]) for v in history.values()), history
        assert np.all(np.isfinite(model.generate(64, seed=0)))


# --------------------------------------------------------------- example --
@convergence_test("torch")
def test_disjoint_supports_example(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("disjoint_supports", EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    result = example.main(["--fast", "--out", str(tmp_path)])
    assert abs(result["theta"]) < 0.1  # from theta = 3
    assert result["gan_grad_last"] < 0.1 * result["gan_grad_first"]  # vanishing
    assert (tmp_path / "disjoint_supports.png").stat().st_size > 10_000
    assert "final theta" in capsys.readouterr().out
    with capsys.disabled():
        print(f"\nfinal theta ({keras.backend.backend()}): {result['theta']:.4f}")
