"""Model zoo: registry, verified download and cache, loading on every backend,
cross-backend reference outputs, and honest model cards.

Run once per backend (KERAS_BACKEND=tensorflow|jax|torch); each run checks the
presets against the reference outputs stored when they were made (with
TensorFlow), so passing on all three means the backends agree to 1e-5.
"""

import functools
import http.server
import re
import shutil
import threading
from pathlib import Path

import keras
import numpy as np
import pytest

import keras_fgan as kf
from keras_fgan import zoo

REPO_ZOO = Path(__file__).resolve().parents[1] / "zoo"
ATOL = 1e-5
# float32 matmuls accumulate in a different order per backend; one grid preset
# differs by 1.05e-5 on JAX, so a relative 1e-5 is allowed on top of the absolute 1e-5.
RTOL = 1e-5


# ---------------------------------------------------------------- helpers --

def _presets():
    return {name: zoo.preset_info(name) for name in zoo.list_presets()}


PRESETS = _presets()
MODEL_PRESETS = sorted(n for n, p in PRESETS.items() if p["class"] != "Classifier")
PLANE_PRESETS = sorted(n for n in MODEL_PRESETS if PRESETS[n]["recipe"]["data"] in ("ring", "grid"))


def _smallest():
    return min(MODEL_PRESETS, key=lambda n: sum(f["size"] for f in PRESETS[n]["files"].values()))


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory):
    return tmp_path_factory.mktemp("keras_home")


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh, empty KERAS_HOME and the default (repository) zoo location."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.delenv(zoo.ZOO_URL_ENV, raising=False)
    return tmp_path / "keras_home"


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _ShortHandler(_Handler):
    """Announces the full Content-Length but sends only half the bytes
    (an interrupted transfer)."""

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            return super().do_GET()
        data = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        self.close_connection = True


class _Server:
    def __init__(self, directory, handler=_Handler):
        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(handler, directory=str(directory))
        )
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


def _served_copy(tmp_path, name):
    root = tmp_path / "served"
    shutil.copytree(REPO_ZOO / name, root / name)
    return root


def _trusted_files(home, name):
    """Files in the cache a later load would trust (right name, not partial)."""
    folder = Path(home) / "keras_fgan" / "zoo" / name
    if not folder.exists():
        return []
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def _leftovers(home):
    root = Path(home) / "keras_fgan" / "zoo"
    return [p for p in root.rglob("*") if ".partial-" in p.name] if root.exists() else []


# --------------------------------------------------------------- registry --

def test_registry_lists_every_preset_with_files():
    names = zoo.list_presets()
    assert names == sorted(names)
    assert "fashion_mnist_classifier" in names
    for data in ("ring", "grid"):
        for stem in ["gan", "gan_minimax", "wgan_clip", "wgan_gp", "bigan"] + [
            f"fgan_{d}" for d in kf.divergences.names()
        ]:
            assert f"{stem}_{data}" in names
    for name, preset in PRESETS.items():
        assert preset["name"] == name
        for fname, info in preset["files"].items():
            path = REPO_ZOO / name / fname
            assert path.is_file(), path
            assert path.stat().st_size == info["size"], path
            assert zoo.sha256_of(path) == info["sha256"], f"{path}: stale sha256 in preset.json"
        if preset["class"] != "Classifier":
            assert {"model.keras", "README.md", "samples.png", "reference.npz"} <= set(preset["files"])


def test_unknown_name_lists_close_matches():
    with pytest.raises(ValueError, match="gan_ring") as info:
        zoo.load("gan_rnig")
    assert "Did you mean" in str(info.value)
    with pytest.raises(ValueError, match="Available presets"):
        zoo.preset_config("no_such_model")


def test_preset_config_and_card(home):
    config = zoo.preset_config("gan_ring")
    assert config["objective"] == "gan" and config["data"] == "ring"
    card = zoo.model_card("gan_ring")
    assert card.startswith("# gan_ring")
    assert "scripts/train_zoo.py --preset gan_ring" in card


def test_zoo_size_under_80_mb():
    total = sum(p.stat().st_size for p in REPO_ZOO.rglob("*") if p.is_file())
    assert total < 80 * 2**20, f"zoo/ is {total / 2**20:.1f} MiB"


# ---------------------------------------------------------------- loading --

@pytest.mark.parametrize("name", MODEL_PRESETS)
def test_preset_loads_and_matches_reference(name, shared_home, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(shared_home))
    monkeypatch.delenv(zoo.ZOO_URL_ENV, raising=False)
    model = zoo.load(name)
    assert type(model).__name__ == PRESETS[name]["class"]
    ref = np.load(zoo.download(name) / "reference.npz")
    out = keras.ops.convert_to_numpy(model.generator(ref["z"], training=False))
    np.testing.assert_allclose(out, ref["x"], atol=ATOL, rtol=RTOL)
    if "encoder_x" in ref:
        codes = keras.ops.convert_to_numpy(model.encoder(ref["encoder_x"], training=False))
        np.testing.assert_allclose(codes, ref["encoder_z"], atol=ATOL, rtol=RTOL)


def test_classifier_preset_loads(home):
    classifier = zoo.load("fashion_mnist_classifier")
    assert tuple(classifier.output.shape) == (None, 10)
    with pytest.raises(ValueError, match="no generator"):
        zoo.load_generator("fashion_mnist_classifier")


def test_generator_encoder_and_from_preset(home):
    generator = zoo.load_generator("gan_ring")
    assert tuple(generator.output.shape)[1:] == (2,)
    encoder = zoo.load_encoder("bigan_ring")
    assert tuple(encoder.output.shape)[1:] == (PRESETS["bigan_ring"]["recipe"]["latent_dim"],)
    with pytest.raises(ValueError, match="no encoder.*bigan_ring"):
        zoo.load_encoder("gan_ring")
    assert isinstance(kf.WGAN.from_preset("wgan_gp_ring"), kf.WGAN)
    assert isinstance(kf.AdversarialModel.from_preset("gan_ring"), kf.GAN)
    with pytest.raises(ValueError, match=r"'gan_ring' is a GAN.*not a WGAN.*kf\.GAN\.from_preset"):
        kf.WGAN.from_preset("gan_ring")


# --------------------------------------------------------------- download --

def test_http_download_is_cached_and_reused_offline(home, tmp_path, monkeypatch):
    name = _smallest()
    server = _Server(_served_copy(tmp_path, name))
    monkeypatch.setenv(zoo.ZOO_URL_ENV, server.url)
    try:
        folder = zoo.download(name)
    finally:
        server.stop()
    assert sorted(PRESETS[name]["files"]) == sorted(set(_trusted_files(home, name)) - {"preset.json"})
    assert not _leftovers(home)
    # The server is gone: the cached, verified files are used offline.
    model = zoo.load(name)
    assert type(model).__name__ == PRESETS[name]["class"]
    assert zoo.download(name) == folder


def test_registry_from_index_without_checkout(home, tmp_path, monkeypatch):
    name = _smallest()
    served = _served_copy(tmp_path, name)
    zoo.write_index(served)
    server = _Server(served)
    monkeypatch.setenv(zoo.ZOO_URL_ENV, server.url)
    monkeypatch.setattr(zoo, "repository_zoo_dir", lambda: tmp_path / "no_checkout")
    try:
        assert zoo.list_presets() == [name]
        zoo.download(name)
    finally:
        server.stop()
    assert zoo.list_presets() == [name]  # the cached index works offline


@pytest.mark.parametrize("damage", ["tampered", "truncated"])
@pytest.mark.parametrize("scheme", ["http", "file", "dir"])
def test_hash_mismatch_is_refused_and_not_cached(damage, scheme, home, tmp_path, monkeypatch):
    name = _smallest()
    served = _served_copy(tmp_path, name)
    target = served / name / "model.keras"
    data = target.read_bytes()
    if damage == "tampered":
        data = data[:100] + bytes([data[100] ^ 0xFF]) + data[101:]
    else:
        data = data[: len(data) // 3]
    target.write_bytes(data)
    server = _Server(served) if scheme == "http" else None
    url = {"http": server.url if server else None, "file": served.as_uri(), "dir": str(served)}[scheme]
    monkeypatch.setenv(zoo.ZOO_URL_ENV, url)
    try:
        with pytest.raises(ValueError) as info:
            zoo.load(name)
    finally:
        if server:
            server.stop()
    message = str(info.value)
    assert f"{name}/model.keras" in message
    assert PRESETS[name]["files"]["model.keras"]["sha256"] in message
    assert zoo.sha256_of(target) in message
    assert isinstance(info.value, zoo.ZooIntegrityError)
    assert "model.keras" not in _trusted_files(home, name)
    assert not _leftovers(home)


def test_interrupted_transfer_leaves_nothing(home, tmp_path, monkeypatch):
    name = _smallest()
    server = _Server(_served_copy(tmp_path, name), handler=_ShortHandler)
    monkeypatch.setenv(zoo.ZOO_URL_ENV, server.url)
    try:
        with pytest.raises((OSError, ValueError), match="README.md|model.keras|reference.npz|samples.png"):
            zoo.download(name)
    finally:
        server.stop()
    assert _trusted_files(home, name) == []
    assert not _leftovers(home)


def test_unreachable_server_gives_clear_error(home, tmp_path, monkeypatch):
    name = _smallest()
    server = _Server(tmp_path)
    url = server.url
    server.stop()
    monkeypatch.setenv(zoo.ZOO_URL_ENV, url)
    with pytest.raises(OSError, match=re.escape(url)) as info:
        zoo.load(name)
    assert isinstance(info.value, zoo.ZooDownloadError)
    assert "Could not fetch" in str(info.value)
    assert _trusted_files(home, name) == []
    assert not _leftovers(home)


def test_corrupt_cached_file_is_removed_and_refetched(home, tmp_path, monkeypatch):
    name = _smallest()
    folder = zoo.download(name)
    cached = folder / "model.keras"
    cached.write_bytes(cached.read_bytes()[:50])
    # Unreachable base: the corrupt file is dropped, not trusted.
    server = _Server(tmp_path)
    url = server.url
    server.stop()
    monkeypatch.setenv(zoo.ZOO_URL_ENV, url)
    with pytest.raises(OSError):
        zoo.load(name)
    assert not cached.exists()
    # Reachable again (the repository's zoo): fetched again and verified.
    monkeypatch.delenv(zoo.ZOO_URL_ENV)
    zoo.load(name)
    assert zoo.sha256_of(cached) == PRESETS[name]["files"]["model.keras"]["sha256"]


def test_unsupported_scheme(home, monkeypatch):
    monkeypatch.setenv(zoo.ZOO_URL_ENV, "ftp://example.com/zoo")
    with pytest.raises(ValueError, match="unsupported scheme"):
        zoo.download(_smallest())


# ------------------------------------------------------------ model cards --

@pytest.mark.parametrize("name", PLANE_PRESETS)
def test_plane_preset_meets_target_or_card_says_so(name):
    preset = PRESETS[name]
    metrics = preset["metrics"]
    num_modes = {"ring": 8, "grid": 25}[preset["recipe"]["data"]]
    per_seed = metrics["per_seed"]
    assert len(per_seed) == 5
    meets = all(s["modes"] == num_modes and s["high_quality"] >= 0.9 for s in per_seed)
    assert metrics["meets_target"] == meets
    card = (REPO_ZOO / name / "README.md").read_text()
    if meets:
        assert "**Meets the target**" in card
    else:
        assert "**Does not meet the target**" in card
        assert f"{metrics['modes_mean']:.1f}" in card
        assert f"{metrics['high_quality_mean']:.1%}" in card
    for s in per_seed:
        assert f"| {s['seed']} | {s['modes']}/{num_modes} | {s['high_quality']:.4f} |" in card
