"""Where preset files come from, in order.

1. `$KERAS_FGAN_ZOO_URL`: an `https://`, `http://` or `file://` URL, or a
   folder, holding `<preset>/<file>` (the layout of the repository's `zoo/`).
2. A local copy: the repository's `zoo/` when keras_fgan runs from a checkout,
   then the `keras_fgan_zoo` data package (`pip install ./zoo` from a
   checkout), found through `importlib` without importing it.
3. `RELEASE_URL`, the project's release location.

Each file is taken from the first source that has it: a source that cannot be
reached or lacks the file is skipped, and when none has it the error lists
what was tried and how to get the files. A source's `index.json`, read at most
once per process, narrows which files it is asked for (`registry.narrow`).
Sources only provide bytes, and never more than the registry's size of the
file: the caller checks them against the packaged registry.
"""

import http.client
import importlib.util
import io
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from keras_fgan.zoo import registry
from keras_fgan.zoo.errors import ZooDownloadError
from keras_fgan.zoo.errors import ZooIntegrityError

ZOO_URL_ENV = "KERAS_FGAN_ZOO_URL"
DATA_PACKAGE = "keras_fgan_zoo"
INSTALL_LOCAL_COPY = "pip install ./zoo"
RELEASE_URL = "https://github.com/keras-fgan/keras-fgan/raw/v0.1.0/zoo"
TIMEOUT_S = 60
PROGRESS_MIN_BYTES = 1 << 20
MAX_INDEX_BYTES = 16 << 20
CHUNK_BYTES = 1 << 16

_INDEXES = {}  # location -> offered (name, file) pairs, None (no index) or the refusal


class Unavailable(Exception):
    """The source lacks the file or cannot be reached: the next one is tried."""


def _folder_of(location):
    """The local folder of a plain path or `file://` URL; None for http(s)."""
    parsed = urllib.parse.urlparse(location)
    if parsed.scheme == "file":
        return Path(urllib.request.url2pathname(parsed.path))
    if parsed.scheme in ("http", "https"):
        return None
    if len(parsed.scheme) > 1:  # one letter: a Windows drive
        raise ValueError(
            f"{ZOO_URL_ENV} must be an https://, http:// or file:// URL or a folder; "
            f"unsupported scheme {parsed.scheme!r}. Received: {location!r}"
        )
    return Path(location)


class Source:
    """A base URL or folder holding `<preset>/<file>` and maybe `index.json`.

    Args:
        location: the URL or folder.
        kind: how it was chosen (`KERAS_FGAN_ZOO_URL`, `checkout`, ...), for
            messages.
    """

    def __init__(self, location, kind):
        self.location = str(location).rstrip("/") or str(location)
        self.kind = kind
        self.folder = _folder_of(self.location)

    def __str__(self):
        return f"{self.kind} ({self.location})"

    def _open(self, parts):
        if self.folder is not None:
            path = self.folder.joinpath(*parts)
            try:
                return open(path, "rb")
            except OSError as error:
                raise Unavailable(f"cannot read {path}: {error.strerror or error}") from None
        url = self.location + "/" + "/".join(urllib.parse.quote(p) for p in parts)
        try:
            return urllib.request.urlopen(url, timeout=TIMEOUT_S)  # noqa: S310 (scheme checked)
        except urllib.error.HTTPError as error:
            error.close()
            raise Unavailable(f"{url}: HTTP {error.code} {error.reason}") from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            raise Unavailable(f"{url}: {getattr(error, 'reason', error)}") from None

    def copy(self, parts, out, limit, label=None):
        """Copies one file into the open binary file `out`.

        Reads at most `limit + 1` bytes, so a source cannot fill the disk;
        the caller compares the count with the registry's size.

        Args:
            parts: path components under the location (`(name, file)`).
            out: a binary file open for writing.
            limit: the expected size in bytes.
            label: shown with a Keras progress bar when the file is fetched
                over http(s) and is at least `PROGRESS_MIN_BYTES` large.

        Returns:
            The number of bytes written (`limit + 1` means "too large").

        Raises:
            Unavailable: no such file, the source cannot be reached, or the
                transfer was interrupted.
        """
        import keras

        progress = None
        if label and self.folder is None and limit >= PROGRESS_MIN_BYTES:
            print(f"Fetching {label} ({limit / 2**20:.1f} MiB) from {self.location}", flush=True)
            progress = keras.utils.Progbar(limit, unit_name="B")
        written = 0
        with self._open(parts) as f:
            while written <= limit:
                try:
                    chunk = f.read(min(CHUNK_BYTES, limit + 1 - written))
                except (OSError, http.client.HTTPException) as error:
                    raise Unavailable(f"transfer of {'/'.join(parts)} interrupted after {written} bytes: {error}") from None
                if not chunk:
                    break
                out.write(chunk)
                written += len(chunk)
                if progress is not None:
                    progress.update(min(written, limit))
            announced = getattr(f, "length", None)  # http: bytes still due
            if announced and written <= limit:
                raise Unavailable(
                    f"transfer of {'/'.join(parts)} interrupted after {written} bytes "
                    f"({announced} more were announced)"
                )
        return written

    def offers(self, name, fname):
        """Whether this source may hold the file: listed in its `index.json`,
        or no index there. The index is read at most once per process (a
        refused one stays refused).

        Raises:
            ZooIntegrityError: the index is invalid or lists another hash.
        """
        if self.location not in _INDEXES:
            try:
                _INDEXES[self.location] = self._read_index()
            except ZooIntegrityError as error:
                _INDEXES[self.location] = error
        offered = _INDEXES[self.location]
        if isinstance(offered, ZooIntegrityError):
            raise ZooIntegrityError(str(offered))
        return offered is None or (name, fname) in offered

    def _read_index(self):
        buffer = io.BytesIO()
        try:
            size = self.copy((registry.INDEX_FILE,), buffer, MAX_INDEX_BYTES)
        except Unavailable:
            return None
        origin = f"the index.json of {self}"
        if size > MAX_INDEX_BYTES:
            return registry.narrow(None, f"{origin} (larger than {MAX_INDEX_BYTES} bytes)")
        try:
            document = json.loads(buffer.getvalue().decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            document = None
        return registry.narrow(document, origin)


def local_copies():
    """The local copies, in order: `[(folder, kind)]`."""
    copies = []
    checkout = registry.repository_zoo_dir()
    if checkout is not None:
        copies.append((checkout, "checkout"))
    spec = importlib.util.find_spec(DATA_PACKAGE)
    if spec is not None and spec.submodule_search_locations:
        copies.append((Path(list(spec.submodule_search_locations)[0]), f"data package {DATA_PACKAGE}"))
    return copies


def sources():
    """The sources in the order they are tried (the environment is read on
    each call)."""
    found = []
    value = os.environ.get(ZOO_URL_ENV, "").strip()
    if value:
        found.append(Source(value, ZOO_URL_ENV))
    found += [Source(folder, kind) for folder, kind in local_copies()]
    found.append(Source(RELEASE_URL, "release"))
    return found


def fetch(name, fname, size, out):
    """Copies one preset file from the first source that has it.

    Args:
        name: a preset name from the packaged registry.
        fname: one of its files.
        size: the registry's size of the file.
        out: a binary file open for writing (truncated before each source).

    Returns:
        `(source, bytes_written)`.

    Raises:
        ZooDownloadError: no source has the file; the message says which
            sources were tried and how to get the files.
        ZooIntegrityError: a source's index is invalid or lists another hash.
    """
    tried = [] if os.environ.get(ZOO_URL_ENV, "").strip() else [f"{ZOO_URL_ENV} is not set"]
    for source in sources():
        if not source.offers(name, fname):
            tried.append(f"{source}: its index.json does not list {name}/{fname}")
            continue
        out.seek(0)
        out.truncate()
        try:
            return source, source.copy((name, fname), out, size, label=f"{name}/{fname}")
        except Unavailable as error:
            tried.append(f"{source}: {error}")
    if not local_copies():
        tried.append(f"no local copy (no keras-fgan checkout, and {DATA_PACKAGE} is not installed)")
    raise ZooDownloadError(
        f"No source has {name}/{fname}. Set {ZOO_URL_ENV} to a URL or folder holding the zoo "
        f"(https://, http://, file:// or a path), or install the local copy with "
        f"`{INSTALL_LOCAL_COPY}` from a keras-fgan checkout. Tried: {'; '.join(tried)}."
    )
