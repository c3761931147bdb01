"""Crash-safe file writes and content hashes: the one copy the library uses.

Every file keras-fgan writes for a user (checkpoints, sample grids, recipes,
reports, exported graphs, cached zoo files) goes through a temporary file in
the destination folder and `os.replace`, so a reader never sees a half-written
file and a crash leaves the previous version intact.
"""

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

_UMASK = os.umask(0o022)
os.umask(_UMASK)


@contextlib.contextmanager
def atomic_path(path, suffix=".tmp"):
    """Yields a temporary path beside `path`; on success moves it to `path`.

    The caller writes the temporary file (or folder) by any means, e.g.
    `model.save(tmp)`. When the block raises, the temporary file is removed
    and `path` is left untouched.

    Args:
        path: the destination file.
        suffix: suffix of the temporary name (some writers infer the format
            from it, e.g. `.keras` or `.weights.h5`).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; keep the usual mode
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def atomic_write_bytes(path, data):
    """Writes `data` (bytes) to `path` atomically, flushed to disk; returns `path`."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    return Path(path)


def atomic_write_text(path, text, encoding="utf-8"):
    """Writes `text` to `path` atomically; returns `path`."""
    return atomic_write_bytes(path, text.encode(encoding))


def sha256_of(path):
    """The hex sha256 digest of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
