"""An inference service over exported ONNX generators and encoders.

Serves files written by `keras_fgan.export.export_onnx` with onnxruntime,
NumPy and Pillow, on the standard library's `ThreadingHTTPServer`:

    python -m keras_fgan.serve --generator g.onnx [--encoder e.onnx] \
        --host 127.0.0.1 --port 8000
    keras-fgan-serve --generator g.onnx           # the same, as a command

This file imports nothing from keras_fgan, Keras or a backend, so it also runs
on its own where only `pip install onnxruntime numpy pillow` was done: copy it
and run `python serve.py ...`, or load it by path as `export/service.py` does
(`python -m keras_fgan.serve` imports the `keras_fgan` package first, and with
it Keras).

Endpoints (every error is a 4xx JSON `{"error": ..., "status": ...}`):

- `GET /health`: `{"status": "ok", "generator": {...}, "encoder": {...}}`
  with the metadata of the loaded files.
- `GET /generate?n=16&seed=0&format=png|json`: `n` samples (1..max_n) from
  latents drawn with NumPy from the prior recorded in the ONNX metadata
  (`np.random.default_rng(seed)`, as `AdversarialModel.generate`, so a seed
  gives the same samples as the Keras model). `png` (the default for image
  generators) is a grid image; `json` is `{"n", "seed", "latent_prior",
  "shape", "samples"}`. Without `seed` a random one is drawn; the seed used
  is in the `X-Seed` header and the JSON.
- `POST /encode`: images to latents. Body: `application/json`
  `{"images": [...]}` (nested lists of shape `(N, *input_shape)`, or
  `(N, H, W)` for one-channel images) or `application/x-npy` (a `.npy` file
  of a float array of the same shape; pickles are refused). Answer:
  `{"n", "latent_dim", "latents"}`.

Status codes of errors: 400 for invalid or unknown parameters (`n` outside
1..max_n, a seed outside 0..2^63-1, a wrong image shape, NaN, bad JSON or
`.npy`), 404 and 405 for unknown paths and methods, 411 without a
`Content-Length`, 413 for a body over the limit, 415 for another content
type, 500 for an unexpected failure; the service keeps serving. It has no
authentication or TLS: keep it on localhost or behind a proxy that adds them.

Options: `--max-n` (largest batch), `--max-body-mb` (largest body),
`--threads` (onnxruntime intra-op threads), `--quiet` (no request log),
`--port 0` (a free port, printed as `Serving on http://...`).
"""

import argparse
import io
import json
import math
import os
import re
import secrets
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import numpy as np

try:
    import onnxruntime as ort
except ImportError as error:
    raise ImportError(
        "The inference service needs onnxruntime: `pip install onnxruntime` "
        "(or the `onnx` extra, `pip install keras-fgan[onnx]`)."
    ) from error

MAX_SEED = 2**63 - 1
PRIORS = ("normal", "uniform")
JSON_TYPES = ("application/json",)
NPY_TYPES = ("application/x-npy", "application/npy")
_UINT = re.compile(r"[0-9]{1,19}")


class RequestError(Exception):
    """A client error: answered with `status` and a JSON message."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = int(status)
        self.message = message


def _json_meta(meta, key, default):
    value = meta.get(key)
    if value is None or value == "unbounded":
        return default
    return json.loads(value)


class OnnxNetwork:
    """An ONNX generator or encoder and the metadata that describes it.

    Args:
        path: `.onnx` file.
        role: `"generator"` or `"encoder"`: what the caller expects.
        threads: onnxruntime intra-op threads (None: its default).

    Raises:
        ValueError: when the file's recorded role, prior or shapes do not fit.
    """

    def __init__(self, path, role, threads=None):
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = int(threads)
        # Requests run concurrently on the server's threads: idle onnxruntime
        # workers sleep instead of spinning, so they leave the cores to the
        # requests in flight (seen: one of 8 concurrent requests past its 30 s
        # read timeout on a loaded 2-core machine with spinning on).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        self.path = str(path)
        if not os.path.isfile(self.path):
            raise FileNotFoundError(f"No ONNX file at {self.path!r}.")
        self.session = ort.InferenceSession(
            self.path, options, providers=["CPUExecutionProvider"]
        )
        inputs, outputs = self.session.get_inputs(), self.session.get_outputs()
        if len(inputs) != 1 or len(outputs) != 1:
            raise ValueError(f"{self.path}: expected one input and one output.")
        self.input_name, self.output_name = inputs[0].name, outputs[0].name
        self.metadata = dict(self.session.get_modelmeta().custom_metadata_map)
        recorded = self.metadata.get("role", role)
        if recorded != role:
            raise ValueError(f"{self.path} holds a {recorded}, not a {role}.")
        self.role = role
        self.input_shape = self._shape(inputs[0].shape, "input_shape")
        self.output_shape = self._shape(outputs[0].shape, "output_shape")
        self.latent_prior = self.metadata.get("latent_prior", "normal")
        if self.latent_prior not in PRIORS:
            raise ValueError(f"{self.path}: unknown latent prior {self.latent_prior!r}.")
        self.value_range = _json_meta(self.metadata, "output_range", None)
        latent_shape = self.input_shape if role == "generator" else self.output_shape
        if len(latent_shape) != 1:
            raise ValueError(f"{self.path}: latents must be vectors, got {latent_shape}.")
        self.latent_dim = latent_shape[0]

    def _shape(self, session_shape, key):
        shape = _json_meta(self.metadata, key, None) or session_shape
        dims = tuple(shape[1:])
        if not all(isinstance(d, int) and d > 0 for d in dims):
            raise ValueError(f"{self.path}: {key} {list(shape)} is not fixed past the batch.")
        return dims

    def run(self, x, batch_size=256):
        """Runs the network on a float32 batch, `batch_size` rows at a time."""
        parts = [
            self.session.run([self.output_name], {self.input_name: x[i : i + batch_size]})[0]
            for i in range(0, len(x), batch_size)
        ]
        return np.concatenate(parts).astype(np.float32, copy=False)

    def describe(self):
        return {
            "path": self.path,
            "input_shape": list(self.input_shape),
            "output_shape": list(self.output_shape),
            "metadata": self.metadata,
        }


def sample_latents(n, latent_dim, prior, seed):
    """Latents as `AdversarialModel.latent_batch`: the same for a seed."""
    rng = np.random.default_rng(seed)
    if prior == "uniform":
        z = rng.uniform(-1.0, 1.0, size=(n, latent_dim))
    else:
        z = rng.standard_normal((n, latent_dim))
    return z.astype(np.float32)


def image_grid_png(images, value_range):
    """PNG bytes of a grid of (N, H, W, 1|3) images scaled from
    `value_range` (or the batch's min/max when None) to 0..255."""
    from PIL import Image

    low, high = value_range or (float(images.min()), float(images.max()))
    if not high > low:
        high = low + 1.0
    scaled = np.round((np.clip(images, low, high) - low) / (high - low) * 255.0)
    scaled = scaled.astype(np.uint8)
    n, h, w, c = scaled.shape
    pad, ncols = 2, math.ceil(math.sqrt(n))
    nrows = math.ceil(n / ncols)
    grid = np.zeros((nrows * (h + pad) + pad, ncols * (w + pad) + pad, c), np.uint8)
    for i in range(n):
        r, col = divmod(i, ncols)
        top, left = pad + r * (h + pad), pad + col * (w + pad)
        grid[top : top + h, left : left + w] = scaled[i]
    buffer = io.BytesIO()
    Image.fromarray(grid[..., 0] if c == 1 else grid).save(buffer, format="PNG")
    return buffer.getvalue()


def _is_image_shape(shape):
    return len(shape) == 3 and shape[-1] in (1, 3)


class Service:
    """The service's logic, independent of HTTP.

    Args:
        generator: `OnnxNetwork` or None.
        encoder: `OnnxNetwork` or None.
        max_n: largest `n` of `/generate` and batch of `/encode`.
        max_body_bytes: largest request body.
        max_concurrent: inference calls running at once.
    """

    def __init__(
        self, generator=None, encoder=None, max_n=1024, max_body_bytes=16 << 20, max_concurrent=4
    ):
        if generator is None and encoder is None:
            raise ValueError("Give a generator, an encoder, or both.")
        if isinstance(max_n, bool) or not isinstance(max_n, int) or max_n < 1:
            raise ValueError(f"`max_n` must be a positive integer. Received: {max_n!r}")
        self.generator, self.encoder = generator, encoder
        self.max_n, self.max_body_bytes = max_n, int(max_body_bytes)
        self._slots = threading.BoundedSemaphore(max_concurrent)

    def health(self):
        return {
            "status": "ok",
            "generator": self.generator.describe() if self.generator else None,
            "encoder": self.encoder.describe() if self.encoder else None,
            "max_n": self.max_n,
            "max_body_bytes": self.max_body_bytes,
        }

    # -------------------------------------------------------- generate --
    def generate(self, query):
        """`(content_type, body, headers)` for a parsed query string."""
        if self.generator is None:
            raise RequestError(HTTPStatus.NOT_FOUND, "No generator is loaded.")
        params = _single_params(query, ("n", "seed", "format"))
        n = _uint_param(params, "n", default=16, low=1, high=self.max_n)
        seed = _uint_param(params, "seed", default=None, low=0, high=MAX_SEED)
        if seed is None:
            seed = secrets.randbits(63)
        images = _is_image_shape(self.generator.output_shape)
        fmt = params.get("format", "png" if images else "json")
        if fmt not in ("png", "json"):
            raise RequestError(HTTPStatus.BAD_REQUEST, "`format` must be 'png' or 'json'.")
        if fmt == "png" and not images:
            raise RequestError(
                HTTPStatus.BAD_REQUEST,
                f"format=png needs image samples; these have shape "
                f"{list(self.generator.output_shape)}. Use format=json.",
            )
        z = sample_latents(n, self.generator.latent_dim, self.generator.latent_prior, seed)
        with self._slots:
            samples = self.generator.run(z)
        headers = {"X-Seed": str(seed), "X-Latent-Prior": self.generator.latent_prior}
        if fmt == "png":
            return "image/png", image_grid_png(samples, self.generator.value_range), headers
        body = {
            "n": n,
            "seed": seed,
            "latent_prior": self.generator.latent_prior,
            "shape": list(samples.shape),
            "samples": samples.tolist(),
        }
        return "application/json", _dumps(body), headers

    # ---------------------------------------------------------- encode --
    def encode(self, content_type, body):
        """`{"n", "latent_dim", "latents"}` for a request body."""
        if self.encoder is None:
            raise RequestError(HTTPStatus.NOT_FOUND, "No encoder is loaded.")
        media_type = (content_type or "").split(";")[0].strip().lower()
        if media_type in JSON_TYPES:
            images = _images_from_json(body)
        elif media_type in NPY_TYPES:
            images = _images_from_npy(body)
        else:
            raise RequestError(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                "Content-Type must be application/json ({\"images\": [...]}) or "
                f"application/x-npy. Received: {content_type!r}",
            )
        images = self._check_images(images)
        with self._slots:
            latents = self.encoder.run(images)
        return {"n": len(latents), "latent_dim": self.encoder.latent_dim,
                "latents": latents.tolist()}

    def _check_images(self, images):
        expected = self.encoder.input_shape
        if images.ndim == len(expected) and expected[-1] == 1 and _is_image_shape(expected):
            images = images[..., None]  # (N, H, W) for one-channel images
        if images.ndim != len(expected) + 1 or tuple(images.shape[1:]) != expected:
            raise RequestError(
                HTTPStatus.BAD_REQUEST,
                f"images must have shape (N, {', '.join(map(str, expected))}); "
                f"received {list(images.shape)}.",
            )
        if not 1 <= len(images) <= self.max_n:
            raise RequestError(
                HTTPStatus.BAD_REQUEST,
                f"The batch must hold 1 to {self.max_n} images; received {len(images)}.",
            )
        if not np.all(np.isfinite(images)):
            raise RequestError(HTTPStatus.BAD_REQUEST, "images contain NaN or inf.")
        return np.ascontiguousarray(images, dtype=np.float32)


def _dumps(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


def _single_params(query, allowed):
    unknown = sorted(set(query) - set(allowed))
    if unknown:
        raise RequestError(
            HTTPStatus.BAD_REQUEST,
            f"Unknown parameter(s) {unknown}; valid: {', '.join(allowed)}.",
        )
    params = {}
    for key, values in query.items():
        if len(values) != 1:
            raise RequestError(HTTPStatus.BAD_REQUEST, f"Give `{key}` once.")
        params[key] = values[0]
    return params


def _parse_query(query):
    try:
        return parse_qs(query, keep_blank_values=True, max_num_fields=16, strict_parsing=False)
    except ValueError as error:  # too many fields
        raise RequestError(HTTPStatus.BAD_REQUEST, str(error)) from None


def _uint_param(params, key, default, low, high):
    if key not in params:
        return default
    text = params[key].strip()
    value = int(text) if _UINT.fullmatch(text) else None
    if value is None or not low <= value <= high:
        raise RequestError(
            HTTPStatus.BAD_REQUEST,
            f"`{key}` must be an integer from {low} to {high}. Received: {params[key][:40]!r}",
        )
    return value


def _images_from_json(body):
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise RequestError(HTTPStatus.BAD_REQUEST, f"Body is not valid JSON: {error}") from None
    if not isinstance(payload, dict) or "images" not in payload:
        raise RequestError(HTTPStatus.BAD_REQUEST, 'JSON body must be {"images": [...]}.')
    try:
        images = np.array(payload["images"])
    except (ValueError, TypeError, RecursionError):
        images = None
    if images is None or images.dtype.kind not in "iuf" or images.ndim < 2:
        raise RequestError(
            HTTPStatus.BAD_REQUEST,
            "`images` must be a rectangular nested list of numbers, one entry per image.",
        )
    return images


def _images_from_npy(body):
    try:
        images = np.load(io.BytesIO(body), allow_pickle=False)
    except Exception as error:  # noqa: BLE001 (any parse failure is the client's)
        raise RequestError(
            HTTPStatus.BAD_REQUEST, f"Body is not a .npy array: {type(error).__name__}"
        ) from None
    if not isinstance(images, np.ndarray) or images.dtype.kind != "f":
        raise RequestError(
            HTTPStatus.BAD_REQUEST, "The .npy array must hold floats (float16/32/64)."
        )
    return images


class Handler(BaseHTTPRequestHandler):
    """Routes requests to the server's `Service`; never lets an error out."""

    server_version = "keras-fgan-onnx/0.1"
    timeout = 30  # seconds per socket read: a client that stalls is dropped

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_HEAD(self):
        self._dispatch("HEAD")

    def _dispatch(self, method):
        service = self.server.service
        self._unread = False
        try:
            url = urlsplit(self.path)
            routes = {"/health": "GET", "/generate": "GET", "/encode": "POST"}
            if url.path not in routes:
                raise RequestError(HTTPStatus.NOT_FOUND, f"No endpoint {url.path!r}.")
            if method != routes[url.path]:
                raise RequestError(
                    HTTPStatus.METHOD_NOT_ALLOWED, f"{url.path} takes {routes[url.path]} only."
                )
            if url.path == "/health":
                self._send(200, "application/json", _dumps(service.health()))
            elif url.path == "/generate":
                self._send(200, *service.generate(_parse_query(url.query)))
            else:
                body = self._read_body(service.max_body_bytes)
                result = service.encode(self.headers.get("Content-Type"), body)
                self._send(200, "application/json", _dumps(result))
        except RequestError as error:
            self._send_error(error.status, error.message)
        except TimeoutError:
            self._send_error(HTTPStatus.REQUEST_TIMEOUT, "Timed out reading the body.")
        except Exception as error:  # noqa: BLE001 (answer, log, keep serving)
            self.log_error("internal error: %r", error)
            self._send_error(HTTPStatus.INTERNAL_SERVER_ERROR, "Internal error.")
        if self._unread:
            self._drain()

    def _read_body(self, limit):
        self.close_connection = True
        self._unread = True  # until the body is read: drained before closing
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            raise RequestError(HTTPStatus.LENGTH_REQUIRED, "Chunked bodies are not supported.")
        length = self.headers.get("Content-Length")
        if length is None or not _UINT.fullmatch(length.strip()):
            raise RequestError(HTTPStatus.LENGTH_REQUIRED, "A valid Content-Length is required.")
        length = int(length)
        if length > limit:
            raise RequestError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"Body of {length} bytes exceeds the limit of {limit} bytes.",
            )
        body = self.rfile.read(length)
        self._unread = False
        if len(body) != length:
            raise RequestError(HTTPStatus.BAD_REQUEST, "Body shorter than its Content-Length.")
        return body

    def _drain(self, cap=4 << 20, timeout=0.5):
        """Reads (and drops) what the client is still sending, up to `cap`
        bytes, so that closing the socket does not reset the connection
        before the client has read the error answer."""
        try:
            self.connection.settimeout(timeout)
            total = 0
            while total < cap:
                chunk = self.rfile.read1(65536)
                if not chunk:
                    break
                total += len(chunk)
        except OSError:
            pass

    def _send(self, status, content_type, body, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_error(self, status, message):
        status = int(status)
        try:
            self._send(status, "application/json", _dumps({"error": message, "status": status}))
        except OSError:
            self.close_connection = True  # the client went away

    def log_message(self, format, *args):
        if not self.server.quiet:
            super().log_message(format, *args)


class Server(ThreadingHTTPServer):
    """`ThreadingHTTPServer` holding a `Service`."""

    daemon_threads = True

    def __init__(self, address, service, quiet=False):
        self.service, self.quiet = service, quiet
        super().__init__(address, Handler)


def make_server(generator=None, encoder=None, host="127.0.0.1", port=8000, *, max_n=1024,
                max_body_bytes=16 << 20, threads=None, quiet=False):
    """Loads the ONNX files and binds a server (port 0: an ephemeral one).

    Returns:
        A `Server`; call `serve_forever()` (and `shutdown()` from another
        thread). `server.server_address` has the bound port.
    """
    service = Service(
        OnnxNetwork(generator, "generator", threads) if generator else None,
        OnnxNetwork(encoder, "encoder", threads) if encoder else None,
        max_n=max_n,
        max_body_bytes=max_body_bytes,
    )
    return Server((host, port), service, quiet=quiet)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generator", help="generator .onnx file")
    parser.add_argument("--encoder", help="encoder .onnx file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--max-n", type=int, default=1024)
    parser.add_argument("--max-body-mb", type=float, default=16.0)
    parser.add_argument("--threads", type=int, default=None, help="onnxruntime threads")
    parser.add_argument("--quiet", action="store_true", help="no request log")
    args = parser.parse_args(argv)
    if not (args.generator or args.encoder):
        parser.error("give --generator, --encoder or both")
    try:
        server = make_server(
            args.generator, args.encoder, args.host, args.port, max_n=args.max_n,
            max_body_bytes=int(args.max_body_mb * (1 << 20)), threads=args.threads,
            quiet=args.quiet,
        )
    except Exception as error:  # noqa: BLE001 (a bad file or port: say why, exit)
        parser.exit(2, f"error: {error}\n")
    host, port = server.server_address[:2]
    print(f"Serving on http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
