"""ONNX and SavedModel export (`keras_fgan.export`) on the current backend."""

import ast
import importlib.util
import json
import types
from pathlib import Path

import keras
import numpy as np
import pytest

import keras_fgan as kf

from repo_files import load_module

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

ROOT = Path(__file__).resolve().parents[1]
LATENT, WIDTH, TOL = 8, 4, 1e-5
SAVED_MODEL_BACKENDS = ("tensorflow", "jax")


def _generator():
    return kf.networks.dcgan28_generator(latent_dim=LATENT, width=WIDTH)


def _encoder():
    """The library's BiGAN encoder if present, else a small functional CNN."""
    if hasattr(kf.networks, "dcgan28_encoder"):
        return kf.networks.dcgan28_encoder(latent_dim=LATENT, width=WIDTH)
    x = keras.Input((28, 28, 1), name="x")
    h = keras.layers.Conv2D(WIDTH, 4, strides=2, padding="same", activation="relu")(x)
    h = keras.layers.Flatten()(h)
    return keras.Model(x, keras.layers.Dense(LATENT)(h), name="small_encoder")


def _bigan_like():
    """A BiGAN, or an object with the attributes export reads from one."""
    generator, encoder = _generator(), _encoder()
    if hasattr(kf, "BiGAN") and hasattr(kf.networks, "dcgan28_joint_discriminator"):
        discriminator = kf.networks.dcgan28_joint_discriminator(latent_dim=LATENT, width=WIDTH)
        return kf.BiGAN(generator, encoder, discriminator, latent_prior="uniform")
    return types.SimpleNamespace(
        generator=generator, encoder=encoder, latent_dim=LATENT, latent_prior="uniform"
    )


def _inputs(network, batch, seed=0):
    from keras_fgan.models.adversarial_model import network_input_shapes

    shape = (batch,) + tuple(network_input_shapes(network, "network")[0][1:])
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype("float32")


def _onnx_max_diff(network, path):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    diffs = []
    for batch in (1, 64):
        x = _inputs(network, batch)
        (actual,) = session.run(None, {session.get_inputs()[0].name: x})
        expected = network.predict(x, batch_size=batch, verbose=0)
        assert actual.shape == expected.shape
        diffs.append(float(np.max(np.abs(actual - expected))))
    return max(diffs)


def _metadata(path):
    return {p.key: p.value for p in onnx.load(str(path)).metadata_props}


def _assert_dynamic_batch(path, input_name, output_name):
    graph = onnx.load(str(path)).graph
    assert [v.name for v in graph.input] == [input_name]
    assert [v.name for v in graph.output] == [output_name]
    for value in (graph.input[0], graph.output[0]):
        first = value.type.tensor_type.shape.dim[0]
        assert not first.HasField("dim_value") and first.dim_param == "batch"


# ------------------------------------------------------------------- ONNX --
def test_generator_onnx_matches_keras_and_records_metadata(tmp_path):
    generator = _generator()
    model = kf.FGAN(
        generator,
        kf.networks.dcgan28_discriminator(width=WIDTH),
        divergence=kf.divergences.get("alpha", alpha=0.5),
    )
    written = kf.export.export_onnx(model, tmp_path / "g.onnx", preset="demo")
    assert written == {"generator": str(tmp_path / "g.onnx")}
    assert not [p for p in tmp_path.iterdir() if p.name != "g.onnx"]  # no temp leftovers
    _assert_dynamic_batch(tmp_path / "g.onnx", "z", "x")
    assert _onnx_max_diff(generator, tmp_path / "g.onnx") <= TOL

    meta = _metadata(tmp_path / "g.onnx")
    assert meta["role"] == "generator"
    assert meta["latent_dim"] == str(LATENT) and meta["latent_prior"] == "normal"
    assert json.loads(meta["input_shape"]) == [None, LATENT]
    assert json.loads(meta["output_shape"]) == [None, 28, 28, 1]
    assert json.loads(meta["output_range"]) == [-1.0, 1.0]
    assert meta["objective"] == "FGAN"
    assert json.loads(meta["divergence"]) == {"name": "alpha", "alpha": 0.5}
    config = json.loads(meta["objective_config"])
    assert config["generator_loss"] == model.get_config()["generator_loss"]
    assert "generator" not in config and "discriminator" not in config
    assert meta["preset"] == "demo"
    assert meta["keras_fgan_version"] == kf.__version__
    assert meta["keras_backend"] == keras.backend.backend()


def test_encoder_onnx_matches_keras(tmp_path):
    encoder = _encoder()
    written = kf.export.export_onnx(encoder, tmp_path / "e.onnx")
    assert written == {"encoder": str(tmp_path / "e.onnx")}  # role inferred from shapes
    _assert_dynamic_batch(tmp_path / "e.onnx", "x", "z")
    assert _onnx_max_diff(encoder, tmp_path / "e.onnx") <= TOL
    meta = _metadata(tmp_path / "e.onnx")
    assert meta["role"] == "encoder" and meta["latent_dim"] == str(LATENT)
    assert meta["output_range"] == "unbounded" and meta["objective"] == "none"


def test_model_with_encoder_exports_both_into_a_directory(tmp_path):
    model = _bigan_like()
    written = kf.export.export_onnx(model, tmp_path / "bigan")
    assert written == {
        "generator": str(tmp_path / "bigan" / "generator.onnx"),
        "encoder": str(tmp_path / "bigan" / "encoder.onnx"),
    }
    for role, path in written.items():
        meta = _metadata(path)
        assert meta["role"] == role and meta["latent_prior"] == "uniform"
    only = kf.export.export_onnx(model, tmp_path / "only_e.onnx", role="encoder")
    assert only == {"encoder": str(tmp_path / "only_e.onnx")}
    with pytest.raises(ValueError, match="must be a directory"):
        kf.export.export_onnx(model, tmp_path / "only_e.onnx")


@pytest.mark.skipif(not hasattr(kf, "WGAN"), reason="WGAN not available")
def test_wgan_generator_metadata(tmp_path):
    generator = kf.networks.mlp_generator(latent_dim=2, data_dim=2, width=8, depth=1)
    critic = kf.networks.mlp_discriminator(data_dim=2, width=8, depth=1)
    model = kf.WGAN(generator, critic, lipschitz=kf.lipschitz.WeightClip(0.01))
    assert kf.export.export_onnx(model, tmp_path / "w.onnx") == {"generator": str(tmp_path / "w.onnx")}
    meta = _metadata(tmp_path / "w.onnx")
    assert meta["objective"] == "WGAN" and meta["divergence"] == "none"
    config = json.loads(meta["objective_config"])
    assert config["lipschitz"]["class_name"] == "WeightClip" and "critic" not in config
    assert _onnx_max_diff(generator, tmp_path / "w.onnx") <= TOL


def test_value_range_inferred_or_given(tmp_path):
    linear = kf.networks.mlp_generator(latent_dim=2, data_dim=2, width=8, depth=1)
    kf.export.export_onnx(linear, tmp_path / "a.onnx", latent_prior="uniform")
    meta = _metadata(tmp_path / "a.onnx")
    assert meta["output_range"] == "unbounded" and meta["role"] == "generator"
    assert meta["latent_prior"] == "uniform"
    kf.export.export_onnx(linear, tmp_path / "b.onnx", value_range=(0, 1))
    assert json.loads(_metadata(tmp_path / "b.onnx")["output_range"]) == [0.0, 1.0]
    with pytest.raises(ValueError, match="value_range"):
        kf.export.export_onnx(linear, tmp_path / "c.onnx", value_range=(1, 0))


class TinySubclassed(keras.Model):
    def __init__(self):
        super().__init__(name="tiny_subclassed")
        self.dense = keras.layers.Dense(4)

    def build(self, input_shape):
        self.dense.build(input_shape)

    def call(self, z):
        return self.dense(z)


def test_subclassed_networks(tmp_path):
    with pytest.raises(ValueError, match="no defined input shape"):
        kf.export.export_onnx(TinySubclassed(), tmp_path / "s.onnx")
    built = TinySubclassed()
    built.build((None, 3))  # built, never called
    assert kf.export.export_onnx(built, tmp_path / "s.onnx") == {"generator": str(tmp_path / "s.onnx")}
    assert _onnx_max_diff(built, tmp_path / "s.onnx") <= TOL


def test_invalid_arguments(tmp_path):
    gan = kf.GAN(_generator(), kf.networks.dcgan28_discriminator(width=WIDTH))
    with pytest.raises(TypeError, match="adversarial model"):
        kf.export.export_onnx(np.zeros(3), tmp_path / "x.onnx")
    with pytest.raises(ValueError, match="Unknown role"):
        kf.export.export_onnx(gan, tmp_path / "x.onnx", role="critic")
    with pytest.raises(ValueError, match="has no encoder"):
        kf.export.export_onnx(gan, tmp_path / "x.onnx", role="encoder")
    with pytest.raises(ValueError, match="latent_prior"):
        kf.export.export_onnx(gan, tmp_path / "x.onnx", latent_prior="uniform")
    with pytest.raises(ValueError, match="Unknown export format"):
        kf.export.export_path(tmp_path / "m.keras", "tflite", tmp_path)
    with pytest.raises(ValueError, match="neither an existing"):
        kf.export.export_path(tmp_path / "missing.keras", "onnx", tmp_path)


# ------------------------------------------------------------- SavedModel --
@pytest.mark.skipif(
    keras.backend.backend() not in SAVED_MODEL_BACKENDS, reason="SavedModel needs TF or JAX"
)
def test_saved_model_matches_keras(tmp_path):
    import tensorflow as tf

    model = _bigan_like()
    written = kf.export.export_saved_model(model, tmp_path / "sm", preset="demo")
    assert set(written) == {"generator", "encoder"}
    for role, path in written.items():
        network = getattr(model, role)
        loaded = tf.saved_model.load(path)
        for batch in (1, 64):
            x = _inputs(network, batch)
            actual = loaded.serve(x).numpy()
            expected = network.predict(x, batch_size=batch, verbose=0)
            assert np.max(np.abs(actual - expected)) <= TOL
        meta = json.loads((Path(path) / kf.export.SAVED_MODEL_METADATA).read_text())
        assert meta["role"] == role and meta["preset"] == "demo"
    # Re-exporting replaces a SavedModel; an unrelated directory is refused.
    kf.export.export_saved_model(model, tmp_path / "sm")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not a SavedModel"):
        kf.export.export_saved_model(model.generator, tmp_path / "other")
    assert (tmp_path / "other" / "notes.txt").read_text() == "keep me"


@pytest.mark.skipif(keras.backend.backend() in SAVED_MODEL_BACKENDS, reason="torch only")
def test_saved_model_on_torch_says_what_to_do(tmp_path):
    with pytest.raises(NotImplementedError, match="TensorFlow or JAX backend.*ONNX"):
        kf.export.export_saved_model(_generator(), tmp_path / "sm")
    assert not (tmp_path / "sm").exists()


# -------------------------------------------------- export_path and parity --
def test_export_path_and_parity_check(tmp_path, capsys):
    gan = kf.GAN(_generator(), kf.networks.dcgan28_discriminator(width=WIDTH), seed=1)
    gan.save(tmp_path / "gan.keras")
    written = kf.export.export_path(tmp_path / "gan.keras", "onnx", tmp_path / "out")
    assert written == {"generator": str(tmp_path / "out" / "generator.onnx")}
    assert _metadata(written["generator"])["objective"] == "GAN"

    parity_check = load_module("export/parity_check.py")
    assert parity_check.main([str(tmp_path / "gan.keras")]) == 0
    out = capsys.readouterr().out
    assert "generator batch    1" in out and "generator batch   64" in out and "FAIL" not in out
    assert parity_check.main([str(tmp_path / "gan.keras"), "--tolerance", "0"]) in (0, 1)
    if importlib.util.find_spec("keras_fgan.zoo") is None:
        with pytest.raises(SystemExit) as exit_info:
            parity_check.main(["--preset", "anything"])
        assert exit_info.value.code == 2
        assert "zoo not available" in capsys.readouterr().err


def test_export_package_imports_exporters_lazily():
    """`import keras_fgan.export` must stay cheap: onnx, tf2onnx, jax2onnx and
    tensorflow are imported inside the functions that use them."""
    top_level = set()
    for path in sorted((ROOT / "keras_fgan/export").glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Import):
                top_level.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                top_level.add((node.module or "").split(".")[0])
    assert top_level <= {"contextlib", "functools", "json", "math", "os", "shutil",
                         "tempfile", "warnings", "pathlib", "zipfile", "keras", "keras_fgan"}, top_level

