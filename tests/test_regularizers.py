"""Input-gradient regularizers (`kf.regularizers`): exact values on a linear
discriminator, registry and configs, and no input gradient without them."""

import keras
import numpy as np
import pytest

import keras_fgan as kf

KERNEL = np.array([3.0, 4.0], "float32")  # |grad D| = 5 everywhere


def _linear(x):
    return keras.ops.matmul(keras.ops.convert_to_tensor(x), keras.ops.convert_to_tensor(KERNEL[:, None]))


def _batches():
    rng = np.random.default_rng(0)
    return (rng.standard_normal((16, 2)).astype("float32"),
            rng.standard_normal((16, 2)).astype("float32"))


@pytest.mark.parametrize(
    "regularizer, penalty, logs",
    [
        (kf.regularizers.R1(0.2), 0.1 * 25.0, {"r1": 0.1 * 25.0}),
        (kf.regularizers.R2(2.0), 25.0, {"r2": 25.0}),
        (kf.regularizers.GradientPenalty(10.0), 10.0 * 16.0, {"grad_norm": 5.0}),
        (kf.regularizers.GradientPenalty(1.0, target=6.0, one_sided=True), 0.0, {"grad_norm": 5.0}),
        (kf.regularizers.GradientNormMonitor(), 0.0, {"grad_norm": 5.0}),
    ],
)
def test_values_on_a_linear_discriminator(regularizer, penalty, logs):
    real, fake = _batches()
    value, extra = regularizer(_linear, real, fake, keras.random.SeedGenerator(0))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(value), penalty, rtol=1e-5)
    assert set(extra) == set(logs) == set(regularizer.metric_names)
    for key, expected in logs.items():
        np.testing.assert_allclose(keras.ops.convert_to_numpy(extra[key]), expected, rtol=1e-5)


def test_r1_reads_real_and_r2_generated_samples():
    """D(x) = |x|^2 / 2 has grad x: R1 sees |real|^2, R2 sees |fake|^2."""
    real, fake = _batches()
    fake = fake * 3.0

    def quadratic(x):
        return 0.5 * keras.ops.sum(keras.ops.square(x), axis=1, keepdims=True)

    r1, _ = kf.regularizers.R1(2.0)(quadratic, real, fake)
    r2, _ = kf.regularizers.R2(2.0)(quadratic, real, fake)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(r1), np.mean(np.sum(real**2, 1)), rtol=1e-5)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(r2), np.mean(np.sum(fake**2, 1)), rtol=1e-5)


@pytest.mark.parametrize("name", kf.regularizers.names())
def test_registry_and_serialisation(name):
    regularizer = kf.regularizers.get(name)
    assert regularizer.name == name
    assert kf.regularizers.get(regularizer) is regularizer
    restored = kf.regularizers.get(kf.regularizers.serialize(regularizer))
    assert type(restored) is type(regularizer) and restored == regularizer


@pytest.mark.parametrize("objective, settings", [
    ("gan", {"loss": "minimax"}), ("fgan", {"divergence": "kl"}), ("adversarial", {"loss": "hinge"}),
    ("bigan", {"loss": "non_saturating"}),
])
def test_recipes_add_regularizers_weighted_by_gamma(objective, settings, tmp_path):
    """The GAN, f-GAN, BiGAN and composable families take `regularizers` and
    their weight `gamma` in a recipe; the model keeps them through a save and load."""
    model = kf.builders.build_model(objective, "ring", width=8, depth=1, regularizers=["r1", "r2"],
                                    gamma=0.5, **settings)
    assert model.regularizers == [kf.regularizers.R1(0.5), kf.regularizers.R2(0.5)]
    model.save(tmp_path / "model.keras")
    assert keras.saving.load_model(tmp_path / "model.keras").regularizers == model.regularizers
    with pytest.raises(ValueError, match=r"`gamma` weighs the discriminator regularizers"):
        kf.builders.build_model(objective, "ring", width=8, depth=1, gamma=0.5, **settings)


def _linear_joint_discriminator(sample_weights, latent_weights):
    """D([x, z]) = x . a + z . b, a Keras model with fixed weights."""
    x = keras.Input(np.shape(sample_weights))
    z = keras.Input((len(latent_weights),))
    flat = keras.layers.Flatten()(x)
    score_x = keras.layers.Dense(1, use_bias=False, trainable=False)
    score_z = keras.layers.Dense(1, use_bias=False, trainable=False)
    scores = keras.layers.Add()([score_x(flat), score_z(z)])
    model = keras.Model([x, z], scores)
    score_x.set_weights([np.reshape(sample_weights, (-1, 1))])
    score_z.set_weights([np.reshape(latent_weights, (-1, 1))])
    return model


@pytest.mark.parametrize("penalize_latent", [True, False])
@pytest.mark.parametrize("sample_shape", [(2,), (4, 4, 1)])
def test_bigan_r1_penalises_the_joint_gradient(sample_shape, penalize_latent):
    """R1 on BiGAN's joint discriminator: for D(x, z) = x.a + z.b the
    gradient with respect to a real pair (x, E(x)) is (a, b), so the penalty
    is gamma / 2 (|a|^2 + |b|^2) whatever the batch (Mescheder et al. 2018,
    Eq. 9, on pairs), and gamma / 2 |a|^2 with `penalize_latent=False`; the
    discriminator loss adds it to the cross-entropy."""
    rng = np.random.default_rng(0)
    a = rng.normal(size=sample_shape).astype("float32")
    b = rng.normal(size=3).astype("float32")
    flat = int(np.prod(sample_shape))
    generator = keras.Sequential([keras.Input((3,)), keras.layers.Dense(flat),
                                  keras.layers.Reshape(sample_shape)])
    encoder = keras.Sequential([keras.Input(sample_shape), keras.layers.Flatten(), keras.layers.Dense(3)])
    discriminator = _linear_joint_discriminator(a, b)
    plain = kf.BiGAN(generator, encoder, discriminator, seed=0)
    regularized = kf.BiGAN(generator, encoder, discriminator, regularizers=[kf.regularizers.R1(0.5)], seed=0,
                           penalize_latent=penalize_latent)
    real = rng.normal(size=(6,) + sample_shape).astype("float32")
    z = rng.normal(size=(6, 3)).astype("float32")
    loss, _ = plain.discriminator_loss(real, z)
    regularized_loss, logs = regularized.discriminator_loss(real, z)
    expected = 0.25 * (np.sum(a ** 2) + (np.sum(b ** 2) if penalize_latent else 0.0))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(logs["r1"]), expected, rtol=1e-5)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(regularized_loss - loss), expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="no packing"):
        kf.BiGAN(generator, encoder, discriminator, pack=2)


def test_parameters_by_dict_and_lipschitz_alias():
    assert kf.regularizers.get({"name": "r1", "gamma": 0.5}) == kf.regularizers.R1(0.5)
    one_sided = kf.regularizers.get({"name": "one_sided_penalty", "weight": 2.0})
    assert one_sided == kf.regularizers.GradientPenalty(2.0, one_sided=True)
    # The WGAN spelling is the same class (old .keras files name it there).
    assert kf.lipschitz.GradientPenalty is kf.regularizers.GradientPenalty
    assert isinstance(kf.lipschitz.get("gradient_penalty"), kf.regularizers.GradientPenalty)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: kf.regularizers.R1(-1.0), r"gamma.*>= 0"),
        (lambda: kf.regularizers.R2(float("nan")), r"gamma.*>= 0"),
        (lambda: kf.regularizers.get("r3"), r"Unknown regularizer 'r3'. Did you mean r2, r1"),
        (lambda: kf.regularizers.get({"name": "r1", "lambda": 1}), r"Invalid parameters"),
        (lambda: kf.AdversarialModel(kf.networks.mlp_generator(2, 2, width=8, depth=1),
                                     kf.networks.mlp_discriminator(2, width=8, depth=1),
                                     regularizers="r1"), r"must be a list"),
    ],
)
def test_bad_arguments_raise(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_a_model_without_regularizers_never_differentiates_inputs(monkeypatch, ring_data):
    """Weight clipping, spectral norm and plain losses run no double backprop:
    `input_gradients` is never called while they train."""
    from keras_fgan import regularizers

    calls = []
    original = regularizers.input_gradients
    monkeypatch.setattr(regularizers, "input_gradients", lambda *a: calls.append(1) or original(*a))
    for model in (
        kf.WGAN(kf.networks.mlp_generator(2, 2, width=8, depth=1),
                kf.networks.mlp_discriminator(2, width=8, depth=1), lipschitz="weight_clip", n_critic=1),
        kf.WGAN(kf.networks.mlp_generator(2, 2, width=8, depth=1),
                kf.networks.mlp_discriminator(2, width=8, depth=1), lipschitz="spectral_norm", n_critic=1),
        kf.AdversarialModel(kf.networks.mlp_generator(2, 2, width=8, depth=1),
                            kf.networks.mlp_discriminator(2, width=8, depth=1), loss="hinge"),
    ):
        model.compile()
        model.fit(ring_data[:128], batch_size=64, epochs=1, verbose=0)
        assert "grad_norm" not in model.metric_names
    assert calls == []
    penalised = kf.WGAN(kf.networks.mlp_generator(2, 2, width=8, depth=1),
                        kf.networks.mlp_discriminator(2, width=8, depth=1), n_critic=1)
    penalised.compile()
    penalised.fit(ring_data[:128], batch_size=64, epochs=1, verbose=0)
    assert calls  # the same probe sees the gradient penalty's double backprop
