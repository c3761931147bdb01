"""Tests for keras_fgan.evaluation (runs under every KERAS_BACKEND)."""

import math
import shutil

import keras
import numpy as np
import pytest
from scipy import linalg
from scipy.spatial.distance import cdist

from keras_fgan import datasets
from keras_fgan import evaluation
from keras_fgan.evaluation import classifier as clf
from keras_fgan.evaluation import inception
from keras_fgan.evaluation import knn_metrics as knn
from keras_fgan.evaluation.streaming import FeatureStatistics
from keras_fgan.evaluation.streaming import batch_seed
from keras_fgan.evaluation.streaming import feature_statistics
from keras_fgan.evaluation.streaming import iter_batches
from markers import needs_fashion_mnist


class StandIn:
    """A generator stand-in: `generate(n, seed)` from a fixed pool; records calls."""

    def __init__(self, pool):
        self.pool = np.asarray(pool)
        self.calls = []

    def generate(self, n, seed=0):
        self.calls.append((n, seed))
        idx = np.random.default_rng(seed).integers(0, len(self.pool), n)
        return self.pool[idx]


# ------------------------------------------------------------ mode coverage


def test_mode_coverage_of_the_true_distribution():
    for name, k in (("ring", 8), ("grid", 25)):
        result = evaluation.mode_coverage(datasets.load(name, n=2500, seed=5), name)
        assert result["modes"] == k and result["num_modes"] == k
        # P(|x - c| <= 3 std) for a 2-D isotropic Gaussian is 1 - exp(-4.5) = 0.9889.
        assert abs(result["high_quality"] - (1 - math.exp(-4.5))) < 0.01
        assert result["kl"] < 0.02
        assert result["num_samples"] == 2500 and sum(result["counts"]) <= 2500


def test_mode_coverage_collapse_and_edge_cases():
    centres, std = datasets.mixture_modes("ring")
    one_mode = np.repeat(centres[:1], 100, axis=0)
    result = evaluation.mode_coverage(one_mode, "ring")
    assert result["modes"] == 1 and result["high_quality"] == 1.0
    assert result["kl"] == pytest.approx(math.log(8))
    two_modes = np.concatenate([np.repeat(centres[:1], 30, 0), np.repeat(centres[3:4], 10, 0)])
    result = evaluation.mode_coverage(two_modes, "ring")
    p = np.array([0.75, 0.25])
    assert result["modes"] == 2
    assert result["kl"] == pytest.approx(float(np.sum(p * np.log(p * 8))))
    assert result["counts"] == [30, 0, 0, 10, 0, 0, 0, 0]
    # Off-mode samples: nearest to a mode but beyond 3 std are not high quality.
    off = centres[:4] * (1 + 3.5 * std)
    on = centres[4:] * (1 + 2.5 * std)
    result = evaluation.mode_coverage(np.concatenate([off, on]), "ring")
    assert result["modes"] == 4 and result["high_quality"] == 0.5
    assert result["kl"] == pytest.approx(math.log(2))
    # Nothing high quality: no mode captured, KL defined as inf.
    result = evaluation.mode_coverage(np.zeros((10, 2)), "ring")
    assert result["modes"] == 0 and result["high_quality"] == 0.0 and result["kl"] == math.inf


def test_mode_coverage_custom_mixture():
    result = evaluation.mode_coverage([[0.0, 0.0], [10.0, 0.1]], ([[0, 0], [10, 0]], 0.1))
    assert result["modes"] == 2 and result["num_modes"] == 2 and result["kl"] == 0.0


@pytest.mark.parametrize(
    "samples, match",
    [
        (np.zeros((5, 3)), r"shape \(N, 2\)"),
        (np.zeros(10), r"shape \(N, 2\)"),
        (np.zeros((0, 2)), "empty"),
        (np.array([[0.0, np.nan], [1.0, 0.0]]), "NaN or infinite.*1 of 2"),
        (np.array([[0.0, np.inf]]), "NaN or infinite"),
    ],
)
def test_mode_coverage_validates_samples(samples, match):
    with pytest.raises(ValueError, match=match):
        evaluation.mode_coverage(samples, "ring")


def test_mode_coverage_validates_mixture():
    with pytest.raises(ValueError, match="Valid mixtures: ring, grid"):
        evaluation.mode_coverage(np.zeros((3, 2)), "spiral")
    with pytest.raises(ValueError, match="num_std"):
        evaluation.mode_coverage(np.zeros((3, 2)), "ring", num_std=0)


# ----------------------------------------------------------------- Frechet


def _fd_reference(mu1, s1, mu2, s2):
    """Closed form via the symmetric square root (independent of sqrtm(s1 s2))."""
    r1 = linalg.sqrtm(s1).real
    middle = linalg.eigvalsh(r1 @ s2 @ r1)
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.sum(np.sqrt(np.clip(middle, 0, None))))


def test_frechet_from_stats_closed_forms():
    assert evaluation.frechet_distance_from_stats([1.0], [[4.0]], [3.0], [[9.0]]) == pytest.approx(
        4.0 + 4.0 + 9.0 - 2.0 * 6.0
    )
    mu, sigma = np.zeros(3), np.diag([1.0, 2.0, 3.0])
    assert evaluation.frechet_distance_from_stats(mu, sigma, mu, sigma) == pytest.approx(0.0, abs=1e-10)
    rng = np.random.default_rng(0)
    for _ in range(3):
        a, b = rng.standard_normal((2, 6, 6))
        s1, s2 = a @ a.T + 0.1 * np.eye(6), b @ b.T + 0.1 * np.eye(6)
        mu1, mu2 = rng.standard_normal((2, 6))
        assert evaluation.frechet_distance_from_stats(mu1, s1, mu2, s2) == pytest.approx(
            _fd_reference(mu1, s1, mu2, s2), rel=1e-6
        )


def test_frechet_singular_covariance_is_finite():
    # Rank-1 covariances: the product is singular.
    v = np.array([[1.0, 0.0, 0.0]])
    s = v.T @ v
    value = evaluation.frechet_distance_from_stats(np.zeros(3), s, np.ones(3), s)
    assert np.isfinite(value) and value == pytest.approx(3.0, abs=1e-2)


def test_frechet_eps_fallback_and_complex_parts(monkeypatch):
    """The TTUR fallbacks: eps on the diagonals if sqrtm fails; tiny imaginary parts dropped."""
    from keras_fgan.evaluation import frechet as frechet_module

    real_sqrtm = linalg.sqrtm
    calls = []

    def flaky_sqrtm(a):
        calls.append(a.copy())
        if len(calls) == 1:
            return np.full_like(a, np.nan)
        return real_sqrtm(a) + 1e-9j

    monkeypatch.setattr(frechet_module.linalg, "sqrtm", flaky_sqrtm)
    s = np.diag([1.0, 4.0])
    with pytest.warns(UserWarning, match="singular"):
        value = evaluation.frechet_distance_from_stats(np.zeros(2), s, np.zeros(2), s, eps=1e-3)
    np.testing.assert_allclose(calls[1], (s + 1e-3 * np.eye(2)) @ (s + 1e-3 * np.eye(2)))
    assert value == pytest.approx(0.0, abs=1e-2)
    monkeypatch.setattr(frechet_module.linalg, "sqrtm", lambda a: real_sqrtm(a) + 0.5j)
    with pytest.raises(ValueError, match="imaginary component"):
        evaluation.frechet_distance_from_stats(np.zeros(2), s, np.zeros(2), s)


def test_frechet_validates():
    with pytest.raises(ValueError, match="mu1 and mu2"):
        evaluation.frechet_distance_from_stats(np.zeros(2), np.eye(2), np.zeros(3), np.eye(3))
    with pytest.raises(ValueError, match="sigma1 and sigma2"):
        evaluation.frechet_distance_from_stats(np.zeros(2), np.eye(3), np.zeros(2), np.eye(2))
    with pytest.raises(ValueError, match="sigma2 contains NaN"):
        evaluation.frechet_distance_from_stats(np.zeros(2), np.eye(2), np.zeros(2), np.full((2, 2), np.nan))
    with pytest.raises(ValueError, match="differ in dimension"):
        evaluation.frechet_distance_from_features(np.zeros((5, 2)), np.zeros((5, 3)))


def test_frechet_from_features():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((500, 4))
    y = rng.standard_normal((400, 4)) * 2.0 + 1.0
    expected = evaluation.frechet_distance_from_stats(
        x.mean(0), np.cov(x, rowvar=False), y.mean(0), np.cov(y, rowvar=False)
    )
    assert evaluation.frechet_distance_from_features(x, y) == pytest.approx(expected, rel=1e-9)
    # A shift by c costs exactly ||c||^2.
    c = np.array([1.0, -2.0, 0.5, 0.0])
    assert evaluation.frechet_distance_from_features(x, x + c) == pytest.approx(float(c @ c), rel=1e-6)


def test_frechet_with_fewer_samples_than_dimensions():
    """Below D samples per side the distance comes from the nuclear norm of
    the cross-Gram matrix: the same formula as the D x D square root (checked
    where both apply), and finite and shift-exact where `sqrtm` is singular."""
    from keras_fgan.evaluation.frechet import _frechet_from_few_samples

    rng = np.random.default_rng(3)
    x = rng.standard_normal((60, 5)) @ rng.standard_normal((5, 5))
    y = rng.standard_normal((40, 5)) * 1.5 - 0.5
    expected = evaluation.frechet_distance_from_stats(
        x.mean(0), np.cov(x, rowvar=False), y.mean(0), np.cov(y, rowvar=False)
    )
    assert _frechet_from_few_samples(x, y) == pytest.approx(expected, rel=1e-9)

    wide = rng.standard_normal((30, 500))
    c = rng.standard_normal(500)
    assert evaluation.frechet_distance_from_features(wide, wide) == pytest.approx(0.0, abs=1e-9)
    assert evaluation.frechet_distance_from_features(wide, wide + c) == pytest.approx(float(c @ c), rel=1e-9)
    # Scaling one side by s = 3: (1 - s)^2 (||mu||^2 + Tr S).
    mu, trace = wide.mean(0), np.trace(np.cov(wide, rowvar=False))
    assert evaluation.frechet_distance_from_features(wide, 3.0 * wide) == pytest.approx(
        4.0 * (mu @ mu + trace), rel=1e-9)
    with pytest.raises(ValueError, match="at least 2 samples of real_features, got 1"):
        evaluation.frechet_distance_from_features(wide[:1], wide)
    with pytest.raises(ValueError, match="fake_features contain NaN"):
        evaluation.frechet_distance_from_features(wide, np.full_like(wide, np.nan))


# --------------------------------------------------------------- streaming


def test_feature_statistics_match_numpy():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((1001, 5)) * [1, 2, 3, 4, 5] + 100.0
    stats = FeatureStatistics(keep_features=True)
    for start, stop in ((0, 1), (1, 300), (300, 301), (301, 1001)):
        stats.update(x[start:stop])
    stats.update(np.zeros((0, 5)))
    assert stats.n == 1001 and stats.dim == 5
    np.testing.assert_allclose(stats.mean, x.mean(0), rtol=1e-12)
    np.testing.assert_allclose(stats.covariance, np.cov(x, rowvar=False), rtol=1e-9)
    np.testing.assert_allclose(stats.features, x.astype(np.float32))
    with pytest.raises(ValueError, match="dimension 4"):
        stats.update(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="NaN"):
        stats.update(np.full((2, 5), np.nan))
    with pytest.raises(ValueError, match="keep_features=False"):
        _ = FeatureStatistics.from_features(x).features
    with pytest.raises(ValueError, match="at least 2"):
        _ = FeatureStatistics.from_features(x[:1]).covariance


def test_iter_batches_sources():
    pool = np.arange(40, dtype=np.float32).reshape(20, 2)
    # Arrays are sliced.
    assert [len(b) for b in iter_batches(pool, batch_size=8)] == [8, 8, 4]
    assert [len(b) for b in iter_batches(pool, num_samples=10, batch_size=8)] == [8, 2]
    with pytest.raises(ValueError, match="holds only 20"):
        list(iter_batches(pool, num_samples=21))
    # Models are called once per batch with per-batch seeds; batch 0 uses the seed itself.
    model = StandIn(pool)
    batches = list(iter_batches(model, num_samples=25, batch_size=10, seed=7))
    assert [n for n, _ in model.calls] == [10, 10, 5]
    assert [s for _, s in model.calls] == [7, batch_seed(7, 1), batch_seed(7, 2)]
    assert len(set(s for _, s in model.calls)) == 3
    np.testing.assert_array_equal(batches[0], StandIn(pool).generate(10, seed=7))
    with pytest.raises(ValueError, match="num_samples is required"):
        list(iter_batches(model))
    # Callables behave like generate.
    calls = []
    fn = lambda n, seed: calls.append(n) or np.zeros((n, 2))  # noqa: E731
    assert sum(len(b) for b in iter_batches(fn, num_samples=7, batch_size=3)) == 7
    assert calls == [3, 3, 1]
    # Iterables (with (x, y) items) are read until num_samples.
    items = ((pool[i : i + 6], np.zeros(6)) for i in range(0, 20, 6))
    assert [len(b) for b in iter_batches(items, num_samples=15)] == [6, 6, 3]
    with pytest.raises(ValueError, match="ran out after 20"):
        list(iter_batches([pool[:10], pool[10:]], num_samples=30))
    with pytest.raises(ValueError, match="Cannot read samples"):
        list(iter_batches(42))


def test_bad_generate_output_raises():
    class Bad:
        def generate(self, n, seed=0):
            return np.zeros((n + 1, 2))

    with pytest.raises(ValueError, match="returned shape"):
        list(iter_batches(Bad(), num_samples=4))


def test_streaming_frechet_holds_one_batch_at_a_time():
    """frechet_distance(real, model) draws at most batch_size samples per call."""
    rng = np.random.default_rng(3)
    pool = rng.uniform(-1, 1, (50, 28, 28, 1)).astype(np.float32)
    seen = []

    def extractor(batch):
        seen.append(len(batch))
        return batch.reshape(len(batch), -1)[:, :6]

    model = StandIn(pool)
    value = evaluation.frechet_distance(pool, model, num_samples=1000, batch_size=64, feature_extractor=extractor)
    assert max(n for n, _ in model.calls) == 64 and sum(n for n, _ in model.calls) == 1000
    assert max(seen) <= 64
    # Equals the same computation on the materialised samples.
    fake = np.concatenate(list(iter_batches(StandIn(pool), num_samples=1000, batch_size=64)))
    expected = evaluation.frechet_distance_from_features(extractor(pool), extractor(fake))
    assert value == pytest.approx(expected, rel=1e-9)
    # Precomputed statistics can stand for either side.
    real_stats = feature_statistics(pool, feature_extractor=extractor)
    assert evaluation.frechet_distance(real_stats, fake, feature_extractor=extractor) == pytest.approx(
        expected, rel=1e-9
    )


def test_frechet_defaults_num_samples_to_real_count():
    real = np.random.default_rng(4).standard_normal((300, 3))
    model = StandIn(real)
    evaluation.frechet_distance(real, model, batch_size=128)
    assert sum(n for n, _ in model.calls) == 300


# -------------------------------------------------- precision/recall, D&C


def _prdc_bruteforce(real, fake, k):
    """Direct transcription of the reference code (Naeem et al.) with full matrices."""
    rr = np.sort(cdist(real, real), axis=1)[:, k]
    fr = np.sort(cdist(fake, fake), axis=1)[:, k]
    d = cdist(real, fake)
    return {
        "precision": (d <= rr[:, None]).any(axis=0).mean(),
        "recall": (d <= fr[None, :]).any(axis=1).mean(),
        "density": (d < rr[:, None]).sum(axis=0).mean() / k,
        "coverage": (d.min(axis=1) < rr).mean(),
    }


@pytest.mark.parametrize("dim, n, m, k", [(2, 300, 200, 3), (16, 150, 250, 5), (64, 200, 200, 1)])
def test_prdc_matches_bruteforce(dim, n, m, k, monkeypatch):
    rng = np.random.default_rng(dim)
    real = rng.standard_normal((n, dim))
    fake = rng.standard_normal((m, dim)) * 1.3 + 0.2
    expected = _prdc_bruteforce(real, fake, k)
    got = {**evaluation.precision_recall(real, fake, k=k), **evaluation.density_coverage(real, fake, k=k)}
    for name in expected:
        assert got[name] == pytest.approx(expected[name], abs=1e-12), name
    # Tiny blocks: the chunked loops give the same numbers.
    monkeypatch.setattr(knn, "_BLOCK_ELEMENTS", 97)
    chunked = knn.manifold_metrics(real, fake, k)
    for name in expected:
        assert chunked[name] == pytest.approx(expected[name], abs=1e-12), name


def test_prdc_extremes():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((100, 8))
    same = knn.manifold_metrics(x, x, 3)
    assert same["precision"] == 1.0 and same["recall"] == 1.0 and same["coverage"] == 1.0
    assert same["density"] >= 1.0 / 3
    far = knn.manifold_metrics(x, x + 100.0, 3)
    assert far == {"precision": 0.0, "recall": 0.0, "density": 0.0, "coverage": 0.0}
    # Fakes collapsed on one real point: full precision, almost no recall/coverage.
    collapsed = np.repeat(x[:1], 50, axis=0) + 1e-6 * rng.standard_normal((50, 8))
    out = knn.manifold_metrics(x, collapsed, 3)
    assert out["precision"] == 1.0 and out["recall"] <= 0.05 and out["coverage"] <= 0.05


def test_prdc_validates():
    x = np.zeros((10, 2))
    with pytest.raises(ValueError, match="`k` must be a positive integer"):
        evaluation.precision_recall(x, x, k=0)
    with pytest.raises(ValueError, match="more than k=10"):
        evaluation.density_coverage(x, x, k=10)
    with pytest.raises(ValueError, match="differ in dimension"):
        evaluation.precision_recall(x, np.zeros((10, 3)))
    with pytest.raises(ValueError, match="NaN"):
        evaluation.precision_recall(x, np.full((10, 2), np.nan))
    with pytest.raises(ValueError, match="Unknown metrics"):
        knn.manifold_metrics(x, x, 3, metrics=("f1",))


def test_prdc_from_a_model_source():
    real = np.random.default_rng(6).standard_normal((200, 2))
    model = StandIn(real)
    out = evaluation.precision_recall(real, model, k=3, batch_size=50)
    assert sum(n for n, _ in model.calls) == 200 and max(n for n, _ in model.calls) == 50
    assert out["precision"] == 1.0  # every fake is a real point


@pytest.mark.slow
@pytest.mark.skipif(
    keras.backend.backend() != "torch",
    reason="pure NumPy and backend-independent: run once, under the torch backend "
    "(the shortest of the three CI runs; ~37 s on 2 busy cores).",
)
def test_prdc_published_sanity_case():
    """Naeem et al.'s published example: 10,000 vs 10,000 from N(0, I) in 1000-D, k=5.

    The reference code's README reports precision 0.4772, recall 0.4705,
    density 1.0555, coverage 0.9735 ("may fluctuate due to randomness"). These
    values need N = 10,000 (with 5,000 samples precision/recall are ~0.51), and
    the same k=5 for all four metrics. Over six seeds we measured precision
    0.456-0.491, recall 0.466-0.486, density 0.91-1.06, coverage 0.956-0.974,
    hence the tolerances. float32 keeps this at ~9 s on 2 CPU cores.
    """
    rng = np.random.default_rng(2020)
    real = rng.standard_normal((10_000, 1000), dtype=np.float32)
    fake = rng.standard_normal((10_000, 1000), dtype=np.float32)
    out = knn.manifold_metrics(real, fake, 5)
    assert out["precision"] == pytest.approx(0.4772, abs=0.04)
    assert out["recall"] == pytest.approx(0.4705, abs=0.04)
    assert out["density"] == pytest.approx(1.0555, abs=0.15)
    assert out["coverage"] == pytest.approx(0.9735, abs=0.02)


def test_coverage_of_identical_distributions_is_one_minus_two_to_minus_k():
    """Naeem et al., 2020: E[coverage] -> 1 - 2^-k for identical distributions (N = M)."""
    rng = np.random.default_rng(7)
    real, fake = rng.standard_normal((2, 2500, 2))
    for k in (1, 2, 3):
        out = evaluation.density_coverage(real, fake, k=k)
        assert out["coverage"] == pytest.approx(1 - 2.0**-k, abs=0.04)
        assert out["density"] == pytest.approx(1.0, abs=0.1)


# --------------------------------------------------------------- classifier


@pytest.fixture(scope="module")
def shipped_config():
    return clf.read_config()


def test_shipped_files(shipped_config):
    directory = clf.classifier_dir()
    weights = directory / clf.WEIGHTS_FILE
    assert weights.stat().st_size < 2 * 1024 * 1024
    assert clf.sha256_of(weights) == shipped_config["weights_sha256"]
    assert (directory / clf.SHA256_FILE).read_text().split() == [shipped_config["weights_sha256"], clf.WEIGHTS_FILE]
    assert shipped_config["metrics"]["test_accuracy"] >= 0.92
    assert shipped_config["feature_dim"] == 128
    assert (directory / "README.md").exists()


def test_classifier_is_cached_and_gives_recorded_features(shipped_config):
    model = evaluation.load_classifier()
    assert evaluation.load_classifier() is model
    ref = shipped_config["reference_features"]
    x = np.random.default_rng(1234).uniform(-1, 1, (4, 28, 28, 1)).astype("float32")
    assert ref["input"].startswith("numpy.random.default_rng(1234)")
    features = evaluation.extract_features(x, batch_size=100)
    assert features.shape == (4, shipped_config["feature_dim"])
    # The same numbers were recorded on TensorFlow: this is the cross-backend check.
    np.testing.assert_allclose(features, np.array(ref["features"]), rtol=1e-4, atol=1e-4)


@needs_fashion_mnist
def test_classifier_accuracy_on_test_subset(shipped_config):
    x, y = datasets.load("fashion_mnist", "test", with_labels=True, n=1000)
    logits = np.asarray(evaluation.load_classifier().predict(x, batch_size=100, verbose=0))
    accuracy = float(np.mean(np.argmax(logits, -1) == y))
    assert accuracy == pytest.approx(shipped_config["metrics"]["subset_accuracy"], abs=0.002)


@needs_fashion_mnist
def test_class_balance_of_real_and_of_one_class_images():
    """Real images match the real histogram; images of one class (a
    generator collapsed to sneakers) put all their mass there."""
    x, y = datasets.load("fashion_mnist", "test", with_labels=True, n=2000)
    real, other = x[:1000], x[1000:]
    same = evaluation.class_balance(other, real=real, batch_size=250)
    assert same["class_names"][7] == "Sneaker" and len(same["fake_frequencies"]) == 10
    assert sum(same["fake_frequencies"]) == pytest.approx(1.0) and sum(same["real_frequencies"]) == pytest.approx(1.0)
    assert same["class_kl"] < 0.03 and same["worst_class_ratio"] > 0.6
    sneakers = other[y[1000:] == 7]
    collapsed = evaluation.class_balance(sneakers, real=real)
    assert collapsed["fake_frequencies"][7] > 0.9
    assert collapsed["class_kl"] == pytest.approx(np.log(1 / collapsed["real_frequencies"][7]), abs=0.3)
    assert collapsed["worst_class_ratio"] == 0.0


@needs_fashion_mnist
def test_class_balance_draws_from_a_model():
    real = datasets.load("fashion_mnist", "test", n=300)

    class Replay:  # a "generator" that replays real images
        def generate(self, n, seed=0):
            return np.random.default_rng(seed).permutation(real)[:n]

    drawn = evaluation.class_balance(Replay(), real=real, num_samples=200, seed=3)
    direct = evaluation.class_balance(Replay().generate(200, seed=3), real=real)
    assert drawn == direct
    assert evaluation.class_balance(Replay(), real=real)["fake_frequencies"] == pytest.approx(
        evaluation.class_balance(real, real=real)["real_frequencies"])
    with pytest.raises(ValueError, match="`num_samples` must be a positive integer or None"):
        evaluation.class_balance(Replay(), real=real, num_samples=0)


def test_class_balance_validates():
    noise = np.zeros((4, 28, 28, 1), "float32")
    with pytest.raises(ValueError, match=r"must have shape \(N, 28, 28, 1\)"):
        evaluation.class_balance(np.zeros((4, 32, 32, 1)), real=noise)
    with pytest.raises(ValueError, match="at least one fake image"):
        evaluation.class_balance(np.zeros((0, 28, 28, 1)), real=noise)
    with pytest.raises(ValueError, match="`batch_size` must be a positive integer"):
        evaluation.class_balance(noise, real=noise, batch_size=0)


def test_classifier_refuses_bad_sha256(tmp_path):
    target = tmp_path / "zoo" / clf.CLASSIFIER_DIR_NAME
    shutil.copytree(clf.classifier_dir(), target)
    weights = target / clf.WEIGHTS_FILE
    blob = bytearray(weights.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    weights.write_bytes(bytes(blob))
    with pytest.raises(ValueError, match="sha256.*refusing to load"):
        evaluation.load_classifier(target)
    weights.write_text("version https://git-lfs.github.com/spec/v1\n")
    with pytest.raises(ValueError, match="Git LFS"):
        evaluation.load_classifier(target)
    weights.unlink()
    with pytest.raises(FileNotFoundError, match="train_classifier.py"):
        evaluation.load_classifier(target)


def test_classifier_loads_from_zoo_url(tmp_path, monkeypatch):
    repo_copy = clf.classifier_dir()
    shutil.copytree(repo_copy, tmp_path / clf.CLASSIFIER_DIR_NAME)
    monkeypatch.setenv("KERAS_FGAN_ZOO_URL", str(tmp_path))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    model = evaluation.load_classifier()
    assert model is not clf.load_classifier(repo_copy)  # cached per folder
    x = np.full((2, 28, 28, 1), -1.0, np.float32)
    np.testing.assert_allclose(
        np.asarray(model.predict_on_batch(x)),
        np.asarray(clf.load_classifier(repo_copy).predict_on_batch(x)),
        rtol=1e-6,
        atol=1e-6,
    )


def test_build_classifier_validates():
    with pytest.raises(ValueError, match="filters"):
        evaluation.build_classifier(filters=(8, 8))
    with pytest.raises(ValueError, match=r"shape \(N, 28, 28, 1\)"):
        evaluation.extract_features(np.zeros((2, 32, 32, 1)))


@needs_fashion_mnist
def test_image_metrics_use_classifier_features():
    x_test = datasets.load("fashion_mnist", "test", n=250)
    x_train = datasets.load("fashion_mnist", "train", n=250)
    noise = np.random.default_rng(8).uniform(-1, 1, (250, 28, 28, 1)).astype(np.float32)
    real_vs_real = evaluation.frechet_distance(x_test, x_train, batch_size=100)
    real_vs_noise = evaluation.frechet_distance(x_test, noise, batch_size=100)
    assert real_vs_real < real_vs_noise / 10
    # Streaming from a model gives the same as the materialised samples.
    model = StandIn(x_train)
    streamed = evaluation.frechet_distance(x_test, model, num_samples=250, batch_size=100)
    assert max(n for n, _ in model.calls) == 100
    fake = np.concatenate(list(iter_batches(StandIn(x_train), num_samples=250, batch_size=100)))
    assert streamed == pytest.approx(evaluation.frechet_distance(x_test, fake, batch_size=100), rel=1e-5)
    good = evaluation.precision_recall(x_test, x_train, k=3, batch_size=100)
    bad = evaluation.precision_recall(x_test, noise, k=3, batch_size=100)
    assert good["precision"] > 0.5 and good["recall"] > 0.5
    assert bad["precision"] < 0.1
    dc = evaluation.density_coverage(x_test, x_train, k=5, batch_size=100)
    assert dc["coverage"] > 0.8 and bad["recall"] < good["recall"]


# ---------------------------------------------------------------- inception


def test_inception_offline_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert not inception.inception_available()
    with pytest.raises(RuntimeError, match="not cached.*allow_download=False"):
        inception.inception_frechet_distance(np.zeros((2, 28, 28, 1)), np.zeros((2, 28, 28, 1)), allow_download=False)


@pytest.mark.skipif(not inception.inception_available(), reason="Inception-v3 ImageNet weights not cached; tests never download.")
def test_inception_features_shape():
    features = inception.inception_features(np.zeros((2, 28, 28, 1), np.float32))
    assert features.shape == (2, 2048)


# ---------------------------------------------------------------- probes --

def _blobs(rng, n, centres, spread):
    labels = rng.integers(len(centres), size=n)
    return centres[labels] + spread * rng.standard_normal((n, centres.shape[1])), labels


def test_probe_accuracy_separable_vs_uninformative_features():
    rng = np.random.default_rng(0)
    centres = 10.0 * np.eye(4, 6)
    f_train, y_train = _blobs(rng, 400, centres, 1.0)
    f_test, y_test = _blobs(rng, 400, centres, 1.0)
    scores = evaluation.probe_accuracy(1e3 * f_train, y_train, 1e3 * f_test, y_test)
    assert scores["linear_probe_accuracy"] > 0.99 and scores["knn1_accuracy"] > 0.99
    # Features independent of the labels: both classifiers at chance (1/4).
    noise = evaluation.probe_accuracy(
        rng.standard_normal((400, 6)), y_train, rng.standard_normal((400, 6)), y_test
    )
    assert noise["linear_probe_accuracy"] < 0.4 and noise["knn1_accuracy"] < 0.4


@pytest.mark.parametrize(
    "args, match",
    [
        ((np.zeros((5, 2, 2)), np.zeros(5), np.zeros((5, 4)), np.zeros(5)), "2-D"),
        ((np.zeros((5, 3)), np.zeros(4), np.zeros((5, 3)), np.zeros(5)), "one label per"),
        ((np.zeros((5, 3)), np.arange(5) % 2, np.zeros((5, 2)), np.zeros(5)), "differ in width"),
        ((np.zeros((5, 3)), np.zeros(5), np.zeros((5, 3)), np.zeros(5)), "two classes"),
        ((np.full((5, 3), np.nan), np.arange(5) % 2, np.zeros((5, 3)), np.zeros(5)), "NaN"),
    ],
)
def test_probe_accuracy_validates(args, match):
    with pytest.raises(ValueError, match=match):
        evaluation.probe_accuracy(*args)


# ------------------------------------------------------- evaluate_model, own data


class _Sampler:
    """A stand-in model: `generate` draws from a fixed distribution."""

    def __init__(self, draw, sample_shape):
        self.draw, self.sample_shape = draw, sample_shape

    def generate(self, n, seed=0):
        return self.draw(np.random.default_rng(seed + 100), n).astype(np.float32)


def test_evaluate_model_on_own_vectors_in_sample_space(tmp_path):
    """Vectors are scored as they are: a model of the data scores near the
    real-vs-real floor, a shift by c costs about ||c||^2, and a `.npy` path
    gives what the array gives."""
    from keras_fgan.evaluation.report import evaluate_model

    real = np.random.default_rng(0).standard_normal((3000, 3)).astype(np.float32)
    same = evaluate_model(_Sampler(lambda rng, n: rng.standard_normal((n, 3)), (3,)), real)
    assert same["features"] == "samples" and same["num_real"] == same["num_samples"] == 3000
    assert same["frechet_distance"] < 0.02 and same["precision"] > 0.9 and same["recall"] > 0.9
    c = np.array([4.0, 0.0, -3.0])
    shifted = evaluate_model(_Sampler(lambda rng, n: rng.standard_normal((n, 3)) + c, (3,)), real)
    assert shifted["frechet_distance"] == pytest.approx(25.0, rel=0.05) and shifted["precision"] < 0.2
    np.save(tmp_path / "real.npy", real)
    model = _Sampler(lambda rng, n: rng.standard_normal((n, 3)), (3,))
    assert evaluate_model(model, str(tmp_path / "real.npy"), num_samples=500) == evaluate_model(
        model, real, num_samples=500)


def test_evaluate_model_on_own_images():
    """Images go through `feature_extractor` when given, else their pixels;
    wrong shapes, too few samples and images too large for pixel space are
    one clear error each."""
    from keras_fgan.evaluation.report import evaluate_model

    real = np.random.default_rng(1).uniform(-1, 1, (400, 8, 8, 1)).astype(np.float32)
    model = _Sampler(lambda rng, n: rng.uniform(-1, 1, (n, 8, 8, 1)) * 0.5, (8, 8, 1))

    def row_means(batch):
        return np.asarray(batch).mean(axis=(2, 3))

    result = evaluate_model(model, real, feature_extractor=row_means)
    assert result["features"] == "feature_extractor"
    expected = evaluation.frechet_distance_from_features(row_means(real), row_means(model.generate(400)))
    assert result["frechet_distance"] == pytest.approx(expected, rel=1e-6)
    pixels = evaluate_model(model, real)
    assert pixels["features"] == "pixels"
    assert pixels["frechet_distance"] == pytest.approx(
        evaluation.frechet_distance_from_features(real.reshape(400, -1), model.generate(400).reshape(400, -1)),
        rel=1e-6)

    # An 8-bit array is scaled to [-1, 1] as `kf.datasets.load` scales it.
    as_8bit = np.round((real + 1.0) * 127.5).astype(np.uint8)
    assert evaluate_model(model, as_8bit)["frechet_distance"] == pytest.approx(
        pixels["frechet_distance"], rel=1e-3)

    with pytest.raises(ValueError, match="does not apply to 'ring'"):
        evaluate_model(model, "ring", feature_extractor=row_means)
    with pytest.raises(ValueError, match=r"`class_frequencies` needs .*'fashion_mnist'.*data=array"):
        evaluate_model(model, real, class_frequencies=True)
    with pytest.raises(ValueError, match=r"shape \(8, 8, 1\), but the real array holds samples of shape \(2,\)"):
        evaluate_model(model, real[:, 0, :2, 0])
    with pytest.raises(ValueError, match="holds 5 samples; the k-NN metrics"):
        evaluate_model(model, real[:5])
    big = _Sampler(lambda rng, n: rng.uniform(-1, 1, (n, 80, 80, 1)), (80, 80, 1))
    with pytest.raises(ValueError, match="6,400 values per sample, more than the 4,096"):
        evaluate_model(big, np.zeros((10, 80, 80, 1), np.float32))
