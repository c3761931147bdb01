"""The example ONNX inference service (export/service.py) over real HTTP."""

import http.client
import io
import json
import math
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import keras
import numpy as np
import pytest

import keras_fgan as kf

from repo_files import load_module

ort = pytest.importorskip("onnxruntime")
Image = pytest.importorskip("PIL.Image")

ROOT = Path(__file__).resolve().parents[1]
SERVICE_PATH = ROOT / "export" / "service.py"
LATENT, WIDTH, MAX_BODY = 8, 4, 1 << 20
HEAVY = ("keras", "tensorflow", "jax", "torch", "keras_fgan")


def _load_service_module():
    return load_module(SERVICE_PATH, "keras_fgan_example_service")


def _encoder():
    if hasattr(kf.networks, "dcgan28_encoder"):
        return kf.networks.dcgan28_encoder(latent_dim=LATENT, width=WIDTH)
    x = keras.Input((28, 28, 1), name="x")
    h = keras.layers.Flatten()(keras.layers.Conv2D(WIDTH, 4, strides=2, padding="same")(x))
    return keras.Model(x, keras.layers.Dense(LATENT)(h), name="small_encoder")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """ONNX generator (uniform prior) and encoder, and the Keras generator."""
    out = tmp_path_factory.mktemp("onnx")
    generator = kf.networks.dcgan28_generator(latent_dim=LATENT, width=WIDTH)
    kf.export.export_onnx(generator, out / "g.onnx", latent_prior="uniform")
    kf.export.export_onnx(_encoder(), out / "e.onnx", role="encoder")
    return {"generator": out / "g.onnx", "encoder": out / "e.onnx", "keras": generator}


@pytest.fixture(scope="module")
def server(exported):
    service = _load_service_module()
    srv = service.make_server(
        exported["generator"], exported["encoder"], port=0, max_body_bytes=MAX_BODY, quiet=True
    )
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def _request(server, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection(*server.server_address[:2], timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def _npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _ort(path, x):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})[0]


# ------------------------------------------------------------- good calls --
def test_health(server):
    status, headers, body = _request(server, "GET", "/health")
    assert status == 200 and headers["Content-Type"] == "application/json"
    health = json.loads(body)
    assert health["status"] == "ok"
    assert health["generator"]["metadata"]["latent_prior"] == "uniform"
    assert health["encoder"]["output_shape"] == [LATENT]


def test_generate_json_matches_onnxruntime_and_keras(server, exported):
    status, headers, body = _request(server, "GET", "/generate?n=5&seed=7&format=json")
    assert status == 200 and headers["X-Seed"] == "7"
    result = json.loads(body)
    samples = np.asarray(result["samples"], dtype=np.float32)
    assert result["n"] == 5 and result["shape"] == [5, 28, 28, 1] and samples.shape == (5, 28, 28, 1)
    z = np.random.default_rng(7).uniform(-1, 1, (5, LATENT)).astype(np.float32)
    np.testing.assert_array_equal(samples, _ort(exported["generator"], z))
    keras_samples = exported["keras"].predict(z, verbose=0)
    assert np.max(np.abs(samples - keras_samples)) <= 1e-5


def test_generate_png_grid(server):
    for n in (1, 10, 64):
        status, headers, body = _request(server, "GET", f"/generate?n={n}&seed=1")
        assert status == 200 and headers["Content-Type"] == "image/png"
        image = Image.open(io.BytesIO(body))
        ncols = math.ceil(math.sqrt(n))
        nrows = math.ceil(n / ncols)
        assert image.size == (ncols * 30 + 2, nrows * 30 + 2) and image.mode == "L"
        assert _request(server, "GET", f"/generate?n={n}&seed=1")[2] == body  # same seed


def test_generate_without_seed_reports_the_seed(server):
    _, headers, body = _request(server, "GET", "/generate?n=2&format=json")
    seed = int(headers["X-Seed"])
    again = _request(server, "GET", f"/generate?n=2&format=json&seed={seed}")[2]
    assert json.loads(again)["samples"] == json.loads(body)["samples"]


def test_encode_json_and_npy_match_onnxruntime(server, exported):
    x = np.random.default_rng(0).uniform(-1, 1, (3, 28, 28, 1)).astype(np.float32)
    expected = _ort(exported["encoder"], x)
    status, _, body = _request(
        server, "POST", "/encode", json.dumps({"images": x[..., 0].tolist()}),
        {"Content-Type": "application/json"},
    )
    assert status == 200
    result = json.loads(body)
    assert result["n"] == 3 and result["latent_dim"] == LATENT
    np.testing.assert_array_equal(np.asarray(result["latents"], np.float32), expected)
    status, _, body = _request(
        server, "POST", "/encode", _npy(x), {"Content-Type": "application/x-npy"}
    )
    assert status == 200
    np.testing.assert_array_equal(np.asarray(json.loads(body)["latents"], np.float32), expected)


def test_concurrent_requests(server):
    results = []

    def call(seed):
        results.append(_request(server, "GET", f"/generate?n=4&seed={seed}&format=json")[0])

    threads = [threading.Thread(target=call, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == [200] * 8


# -------------------------------------------------------------- bad calls --
def _image_json(shape):
    return json.dumps({"images": np.zeros(shape).tolist()})


JSON = {"Content-Type": "application/json"}
NPY = {"Content-Type": "application/x-npy"}
BAD_REQUESTS = {
    "negative n": ("GET", "/generate?n=-1", None, {}, 400),
    "zero n": ("GET", "/generate?n=0", None, {}, 400),
    "huge n": ("GET", "/generate?n=100000", None, {}, 400),
    "enormous n": ("GET", "/generate?n=" + "9" * 500, None, {}, 400),
    "float n": ("GET", "/generate?n=2.5", None, {}, 400),
    "text seed": ("GET", "/generate?seed=abc", None, {}, 400),
    "float seed": ("GET", "/generate?seed=1.5", None, {}, 400),
    "negative seed": ("GET", "/generate?seed=-3", None, {}, 400),
    "seed out of range": ("GET", f"/generate?seed={2**70}", None, {}, 400),
    "unknown format": ("GET", "/generate?format=gif", None, {}, 400),
    "unknown parameter": ("GET", "/generate?size=3", None, {}, 400),
    "repeated parameter": ("GET", "/generate?n=1&n=2", None, {}, 400),
    "too many parameters": ("GET", "/generate?" + "&".join(["n=1"] * 40), None, {}, 400),
    "unknown path": ("GET", "/predict", None, {}, 404),
    "wrong method generate": ("POST", "/generate", b"{}", JSON, 405),
    "wrong method encode": ("GET", "/encode", None, {}, 405),
    "wrong content type": ("POST", "/encode", b"images", {"Content-Type": "text/plain"}, 415),
    "no content type": ("POST", "/encode", b"{}", {}, 415),
    "garbage json": ("POST", "/encode", b"{not json", JSON, 400),
    "binary garbage json": ("POST", "/encode", bytes(range(256)), JSON, 400),
    "json without images": ("POST", "/encode", b'{"x": []}', JSON, 400),
    "json list body": ("POST", "/encode", b"[1, 2]", JSON, 400),
    "deeply nested json": ("POST", "/encode", b'{"images": ' + b"[" * 100000, JSON, 400),
    "ragged images": ("POST", "/encode", b'{"images": [[1, 2], [3]]}', JSON, 400),
    "text images": ("POST", "/encode", b'{"images": [["a"]]}', JSON, 400),
    "nan images": ("POST", "/encode", json.dumps({"images": [[[float("nan")] * 28] * 28]}).encode(),
                   JSON, 400),
    "wrong image size": ("POST", "/encode", _image_json((2, 32, 32, 1)).encode(), JSON, 400),
    "wrong channels": ("POST", "/encode", _image_json((2, 28, 28, 3)).encode(), JSON, 400),
    "empty batch": ("POST", "/encode", _image_json((0, 28, 28, 1)).encode(), JSON, 400),
    "garbage npy": ("POST", "/encode", b"\x93NUMPY garbage", NPY, 400),
    "pickled npy": ("POST", "/encode", _npy(np.array([{"a": 1}], dtype=object)), NPY, 400),
    "integer npy": ("POST", "/encode", _npy(np.zeros((1, 28, 28, 1), np.int64)), NPY, 400),
    "wrong size npy": ("POST", "/encode", _npy(np.zeros((1, 14, 14, 1), np.float32)), NPY, 400),
    "oversize body": ("POST", "/encode", b"0" * (MAX_BODY + 1), JSON, 413),
}


def test_bad_requests_get_4xx_json_and_the_service_keeps_serving(server):
    failures = []
    for case, (method, path, body, headers, expected) in sorted(BAD_REQUESTS.items()):
        status, response_headers, response = _request(server, method, path, body, headers)
        ok = status == expected and response_headers["Content-Type"] == "application/json"
        ok = ok and json.loads(response)["status"] == expected and json.loads(response)["error"]
        if not ok:
            failures.append((case, status, response[:200]))
        if _request(server, "GET", "/health")[0] != 200:
            failures.append((case, "health check failed afterwards"))
    assert not failures, failures


def _raw(server, data):
    with socket.create_connection(server.server_address[:2], timeout=30) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


MALFORMED_HTTP = [
    (b"POST /encode HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\r\n", b" 411 "),
    (b"POST /encode HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
     b"Content-Length: -5\r\n\r\n", b" 411 "),
    (b"POST /encode HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", b" 411 "),
    (b"POST /encode HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
     b"Content-Length: 99999999999\r\n\r\n{", b" 413 "),
    (b"GARBAGE\r\n\r\n", b" 400 "),
]


def test_malformed_http_is_answered(server):
    for request_bytes, expected in MALFORMED_HTTP:
        status_line = _raw(server, request_bytes).split(b"\r\n", 1)[0] + b" "
        assert expected in status_line, (request_bytes[:60], status_line)
        assert _request(server, "GET", "/health")[0] == 200


def test_generator_only_service_says_no_encoder(exported):
    service = _load_service_module()
    srv = service.make_server(exported["generator"], port=0, quiet=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        status, _, body = _request(srv, "POST", "/encode", _npy(np.zeros((1, 28, 28, 1))), NPY)
        assert status == 404 and "encoder" in json.loads(body)["error"]
    finally:
        srv.shutdown()
        srv.server_close()
    with pytest.raises(ValueError, match="holds a generator, not a encoder"):
        service.make_server(encoder=exported["generator"], port=0)


def test_point_generator_serves_json_not_png(tmp_path):
    service = _load_service_module()
    generator = kf.networks.mlp_generator(latent_dim=2, data_dim=2, width=8, depth=1)
    kf.export.export_onnx(generator, tmp_path / "p.onnx")
    app = service.Service(service.OnnxNetwork(tmp_path / "p.onnx", "generator"))
    content_type, body, headers = app.generate({"n": ["3"], "seed": ["5"]})
    assert content_type == "application/json" and headers["X-Seed"] == "5"
    samples = np.asarray(json.loads(body)["samples"], np.float32)
    z = np.random.default_rng(5).standard_normal((3, 2)).astype(np.float32)
    assert np.max(np.abs(samples - generator.predict(z, verbose=0))) <= 1e-5
    with pytest.raises(service.RequestError, match="Use format=json"):
        app.generate({"format": ["png"]})


# ------------------------------------------------------ standalone process --
_SUBPROCESS_CHECK = """
import json, sys, threading, urllib.request, importlib.util
spec = importlib.util.spec_from_file_location("service", sys.argv[1])
service = importlib.util.module_from_spec(spec)
spec.loader.exec_module(service)
srv = service.make_server(sys.argv[2], sys.argv[3], port=0, quiet=True)
threading.Thread(target=srv.serve_forever, daemon=True).start()
base = "http://{}:{}".format(*srv.server_address[:2])
png = urllib.request.urlopen(base + "/generate?n=4&seed=0").read()
req = urllib.request.Request(base + "/encode", data=json.dumps(
    {"images": [[[0.0] * 28] * 28]}).encode(), headers={"Content-Type": "application/json"})
latents = json.loads(urllib.request.urlopen(req).read())["latents"]
srv.shutdown()
print(json.dumps({"png": png[:4].hex(), "latents": len(latents),
                  "heavy": sorted(m for m in HEAVY if m in sys.modules)}))
""".replace("HEAVY", repr(HEAVY))


def test_service_runs_without_keras_or_tensorflow(exported):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KERAS_BACKEND")}
    result = subprocess.run(
        [sys.executable, "-c", _SUBPROCESS_CHECK, str(SERVICE_PATH),
         str(exported["generator"]), str(exported["encoder"])],
        capture_output=True, text=True, env=env, cwd=ROOT / "export", timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"png": "89504e47", "latents": 1, "heavy": []}


def test_service_script_serves(exported):
    process = subprocess.Popen(
        [sys.executable, str(SERVICE_PATH), "--generator", str(exported["generator"]),
         "--port", "0", "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("Serving on http://127.0.0.1:"), process.stderr.read()
        port = int(line.rsplit(":", 1)[1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/generate?n=2&seed=0&format=json")
        response = conn.getresponse()
        assert response.status == 200
        assert np.asarray(json.loads(response.read())["samples"]).shape == (2, 28, 28, 1)
    finally:
        process.terminate()
        process.wait(10)
        process.stdout.close()
        process.stderr.close()


def test_service_script_rejects_missing_file(tmp_path):
    result = subprocess.run(
        [sys.executable, str(SERVICE_PATH), "--generator", str(tmp_path / "none.onnx")],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2 and "No ONNX file" in result.stderr
