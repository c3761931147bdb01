"""Model zoo: the packaged registry, sources, the verified cache, loading on
every backend, cross-backend reference outputs, hostile servers and caches,
and honest model cards.

Run once per backend (KERAS_BACKEND=tensorflow|jax|torch); each run checks the
presets against the reference outputs stored when they were made (with
TensorFlow), so passing on all three means the backends agree to 1e-5.
The installed-wheel checks are in test_zoo_install.py.
"""

import collections
import functools
import http.server
import json
import re
import shutil
import socket
import sys
import threading
import tomllib
from pathlib import Path

import keras
import numpy as np
import pytest

import keras_fgan as kf
from keras_fgan import cli
from keras_fgan import zoo
from keras_fgan.evaluation import classifier as clf
from keras_fgan.fileio import sha256_of
from keras_fgan.zoo import registry
from keras_fgan.zoo import sources

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


def _closed_url():
    """An http URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory):
    return tmp_path_factory.mktemp("keras_home")


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh, empty KERAS_HOME, no KERAS_FGAN_ZOO_URL, an unreachable
    release location and no index read yet: the checkout's zoo/ is the only
    source."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.delenv(zoo.ZOO_URL_ENV, raising=False)
    monkeypatch.setattr(sources, "RELEASE_URL", _closed_url())
    monkeypatch.setattr(sources, "_INDEXES", {})
    return tmp_path / "keras_home"


@pytest.fixture
def no_local_copy(home, monkeypatch):
    """As `home`, without the checkout's zoo/ (or an installed data package):
    only KERAS_FGAN_ZOO_URL (when set) and the unreachable release remain."""
    monkeypatch.setattr(sources, "local_copies", lambda: [])
    return home


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
    """A threaded http.server on 127.0.0.1 that counts GET requests per path."""

    def __init__(self, directory, handler=_Handler):
        self.requests = collections.Counter()
        counter = self.requests

        class Counting(handler):
            def do_GET(self):
                counter[self.path] += 1
                super().do_GET()

        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Counting, directory=str(directory))
        )
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


def _served_copy(tmp_path, *names):
    root = tmp_path / "served"
    for name in names:
        shutil.copytree(REPO_ZOO / name, root / name)
    return root


def _trusted_files(home, name):
    """Files in the cache a later load would trust (right name, not temporary)."""
    folder = Path(home) / "keras_fgan" / "zoo" / name
    if not folder.is_dir() or folder.is_symlink():
        return []
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def _leftovers(home):
    """Temporary files left in the cache."""
    root = Path(home) / "keras_fgan" / "zoo"
    return [p for p in root.rglob(".*")] if root.exists() else []


def _files_outside(tmp_path, *inside):
    """Every file and link under tmp_path that is not under one of `inside`."""
    inside = [Path(p) for p in inside]
    return sorted(
        str(p) for p in tmp_path.rglob("*")
        if (p.is_file() or p.is_symlink()) and not any(p.is_relative_to(i) for i in inside)
    )


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
            assert sha256_of(path) == info["sha256"], f"{path}: stale sha256 in preset.json"
        if preset["class"] != "Classifier":
            assert {"model.keras", "README.md", "samples.png", "reference.npz"} <= set(preset["files"])


def test_packaged_registry_and_index_match_the_zoo_folder():
    """registry.json (inside the package) and zoo/index.json are what
    scripts/train_zoo.py writes from zoo/*/preset.json, and stay small."""
    built = registry.build(REPO_ZOO)
    assert json.loads(registry.REGISTRY_PATH.read_text()) == built, (
        "keras_fgan/zoo/registry.json is stale: run scripts/train_zoo.py --readme"
    )
    assert json.loads((REPO_ZOO / "index.json").read_text()) == built
    folders = sorted(p.parent.name for p in REPO_ZOO.glob("*/preset.json"))
    assert sorted(built["presets"]) == folders
    assert registry.REGISTRY_PATH.stat().st_size < 100_000
    # The data package (`pip install ./zoo`) ships every preset folder as a package.
    data_package = tomllib.loads((REPO_ZOO / "pyproject.toml").read_text())
    assert data_package["tool"]["setuptools"]["packages"] == ["keras_fgan_zoo"] + [
        f"keras_fgan_zoo.{name}" for name in folders
    ], "zoo/pyproject.toml's packages are stale: run scripts/train_zoo.py --readme"
    for entry in built["presets"].values():
        assert {"class", "description", "recipe", "metrics", "files"} <= set(entry)
        assert entry["metrics"], "headline metrics missing"
        assert not any(isinstance(v, (list, dict)) for v in entry["metrics"].values())


def test_registry_needs_no_files_or_network(no_local_copy, monkeypatch):
    monkeypatch.setenv(zoo.ZOO_URL_ENV, _closed_url())
    assert zoo.list_presets() == sorted(PRESETS)
    assert zoo.preset_config("gan_ring")["data"] == "ring"
    assert zoo.preset_info("bigan_ring")["class"] == "BiGAN"
    assert not (no_local_copy / "keras_fgan").exists()


def test_unknown_name_lists_close_matches():
    with pytest.raises(ValueError, match="gan_ring") as info:
        zoo.load("gan_rnig")
    assert "Did you mean" in str(info.value)
    with pytest.raises(ValueError, match="Available presets"):
        zoo.preset_config("no_such_model")


@pytest.mark.parametrize("name", ["../../x", "/abs/x", "a/b", "..", "", "Gan_Ring", "gan ring", "gan_ring\n", 3])
def test_names_are_checked_before_any_path(name, home, tmp_path):
    for call in (zoo.download, zoo.load, zoo.model_card, zoo.preset_info, lambda n: zoo.preset_file(n, "README.md")):
        with pytest.raises(ValueError, match=r"\(\[a-z0-9_\]\+\)\. Received: name="):
            call(name)
    assert _files_outside(tmp_path) == []
    assert not home.exists()


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


def test_cli_zoo_list_show_download(home, capsys):
    assert cli.main(["zoo", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == zoo.list_presets()
    assert any(line.split()[:2] == ["wgan_gp_ring", "WGAN"] for line in lines)
    assert cli.main(["zoo", "show", "gan_ring"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# gan_ring")
    picture = Path(re.search(r"^picture: (.+)$", out, re.MULTILINE).group(1))
    assert picture == home / "keras_fgan" / "zoo" / "gan_ring" / "samples.png"
    assert sha256_of(picture) == PRESETS["gan_ring"]["files"]["samples.png"]["sha256"]
    assert cli.main(["zoo", "download", "bigan_ring"]) == 0
    assert capsys.readouterr().out.strip() == str(home / "keras_fgan" / "zoo" / "bigan_ring")
    assert _trusted_files(home, "bigan_ring") == sorted([*PRESETS["bigan_ring"]["files"], "preset.json"])
    assert cli.main(["zoo", "download", "../../x"]) == 1
    assert "[a-z0-9_]+" in capsys.readouterr().err


# ---------------------------------------------------------------- sources --

def test_http_download_is_cached_and_reused_offline(no_local_copy, tmp_path, monkeypatch):
    home = no_local_copy
    name = _smallest()
    server = _Server(_served_copy(tmp_path, name))
    monkeypatch.setenv(zoo.ZOO_URL_ENV, server.url)
    try:
        folder = zoo.download(name)
    finally:
        server.stop()
    assert sorted(PRESETS[name]["files"]) == sorted(set(_trusted_files(home, name)) - {"preset.json"})
    assert json.loads((folder / "preset.json").read_text()) == PRESETS[name]
    assert not _leftovers(home)
    # The server is gone: the cached, verified files are used offline.
    model = zoo.load(name)
    assert type(model).__name__ == PRESETS[name]["class"]
    assert zoo.download(name) == folder


def test_each_file_and_the_index_are_fetched_once_per_process(no_local_copy, tmp_path, monkeypatch, capsys):
    served = _served_copy(tmp_path, "gan_ring", "bigan_ring")
    zoo.write_index(served)
    server = _Server(served)
    monkeypatch.setenv(zoo.ZOO_URL_ENV, server.url)
    try:
        zoo.load("gan_ring")
        zoo.load_generator("gan_ring")
        kf.GAN.from_preset("gan_ring")
        zoo.model_card("gan_ring")
        zoo.load_encoder("bigan_ring")
        zoo.download("bigan_ring")
    finally:
        server.stop()
    expected = {f"/{n}/{f}" for n in ("gan_ring", "bigan_ring") for f in PRESETS[n]["files"]}
    assert set(server.requests) == expected | {"/index.json"}
    assert max(server.requests.values()) == 1, server.requests
    assert "Fetching" not in capsys.readouterr().out  # no progress bar for small files


def test_progress_bar_only_for_large_files(no_local_copy, tmp_path, monkeypatch, capsys):
    name = _smallest()
    server = _Server(_served_copy(tmp_path, name))
    monkeypatch.setenv(zoo.ZOO_URL_ENV, server.url)
    monkeypatch.setattr(sources, "PROGRESS_MIN_BYTES", PRESETS[name]["files"]["model.keras"]["size"])
    try:
        zoo.download(name)
    finally:
        server.stop()
    out = capsys.readouterr().out
    assert f"Fetching {name}/model.keras" in out
    assert "README.md" not in out and "reference.npz" not in out


def test_index_narrows_and_never_adds(no_local_copy, tmp_path, monkeypatch):
    """An index that lacks a preset makes its source skip it; names it adds
    are ignored."""
    name = _smallest()
    assert name != "gan_ring"
    served = _served_copy(tmp_path, name)
    index = registry.build(served)
    index["presets"]["brand_new"] = index["presets"][name]
    (served / "index.json").write_text(json.dumps(index))
    server = _Server(served)
    monkeypatch.setenv(zoo.ZOO_URL_ENV, server.url)
    try:
        zoo.download(name)
        assert zoo.list_presets() == sorted(PRESETS)
        with pytest.raises(ValueError, match="Unknown preset 'brand_new'"):
            zoo.download("brand_new")
        with pytest.raises(zoo.ZooDownloadError, match="does not list gan_ring/README.md") as info:
            zoo.model_card("gan_ring")
    finally:
        server.stop()
    assert zoo.ZOO_URL_ENV in str(info.value) and sources.INSTALL_LOCAL_COPY in str(info.value)
    assert "/gan_ring/README.md" not in server.requests


def test_data_package_is_a_local_copy(home, tmp_path, monkeypatch):
    """An installed `keras_fgan_zoo` (pip install ./zoo) is found through
    importlib and used without the checkout."""
    monkeypatch.setattr(registry, "repository_zoo_dir", lambda: None)
    name = _smallest()
    package = tmp_path / "site" / sources.DATA_PACKAGE
    shutil.copytree(REPO_ZOO / name, package / name)
    (package / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    assert sources.local_copies() == [(package, f"data package {sources.DATA_PACKAGE}")]
    assert sources.DATA_PACKAGE not in sys.modules  # found, not imported
    assert zoo.download(name) == home / "keras_fgan" / "zoo" / name


def test_no_source_names_the_variable_and_the_install_command(no_local_copy):
    with pytest.raises(zoo.ZooDownloadError) as info:
        zoo.load("gan_ring")
    message = str(info.value)
    assert message.startswith("No source has gan_ring/")
    assert f"Set {zoo.ZOO_URL_ENV} to a URL or folder" in message
    assert "`pip install ./zoo` from a keras-fgan checkout" in message
    assert sources.RELEASE_URL in message and "not set" in message
    assert "\n" not in message  # the CLI prints the first line only
    assert _trusted_files(no_local_copy, "gan_ring") == []


def test_classifier_resolves_through_the_zoo_sources(no_local_copy, tmp_path, monkeypatch):
    name = clf.CLASSIFIER_DIR_NAME
    served = _served_copy(tmp_path, name)
    server = _Server(served)
    monkeypatch.setenv(zoo.ZOO_URL_ENV, server.url)
    try:
        model = kf.evaluation.load_classifier()
    finally:
        server.stop()
    assert clf.classifier_dir() == no_local_copy / "keras_fgan" / "zoo" / name
    assert tuple(model.output.shape) == (None, 10)
    assert set(server.requests) == {"/index.json"} | {f"/{name}/{f}" for f in PRESETS[name]["files"]}
    # A tampered copy behind KERAS_FGAN_ZOO_URL is refused before Keras reads it.
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "other_home"))
    weights = served / name / clf.WEIGHTS_FILE
    blob = bytearray(weights.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    weights.write_bytes(bytes(blob))
    monkeypatch.setenv(zoo.ZOO_URL_ENV, str(served))
    with pytest.raises(zoo.ZooIntegrityError, match=f"{name}/{clf.WEIGHTS_FILE}"):
        kf.evaluation.load_classifier()


# ------------------------------------------------------ hostile sources --

@pytest.mark.parametrize("damage", ["tampered", "truncated", "extended"])
@pytest.mark.parametrize("scheme", ["http", "file", "dir"])
def test_hash_mismatch_is_refused_and_not_cached(damage, scheme, no_local_copy, tmp_path, monkeypatch):
    home = no_local_copy
    name = _smallest()
    served = _served_copy(tmp_path, name)
    target = served / name / "model.keras"
    data = target.read_bytes()
    data = {
        "tampered": data[:100] + bytes([data[100] ^ 0xFF]) + data[101:],
        "truncated": data[: len(data) // 3],
        "extended": data + b"\0" * 4096,
    }[damage]
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
    assert isinstance(info.value, zoo.ZooIntegrityError)
    assert f"{name}/model.keras" in message
    assert PRESETS[name]["files"]["model.keras"]["sha256"] in message
    if damage == "extended":
        assert f"more than {PRESETS[name]['files']['model.keras']['size']} bytes" in message
    else:
        assert sha256_of(target) in message
    assert "model.keras" not in _trusted_files(home, name)
    assert not _leftovers(home)
    assert _files_outside(tmp_path, served, home / "keras_fgan" / "zoo") == []


@pytest.mark.parametrize("bad_name", ["../../x", "/abs/x", "a/b"])
def test_hostile_index_with_a_path_name_is_refused(bad_name, no_local_copy, tmp_path, monkeypatch, capsys):
    home = no_local_copy
    name = _smallest()
    served = _served_copy(tmp_path, name)
    index = registry.build(served)
    index["presets"][bad_name] = index["presets"][name]
    (served / "index.json").write_text(json.dumps(index))
    server = _Server(served)
    monkeypatch.setenv(zoo.ZOO_URL_ENV, server.url)
    try:
        with pytest.raises(zoo.ZooIntegrityError) as info:
            zoo.download(name)
        with pytest.raises(ValueError, match=re.escape(f"Received: name={bad_name!r}")):
            zoo.download(bad_name)
        assert cli.main(["zoo", "download", "all"]) == 1
    finally:
        server.stop()
    message = str(info.value)
    assert f"a preset named {bad_name!r}" in message and f"index.json of {zoo.ZOO_URL_ENV}" in message
    assert f"a preset named {bad_name!r}" in capsys.readouterr().err
    assert set(server.requests) == {"/index.json"}  # read once, no file fetched
    assert _trusted_files(home, name) == []
    assert not _leftovers(home)
    assert _files_outside(tmp_path, served, home / "keras_fgan" / "zoo") == []


def test_hostile_index_with_another_hash_is_refused(no_local_copy, tmp_path, monkeypatch):
    """A server whose index and file agree with each other, but not with the
    packaged registry: its hashes protect nothing, and are not used."""
    home = no_local_copy
    name = _smallest()
    served = _served_copy(tmp_path, name)
    evil = served / name / "model.keras"
    evil.write_bytes(evil.read_bytes() + b"payload")
    index = registry.build(served)
    index["presets"][name]["files"]["model.keras"] = {"sha256": sha256_of(evil), "size": evil.stat().st_size}
    (served / "index.json").write_text(json.dumps(index))
    server = _Server(served)
    monkeypatch.setenv(zoo.ZOO_URL_ENV, server.url)
    try:
        with pytest.raises(zoo.ZooIntegrityError, match=f"{name}/model.keras with sha256 {sha256_of(evil)}"):
            zoo.load(name)
        (served / "index.json").unlink()  # the same file without the index
        monkeypatch.setattr(sources, "_INDEXES", {})
        with pytest.raises(zoo.ZooIntegrityError, match=f"{name}/model.keras from"):
            zoo.load(name)
    finally:
        server.stop()
    assert "model.keras" not in _trusted_files(home, name)
    assert not _leftovers(home)


def test_interrupted_transfer_leaves_nothing(no_local_copy, tmp_path, monkeypatch):
    home = no_local_copy
    name = _smallest()
    server = _Server(_served_copy(tmp_path, name), handler=_ShortHandler)
    monkeypatch.setenv(zoo.ZOO_URL_ENV, server.url)
    try:
        with pytest.raises((OSError, ValueError), match="README.md|model.keras|reference.npz|samples.png") as info:
            zoo.download(name)
    finally:
        server.stop()
    assert "interrupted" in str(info.value)
    assert _trusted_files(home, name) == []
    assert not _leftovers(home)


def test_unreachable_server_gives_clear_error(no_local_copy, tmp_path, monkeypatch):
    home = no_local_copy
    name = _smallest()
    url = _closed_url()
    monkeypatch.setenv(zoo.ZOO_URL_ENV, url)
    with pytest.raises(OSError, match=re.escape(url)) as info:
        zoo.load(name)
    assert isinstance(info.value, zoo.ZooDownloadError)
    assert "No source has" in str(info.value)
    assert _trusted_files(home, name) == []
    assert not _leftovers(home)


def test_corrupt_cached_file_is_removed_and_refetched(home, monkeypatch):
    name = _smallest()
    folder = zoo.download(name)
    cached = folder / "model.keras"
    cached.write_bytes(cached.read_bytes()[:50])
    # No reachable source: the corrupt file is dropped, not trusted.
    with monkeypatch.context() as m:
        m.setattr(sources, "local_copies", lambda: [])
        with pytest.raises(OSError):
            zoo.load(name)
    assert not cached.exists()
    # Reachable again (the repository's zoo): fetched again and verified.
    zoo.load(name)
    assert sha256_of(cached) == PRESETS[name]["files"]["model.keras"]["sha256"]


def test_unsupported_scheme(home, monkeypatch):
    monkeypatch.setenv(zoo.ZOO_URL_ENV, "ftp://example.com/zoo")
    with pytest.raises(ValueError, match="unsupported scheme"):
        zoo.download(_smallest())


# -------------------------------------------------------- hostile caches --

@pytest.mark.parametrize("entry", ["folder_link", "plain_file", "file_link", "folder_for_file"])
def test_hostile_cache_entries_are_refused(entry, home, tmp_path):
    name = _smallest()
    folder = home / "keras_fgan" / "zoo" / name
    folder.parent.mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "model.keras").write_bytes(b"not a model")
    if entry == "folder_link":
        folder.symlink_to(outside, target_is_directory=True)
    elif entry == "plain_file":
        folder.write_text("not a folder")
    else:
        folder.mkdir()
        if entry == "file_link":
            (folder / "model.keras").symlink_to(outside / "model.keras")
        else:
            (folder / "model.keras").mkdir()
    with pytest.raises(zoo.ZooIntegrityError) as info:
        zoo.load(name)
    message = str(info.value)
    assert f"{name}/" in message and str(folder.parent.resolve() / name) in message
    assert ("symbolic link" in message) == entry.endswith("link")
    assert sorted(p.name for p in outside.iterdir()) == ["model.keras"]
    assert (outside / "model.keras").read_bytes() == b"not a model"
    assert folder.is_symlink() == (entry == "folder_link")
    if entry == "file_link":
        assert (folder / "model.keras").is_symlink()
    assert not _leftovers(home)


# ------------------------------------------------------------ model cards --

@pytest.mark.parametrize("name", PLANE_PRESETS)
def test_plane_preset_meets_target_or_card_says_so(name):
    preset = json.loads((REPO_ZOO / name / "preset.json").read_text())
    metrics = preset["metrics"]
    num_modes = {"ring": 8, "grid": 25}[preset["recipe"]["data"]]
    per_seed = metrics["per_seed"]
    assert len(per_seed) == 5
    meets = all(s["modes"] == num_modes and s["high_quality"] >= 0.9 for s in per_seed)
    assert metrics["meets_target"] == meets
    assert PRESETS[name]["metrics"]["meets_target"] == meets  # the packaged headline
    card = (REPO_ZOO / name / "README.md").read_text()
    if meets:
        assert "**Meets the target**" in card
    else:
        assert "**Does not meet the target**" in card
        assert f"{metrics['modes_mean']:.1f}" in card
        assert f"{metrics['high_quality_mean']:.1%}" in card
    for s in per_seed:
        assert f"| {s['seed']} | {s['modes']}/{num_modes} | {s['high_quality']:.4f} |" in card
