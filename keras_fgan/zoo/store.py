"""The cache of verified preset files: `$KERAS_HOME/keras_fgan/zoo/<name>/<file>`.

`KERAS_HOME` defaults to `~/.keras`. A file enters the cache only through a
temporary file in its folder that matched the packaged registry's size and
sha256, and is then renamed into place; a cached file is checked again on
every use, so presets work offline once fetched and a corrupt or stale file is
dropped and fetched again. Paths are formed only from checked names and always
verified to stay inside the cache root, and the cache's own entries are never
followed when they are symbolic links.
"""

import json
import os
from pathlib import Path

from keras_fgan.fileio import atomic_path
from keras_fgan.fileio import atomic_write_text
from keras_fgan.fileio import sha256_of
from keras_fgan.zoo import registry
from keras_fgan.zoo import sources
from keras_fgan.zoo.errors import ZooIntegrityError


def cache_root():
    """`$KERAS_HOME/keras_fgan/zoo` (`KERAS_HOME` defaults to `~/.keras`)."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "keras_fgan" / "zoo"


def _refuse_link_or_kind(path, name, fname, kind):
    """Raises when `path` is a symbolic link, or exists and is not a `kind`
    ("folder" or "file")."""
    wrong = path.exists() and not (path.is_dir() if kind == "folder" else path.is_file())
    if path.is_symlink() or wrong:
        what = "a symbolic link" if path.is_symlink() else f"not a {kind}"
        raise ZooIntegrityError(
            f"Refusing the cache entry {path} for {name}/{fname}: it is {what}, and the zoo never "
            "follows links or replaces other entries in its cache. Remove it and try again."
        )


def preset_folder(name, fname=registry.PRESET_FILE):
    """The cache folder of a preset, created if needed.

    Args:
        name: a preset name (checked before any path is formed).
        fname: the file it is wanted for, named in errors.

    Raises:
        ValueError: an invalid name.
        ZooIntegrityError: the folder is a symbolic link, is not a folder, or
            resolves outside the cache root.
    """
    registry.check_name(name)
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    root = root.resolve()  # KERAS_HOME itself may be a link; nothing below it may
    folder = root / name
    _refuse_link_or_kind(folder, name, fname, "folder")
    folder.mkdir(exist_ok=True)
    if folder.resolve() != folder:
        raise ZooIntegrityError(f"Refusing {folder} for {name}/{fname}: it resolves outside the cache root {root}.")
    return folder


def _verified(path, info):
    return path.stat().st_size == info["size"] and sha256_of(path) == info["sha256"]


def preset_file(name, fname):
    """The verified local path of one file of a preset, fetched into the
    cache from the first source that has it when missing or stale.

    Args:
        name: a name from `list_presets()`.
        fname: one of its files (`preset_info(name)["files"]`), e.g.
            `"samples.png"` or `"reference.npz"`.

    Returns:
        A `pathlib.Path` inside the cache.

    Raises:
        ValueError: unknown preset or file.
        ZooIntegrityError: the fetched file differs from the packaged
            registry, or the cache entry is a link or of the wrong kind.
        ZooDownloadError: no source has the file.
    """
    files = registry.entry(name)["files"]
    if fname not in files:
        raise ValueError(f"Preset {name!r} has no file {fname!r}; it has {', '.join(sorted(files))}. Received: fname={fname!r}")
    info = files[fname]
    folder = preset_folder(name, fname)
    target = folder / fname
    _refuse_link_or_kind(target, name, fname, "file")
    if target.is_file():
        if _verified(target, info):
            return target
        target.unlink(missing_ok=True)  # stale or corrupt: never trusted
    with atomic_path(target) as tmp:
        with open(tmp, "wb") as out:
            source, size = sources.fetch(name, fname, info["size"], out)
        actual = sha256_of(tmp)
        if size != info["size"] or actual != info["sha256"]:
            shown = f"more than {info['size']}" if size > info["size"] else str(size)
            raise ZooIntegrityError(
                f"{name}/{fname} from {source} has sha256 {actual} ({shown} bytes), but the "
                f"packaged registry expects {info['sha256']} ({info['size']} bytes). The file is "
                "corrupt, truncated or was tampered with; it was discarded and nothing was cached."
            )
    return target


def download(name):
    """Fetches every file of a preset into the cache (each verified against
    the packaged registry) and returns its folder, which also holds the
    registry entry as `preset.json`. Cached files with the right hash are
    used without touching any source.

    Raises:
        ValueError: unknown preset.
        ZooIntegrityError: a file differs from the registry, or a cache entry
            is a link or of the wrong kind.
        ZooDownloadError: no source has a file.
    """
    for fname in sorted(registry.entry(name)["files"]):
        preset_file(name, fname)
    folder = preset_folder(name)
    meta = folder / registry.PRESET_FILE
    text = json.dumps(registry.preset_info(name), indent=2, sort_keys=True) + "\n"
    if meta.is_symlink() or not meta.is_file() or meta.read_text(encoding="utf-8") != text:
        atomic_write_text(meta, text)  # a link is replaced, not followed
    return folder
