"""keras-fgan as a stranger gets it: built with `pip wheel`, installed into a
fresh virtual environment, used from an empty folder with no project variables.

The fresh environment holds only the wheels and reuses this environment's
dependencies (Keras, the backends, ...) through one `.pth` line. Python does
not run the `.pth` files of a folder added that way, so the checkout's
editable keras_fgan stays invisible (checked: `keras_fgan.__file__` lies in the
new environment). Nothing reaches the network: `pip` runs with `--no-index`,
and `https_proxy` points at a closed local port, so the default release
location cannot be reached.

- Both wheels (keras-fgan and `keras_fgan_zoo`, the zoo's data package):
  presets load from the installed local copy, `keras-fgan demo` trains,
  exports and evaluates with the Fashion-MNIST classifier (printing no line
  of TensorFlow's C++ logging), and `keras-fgan zoo download all` fills the
  cache.
- The keras-fgan wheel with `KERAS_FGAN_ZOO_URL` at a local HTTP server that
  serves `zoo/`: the same loads and `zoo download all` in one process fetch
  each file and the index at most once; with the variable removed and a fresh
  cache, loading fails with a message that says how to get the files.
- The keras-fgan wheel alone: the `keras-fgan-serve` command serves an
  exported generator.

Loading, training and evaluating run on every backend. The checks that do not
depend on the backend and cost a process start each (`keras-fgan zoo download
all` as a command, the service) run once, under PyTorch.
"""

import collections
import functools
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import threading
import urllib.request
from pathlib import Path

import keras
import pytest

import keras_fgan as kf

pytestmark = pytest.mark.slow  # builds wheels and starts a few processes per backend

ROOT = Path(__file__).resolve().parents[1]
BACKEND = keras.backend.backend()
TEST_SITE_PACKAGES = sysconfig.get_paths()["purelib"]
FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")
PRESETS = sorted(p.parent.name for p in (ROOT / "zoo").glob("*/preset.json"))
ONCE = pytest.mark.skipif(
    BACKEND != "torch",
    reason="does not depend on the backend (a command's files, the ONNX service): checked once, "
           "under torch (the shortest of CI's three concurrent runs)",
)
needs_fashion_mnist = pytest.mark.skipif(
    not (FASHION_MNIST / "train-images-idx3-ubyte.gz").is_file(),
    reason="Debian's dataset-fashion-mnist is not installed (make data); the installed demo reads it",
)
TIMEOUT_S = 300

# Runs inside the installed environment: uses the zoo the public way and prints
# what it saw as one JSON line.
USE_SCRIPT = r"""
import contextlib, io, json, os, sys
import keras, numpy as np
import keras_fgan as kf
from keras_fgan import cli

def max_diff(network, x, expected):
    return float(np.max(np.abs(keras.ops.convert_to_numpy(network(x, training=False)) - expected)))

def command(*argv):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = cli.main(list(argv))
    return {"status": status, "out": out.getvalue()}

report = {"keras_fgan": kf.__file__, "presets": kf.zoo.list_presets(),
          "local_copies": [str(folder) for folder, _ in kf.zoo.sources.local_copies()],
          "zoo_list": command("zoo", "list"), "zoo_show": command("zoo", "show", "gan_ring")}
ref = np.load(kf.zoo.preset_file("gan_ring", "reference.npz"))
report["generator"] = max_diff(kf.zoo.load_generator("gan_ring"), ref["z"], ref["x"])
ref = np.load(kf.zoo.preset_file("bigan_ring", "reference.npz"))
report["encoder"] = max_diff(kf.zoo.load_encoder("bigan_ring"), ref["encoder_x"], ref["encoder_z"])
report["from_preset"] = type(kf.WGAN.from_preset("wgan_gp_ring")).__name__
report["classifier"] = list(kf.evaluation.load_classifier().output.shape)
if "--download-all" in sys.argv:
    report["download_all"] = command("zoo", "download", "all")
if "--no-source" in sys.argv:  # no URL, a fresh cache, no local copy, the release unreachable
    del os.environ["KERAS_FGAN_ZOO_URL"]
    os.environ["KERAS_HOME"] = os.path.join(os.environ["HOME"], "fresh_keras_home")
    try:
        kf.zoo.load("gan_ring")
    except kf.zoo.ZooDownloadError as error:
        report["no_source"] = str(error)
print(json.dumps(report))
"""


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(args, *, env, cwd):
    result = subprocess.run(
        [str(a) for a in args], env=env, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_S
    )
    assert result.returncode == 0, f"{args}: exit {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-6000:]}"
    return result


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    """`pip wheel --no-deps` of keras-fgan and of the zoo's data package,
    each built from a copy of the sources (the checkout stays clean)."""
    work = tmp_path_factory.mktemp("wheels")
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "dist")
    shutil.copytree(ROOT / "keras_fgan", work / "src" / "keras_fgan", ignore=ignore)
    for path in [ROOT / "pyproject.toml", ROOT / "README.md", *ROOT.glob("*.py"), *ROOT.glob("LICENSE*")]:
        shutil.copy2(path, work / "src" / path.name)
    shutil.copytree(ROOT / "zoo", work / "zoo", ignore=ignore)
    for source in (work / "src", work / "zoo"):
        _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
              "-q", "-w", work / "dist", source], env=dict(os.environ), cwd=work)
    built = {path.name.split("-")[0]: path for path in (work / "dist").glob("*.whl")}
    assert sorted(built) == ["keras_fgan", "keras_fgan_zoo"], built
    return built


def _install(venv, *wheel_paths):
    """A fresh virtual environment holding only `wheel_paths`, with this
    environment's site-packages on its path; returns its bin folder."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=TIMEOUT_S)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q",
          *wheel_paths], env=dict(os.environ), cwd=venv)
    site = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                env=dict(os.environ), cwd=venv).stdout.strip()
    Path(site, "test_environment.pth").write_text(TEST_SITE_PACKAGES + "\n")
    return venv / "bin"


@pytest.fixture(scope="module")
def both_wheels(wheels, tmp_path_factory):
    """bin folder of an install of keras-fgan and its zoo's data package."""
    return _install(tmp_path_factory.mktemp("both") / "venv", wheels["keras_fgan"], wheels["keras_fgan_zoo"])


@pytest.fixture(scope="module")
def main_wheel(wheels, tmp_path_factory):
    """bin folder of an install of the keras-fgan wheel alone."""
    return _install(tmp_path_factory.mktemp("main") / "venv", wheels["keras_fgan"])


def _stranger(bin_dir, tmp_path):
    """(empty working folder, environment): a fresh HOME, the install's bin
    first on PATH, no project variables (nor `TF_CPP_MIN_LOG_LEVEL`, which the
    test runner sets), and https only through a closed proxy."""
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith("KERAS_FGAN_") and k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
        and k not in ("PYTHONPATH", "PYTHONHOME", "KERAS_HOME", "VIRTUAL_ENV", "TF_CPP_MIN_LOG_LEVEL")
    }
    env.update(HOME=str(tmp_path / "home"), PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
               https_proxy=f"http://127.0.0.1:{_closed_port()}")
    for folder in ("home", "cwd"):
        (tmp_path / folder).mkdir()
    return tmp_path / "cwd", env


def _use(bin_dir, env, cwd, *flags):
    """Runs USE_SCRIPT in the install and checks what every run must show."""
    out = _run([bin_dir / "python", "-c", USE_SCRIPT, *flags], env=env, cwd=cwd).stdout
    report = json.loads(out.strip().splitlines()[-1])
    assert Path(report["keras_fgan"]).is_relative_to(bin_dir.parent), report["keras_fgan"]
    assert report["presets"] == PRESETS
    assert report["zoo_list"]["status"] == 0
    assert [line.split()[0] for line in report["zoo_list"]["out"].splitlines()] == PRESETS
    shown = report["zoo_show"]["out"]
    assert report["zoo_show"]["status"] == 0 and shown.startswith("# gan_ring")
    picture = Path(shown.rsplit("picture: ", 1)[1].strip())
    assert picture == _cache_root(env) / "gan_ring" / "samples.png" and picture.is_file()
    assert report["generator"] < 1e-4 and report["encoder"] < 1e-4
    assert report["from_preset"] == "WGAN"
    assert report["classifier"] == [None, 10]
    return report


def _cache_root(env):
    return Path(env["HOME"]) / ".keras" / "keras_fgan" / "zoo"


def _cached(env):
    """{preset: sorted file names} in the zoo cache of a stranger's HOME."""
    root = _cache_root(env)
    return {p.name: sorted(f.name for f in p.iterdir()) for p in root.iterdir()} if root.exists() else {}


def _preset_files(name):
    return sorted(json.loads((ROOT / "zoo" / name / "preset.json").read_text())["files"])


FULL_CACHE = {name: sorted([*_preset_files(name), "preset.json"]) for name in PRESETS}


class _CountingServer:
    """http.server on 127.0.0.1 serving a folder, counting GETs per path."""

    def __init__(self, directory):
        self.requests = collections.Counter()
        counter = self.requests

        class Handler(http.server.SimpleHTTPRequestHandler):
            def do_GET(self):
                counter[self.path] += 1
                super().do_GET()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Handler, directory=str(directory))
        )
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


# ------------------------------------------------ both wheels: local copy --

@needs_fashion_mnist
def test_installed_wheels_load_train_and_evaluate(both_wheels, tmp_path):
    cwd, env = _stranger(both_wheels, tmp_path)
    report = _use(both_wheels, env, cwd)
    assert [Path(p).name for p in report["local_copies"]] == ["keras_fgan_zoo"]
    assert Path(report["local_copies"][0]).is_relative_to(both_wheels.parent)

    demo = _run(["keras-fgan", "demo", "--epochs", "1", "--limit", "512", "--eval-samples", "256",
                 "--out", "runs/demo"], env=env, cwd=cwd)
    summary = json.loads((cwd / "runs" / "demo" / "summary.json").read_text())
    assert summary["backend"] == BACKEND and summary["train_images"] == 512, demo.stdout[-2000:]
    # With TF_CPP_MIN_LOG_LEVEL unset, the command prints no line of
    # TensorFlow's C++ (absl) logging, on every backend (the JAX and PyTorch
    # ones load TensorFlow too, to seed it).
    native = [line for line in demo.stderr.splitlines()
              if re.match(r"[IWEF]\d{4} |WARNING: All log messages before absl", line)]
    assert native == [], native
    assert summary["sample_grids"] and all(Path(cwd, p).is_file() for p in summary["sample_grids"])
    onnx = summary["onnx"]["generator"] if isinstance(summary["onnx"], dict) else summary["onnx"]
    assert Path(cwd, onnx).is_file()
    # evaluated with the classifier, which came from the installed data package
    assert 0 < summary["metrics"]["frechet_distance"] < 1e3
    assert 0 <= summary["metrics"]["precision"] <= 1
    assert _cached(env)["fashion_mnist_classifier"] == FULL_CACHE["fashion_mnist_classifier"]
    # the pretrained GAN beside the one just trained
    pretrained = summary["pretrained"]
    assert pretrained["preset"] == "gan_fashion_mnist" and "unavailable" not in pretrained, pretrained
    for key in ("side_by_side", "grid"):
        assert Path(cwd, pretrained[key]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", pretrained[key]
    assert pretrained["metrics"]["frechet_distance"] > 0


@ONCE
def test_installed_wheels_zoo_download_all_command(both_wheels, tmp_path):
    cwd, env = _stranger(both_wheels, tmp_path)
    printed = _run(["keras-fgan", "zoo", "download", "all"], env=env, cwd=cwd).stdout.splitlines()
    assert printed[-len(PRESETS):] == [str(_cache_root(env) / name) for name in PRESETS]
    assert _cached(env) == FULL_CACHE


# ------------------------------------------ main wheel + KERAS_FGAN_ZOO_URL --

def test_installed_wheel_with_zoo_url_fetches_each_file_once(main_wheel, tmp_path):
    cwd, env = _stranger(main_wheel, tmp_path)
    server = _CountingServer(ROOT / "zoo")
    env["KERAS_FGAN_ZOO_URL"] = server.url
    try:
        report = _use(main_wheel, env, cwd, "--download-all", "--no-source")
    finally:
        server.stop()
    assert report["local_copies"] == []
    assert report["download_all"]["status"] == 0
    assert _cached(env) == FULL_CACHE
    served = {"/index.json"} | {f"/{name}/{f}" for name in PRESETS for f in _preset_files(name)}
    assert set(server.requests) == served
    assert max(server.requests.values()) == 1, server.requests.most_common(3)
    # Then no source is left: the message names the variable and the install command.
    message = report["no_source"]
    assert message.startswith("No source has gan_ring/")
    assert "Set KERAS_FGAN_ZOO_URL to a URL or folder" in message
    assert "`pip install ./zoo` from a keras-fgan checkout" in message


# ----------------------------------------------------- main wheel alone --

@ONCE
def test_installed_wheel_serves_an_exported_generator(main_wheel, tmp_path):
    cwd, env = _stranger(main_wheel, tmp_path)
    generator = kf.networks.mlp_generator(latent_dim=2, data_dim=2, width=8, depth=1)
    onnx = kf.export.export_onnx(generator, tmp_path / "g.onnx")
    onnx = onnx["generator"] if isinstance(onnx, dict) else onnx
    process = subprocess.Popen(["keras-fgan-serve", "--generator", str(onnx), "--port", "0", "--quiet"],
                               env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("Serving on http://127.0.0.1:"), process.stderr.read()
        with urllib.request.urlopen(line.split()[-1] + "/generate?n=3&seed=0&format=json", timeout=60) as answer:
            assert json.loads(answer.read())["shape"] == [3, 2]
    finally:
        process.terminate()
        process.wait(30)
        process.stdout.close()
        process.stderr.close()
