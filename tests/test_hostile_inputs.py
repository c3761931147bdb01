"""Hostile inputs through the public API and the CLI (property-based).

Every case must end in a ValueError/TypeError with a message (CLI: one line
on stderr and a non-zero exit), never a hang, a crash or a silent result.
The number of generated cases is reported at the end of the session.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import keras_fgan as kf
from keras_fgan import cli

CASES = {"count": 0}
PROFILE = settings(max_examples=25, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _count():
    CASES["count"] += 1


@pytest.fixture(scope="module")
def model():
    m = kf.GAN(kf.networks.mlp_generator(3, 2, width=8, depth=1), kf.networks.mlp_discriminator(2, width=8, depth=1), seed=0)
    m.compile()
    return m


@PROFILE
@given(shape=st.lists(st.integers(0, 5), min_size=1, max_size=4))
def test_fit_rejects_wrong_shapes(model, shape):
    _count()
    x = np.zeros(shape, "float32")
    if tuple(shape[1:]) == (2,) and shape[0] > 0:
        return  # a valid shape
    with pytest.raises(ValueError, match="empty|discriminator expects"):
        model.fit(x, epochs=1, verbose=0)


@PROFILE
@given(n=st.integers(1, 40), bad=st.sampled_from([np.nan, np.inf, -np.inf]), where=st.integers(0, 79))
def test_fit_rejects_non_finite(model, n, bad, where):
    _count()
    x = np.zeros((n, 2), "float32")
    x.flat[where % x.size] = bad
    with pytest.raises(ValueError, match="non-finite"):
        model.fit(x, epochs=1, verbose=0)


@PROFILE
@given(dtype=st.sampled_from(["U3", "S2", "O", "complex64"]))
def test_fit_rejects_non_numeric(model, dtype):
    _count()
    x = np.zeros((8, 2)).astype(dtype)
    with pytest.raises(TypeError, match="numeric"):
        model.fit(x, epochs=1, verbose=0)


@PROFILE
@given(name=st.text(max_size=20))
def test_unknown_divergence_names(name):
    _count()
    if name in kf.divergences.names():
        return
    with pytest.raises(ValueError, match="Unknown divergence"):
        kf.divergences.get(name)


@PROFILE
@given(alpha=st.one_of(st.sampled_from([0.0, 1.0, float("nan"), float("inf")]), st.floats(-5, 5)),
       pi=st.one_of(st.sampled_from([0.0, 1.0, float("nan")]), st.floats(-3, 3)))
def test_divergence_parameters(alpha, pi):
    _count()
    if alpha in (0.0, 1.0) or not np.isfinite(alpha):
        with pytest.raises(ValueError, match="alpha"):
            kf.divergences.get("alpha", alpha=alpha)
    else:
        kf.divergences.get("alpha", alpha=alpha)
    if not 0.0 < pi < 1.0:
        with pytest.raises(ValueError, match="pi"):
            kf.divergences.get("jensen_shannon_weighted", pi=pi)


@PROFILE
@given(n=st.one_of(st.integers(-5, 0), st.sampled_from([1.5, "3", None, True])))
def test_generate_rejects_bad_n(model, n):
    _count()
    with pytest.raises(ValueError, match="positive integer"):
        model.generate(n)


@PROFILE
@given(seed=st.one_of(st.integers(-5, -1), st.sampled_from([1.5, "3", True, [1, 2]])))
def test_generate_rejects_bad_seed(model, seed):
    _count()
    with pytest.raises(ValueError, match="`seed` must be a non-negative integer or None"):
        model.generate(2, seed=seed)


@PROFILE
@given(latent=st.integers(1, 6), data_dim=st.integers(1, 4))
def test_mismatched_networks(latent, data_dim):
    _count()
    generator = kf.networks.mlp_generator(latent, data_dim, width=4, depth=1)
    if data_dim == 2:
        kf.GAN(generator, kf.networks.mlp_discriminator(2, width=4, depth=1))
    else:
        with pytest.raises(ValueError, match="outputs samples of shape"):
            kf.GAN(generator, kf.networks.mlp_discriminator(2, width=4, depth=1))


CLI_CASES = [
    ["train", "--objective", "vae"],
    ["train", "--epochs", "-3"],
    ["train", "--epochs", "many"],
    ["train", "--n-critic", "0"],
    ["train", "--d-lr", "nan"],
    ["train", "--data", "cifar10"],
    ["train", "--objective", "fgan", "--divergence", "kullback", "--epochs", "1"],
    ["sample"],
    ["export", "model.keras", "--format", "tflite"],
    ["zoo"],
    ["frobnicate"],
]


@pytest.mark.parametrize("argv", CLI_CASES, ids=[" ".join(a) for a in CLI_CASES])
def test_cli_bad_arguments_one_line(argv, capsys):
    _count()
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("keras-fgan") and "error:" in err[0], err


@pytest.mark.parametrize(
    "argv",
    [
        ["sample", "missing.keras"],
        ["evaluate", "missing.keras"],
        ["export", "missing.keras"],
    ],
)
def test_cli_runtime_errors_one_line(argv, capsys, tmp_path):
    _count()
    code = cli.main([*argv, "--out", str(tmp_path / "out")] if argv[0] == "export" else argv)
    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("keras-fgan: error:"), err


def test_report_case_count():
    """Prints how many generated cases ran (this file runs last in order)."""
    print(f"\nhostile-input cases run: {CASES['count']}")
    assert CASES["count"] >= 150
