"""The packaged registry: the zoo's trust root.

`registry.json` ships inside the `keras_fgan` package and lists every preset:
its model class, description, training recipe, headline metrics, and the size
and sha256 of each of its files. Everything else follows from it: names are
checked against it before any path is formed, every file from any source or
from the cache is checked against its hash, and a source's own `index.json`
may only narrow it (`narrow`). `scripts/train_zoo.py` rebuilds it from
`zoo/*/preset.json` with `write_index`, and a test checks that they agree.

The registry is read once per process.
"""

import copy
import difflib
import functools
import json
import re
from pathlib import Path

from keras_fgan.fileio import atomic_write_text
from keras_fgan.zoo.errors import ZooIntegrityError

REGISTRY_PATH = Path(__file__).with_name("registry.json")
FORMAT = 1
PRESET_FILE = "preset.json"
INDEX_FILE = "index.json"
CLASSIFIER_CLASS = "Classifier"
NAME_PATTERN = re.compile(r"[a-z0-9_]+")
FILE_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")


def check_name(name):
    """Returns `name` if it is a plain preset name (`[a-z0-9_]+`).

    Called before a name is used in any path, so that `..`, separators and
    absolute paths never reach the file system.

    Raises:
        ValueError: for anything else.
    """
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise ValueError(
            "`name` must be a preset name of lowercase letters, digits and underscores "
            f"([a-z0-9_]+). Received: name={name!r}"
        )
    return name


def repository_zoo_dir():
    """The `zoo/` folder of the repository checkout keras_fgan runs from, or
    None for an installed package."""
    root = Path(__file__).resolve().parents[2]
    zoo = root / "zoo"
    return zoo if (root / "pyproject.toml").is_file() and zoo.is_dir() else None


def parse(document, origin):
    """Checks a registry or index document and returns `{name: entry}`.

    Args:
        document: the decoded JSON, `{"presets": {name: {"files": {file:
            {"sha256": hex, "size": bytes}}, ...}}}`.
        origin: where it came from, for the error messages.

    Raises:
        ZooIntegrityError: a preset name that is not `[a-z0-9_]+` (such as
            `../x`, `/abs/x` or `a/b`), a file name with a separator or a
            leading dot, or a file entry without a sha256 and size.
    """
    presets = document.get("presets") if isinstance(document, dict) else None
    if not isinstance(presets, dict):
        raise ZooIntegrityError(f"{origin} is not a zoo index: expected {{\"presets\": {{name: entry}}}}.")
    for name, entry in presets.items():
        if not NAME_PATTERN.fullmatch(name):
            raise ZooIntegrityError(
                f"{origin} lists a preset named {name!r}, which is not a plain name "
                "([a-z0-9_]+); refusing the whole index."
            )
        files = entry.get("files") if isinstance(entry, dict) else None
        if not isinstance(files, dict) or not files:
            raise ZooIntegrityError(f"{origin}: preset {name!r} has no `files` table; refusing the whole index.")
        for fname, info in files.items():
            size = info.get("size") if isinstance(info, dict) else None
            if (
                not FILE_PATTERN.fullmatch(fname)
                or not SHA256_PATTERN.fullmatch(str(info.get("sha256")))
                or not isinstance(size, int)
                or isinstance(size, bool)
                or size < 0
            ):
                raise ZooIntegrityError(
                    f"{origin}: preset {name!r} lists the file {fname!r} as {info!r}; expected a "
                    "plain file name with a sha256 (64 hex digits) and a size in bytes. "
                    "Refusing the whole index."
                )
    return presets


@functools.cache
def packaged():
    """`{name: entry}` of the packaged registry (read once per process)."""
    with open(REGISTRY_PATH, encoding="utf-8") as f:
        return parse(json.load(f), str(REGISTRY_PATH))


def entry(name):
    """The packaged entry of a preset (not a copy: callers must not modify it).

    Raises:
        ValueError: an invalid or unknown name; the message suggests close
            matches and lists the presets.
    """
    presets = packaged()
    if check_name(name) not in presets:
        names = sorted(presets)
        close = difflib.get_close_matches(name, names, n=5, cutoff=0.5)
        hint = f"Did you mean {', '.join(close)}? " if close else ""
        raise ValueError(f"Unknown preset {name!r}. {hint}Available presets: {', '.join(names)}.")
    return presets[name]


def list_presets():
    """Sorted names of every preset in the packaged registry (no network)."""
    return sorted(packaged())


def preset_info(name):
    """A preset's registry entry: `name`, `class`, `description`, `recipe`,
    headline `metrics` and `files` (each with `sha256` and `size`). The full
    training record is `preset.json` in the preset's folder of `zoo/`."""
    return {"name": name, **copy.deepcopy(entry(name))}


def preset_config(name):
    """The training recipe of a preset (a dict; `data`, `objective`, ...)."""
    return copy.deepcopy(entry(name)["recipe"])


def narrow(document, origin):
    """The `(name, file)` pairs a source offers, according to its index.

    An index can only narrow the packaged registry: presets and files that
    the registry does not know are ignored, and never added.

    Args:
        document: the source's decoded `index.json`.
        origin: its URL or path, for the error messages.

    Returns:
        A set of `(name, file)` pairs, each in the packaged registry with the
        same sha256 and size.

    Raises:
        ZooIntegrityError: an invalid index (see `parse`), or a known file
            listed with another sha256 or size (the source holds another
            release, or was tampered with).
    """
    known = packaged()
    offered = set()
    for name, listed in parse(document, origin).items():
        for fname, info in listed["files"].items():
            expected = known.get(name, {}).get("files", {}).get(fname)
            if expected is None:
                continue
            if (info["sha256"], info["size"]) != (expected["sha256"], expected["size"]):
                raise ZooIntegrityError(
                    f"{origin} lists {name}/{fname} with sha256 {info['sha256']} ({info['size']} bytes), "
                    f"but the packaged registry has {expected['sha256']} ({expected['size']} bytes): "
                    "the source holds files of another release, or was tampered with. Refusing it."
                )
            offered.add((name, fname))
    return offered


def headline(metrics):
    """The scalar entries of a preset's metrics (the per-seed tables and
    nested reports stay in its `preset.json`)."""
    return {k: v for k, v in metrics.items() if v is None or isinstance(v, (bool, int, float, str))}


def build(directory):
    """A registry document from a zoo folder's `*/preset.json` files."""
    presets = {}
    for path in sorted(Path(directory).glob(f"*/{PRESET_FILE}")):
        name = check_name(path.parent.name)
        preset = json.loads(path.read_text(encoding="utf-8"))
        if preset.get("name", name) != name:
            raise ValueError(f"{path} names the preset {preset['name']!r}, not its folder's name {name!r}.")
        presets[name] = {
            "class": preset["class"],
            "description": preset.get("description", ""),
            "recipe": preset["recipe"],
            "metrics": headline(preset.get("metrics", {})),
            "files": preset["files"],
        }
    document = {"format": FORMAT, "presets": presets}
    parse(document, str(directory))
    return document


def write_index(directory=None, path=None):
    """Writes the registry of a zoo folder as JSON.

    Args:
        directory: a folder of presets (`<name>/preset.json` and files); the
            repository's `zoo/` by default.
        path: the file to write; `<directory>/index.json` by default (the
            index served beside the files). `scripts/train_zoo.py` also
            writes `REGISTRY_PATH`, the packaged registry.

    Returns:
        The path written.
    """
    directory = Path(directory) if directory is not None else repository_zoo_dir()
    if directory is None:
        raise ValueError("write_index needs `directory` outside a keras-fgan checkout. Received: directory=None")
    path = Path(path) if path is not None else directory / INDEX_FILE
    text = json.dumps(build(directory), indent=1, sort_keys=True) + "\n"
    return atomic_write_text(path, text)
