"""What a data string names: the built-in data sets and their splits, and
`resolve`, which tells a built-in name, a TFDS dataset, a folder of images and
an array file apart without reading anything."""

import collections
import difflib
import os
from pathlib import Path

TFDS_PREFIX = "tfds:"
ARRAY_SUFFIXES = (".npy", ".npz")

_SPLITS = {
    "fashion_mnist": ("train", "test"),
    # scikit-learn's digits have no official split: "train" is the whole set.
    "digits": ("train",),
    # Mixture splits are independent draws (the split seeds its own stream).
    "ring": ("train", "test"),
    "grid": ("train", "test"),
}


def names():
    """Returns the built-in dataset names accepted by `load`.

    Returns:
        A tuple of dataset names.
    """
    return tuple(_SPLITS)


def splits(name):
    """Returns the valid splits of a built-in dataset.

    Args:
        name: a dataset name from `names()`.

    Returns:
        A tuple of split names.
    """
    return _SPLITS[_check_name(name)]


def _check_name(name):
    if name not in _SPLITS:
        raise _unknown_name(name)
    return name


def _unknown_name(name):
    close = difflib.get_close_matches(str(name).lower(), names(), n=2, cutoff=0.6)
    hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
    return ValueError(
        f"Unknown dataset name={name!r}.{hint} Valid names: {', '.join(names())}; "
        f"or a folder of images, a .npy/.npz file, or '{TFDS_PREFIX}<name>[:<split>]'."
    )


Source = collections.namedtuple("Source", ["kind", "name", "split"])
Source.__doc__ = """Where `load` reads data: `kind` is "builtin", "tfds", "folder" or
"array"; `name` the dataset name or path; `split` the TFDS split named in a
`tfds:` string (None otherwise)."""


def resolve(data):
    """Says what a data string names, without reading the data.

    The rules, in order: `"tfds:<name>[:<split>]"` is a TensorFlow Datasets
    dataset; a name in `names()` is built in (a folder of that name needs a
    path such as `./ring`); an existing folder is a folder of images; a path
    ending in `.npy` or `.npz` is an array file.

    Args:
        data: a string (or `os.PathLike`), as `load` and the command line's
            `--data` take it.

    Returns:
        A `Source(kind, name, split)`.

    Raises:
        FileNotFoundError: `data` is a path (it has a `/`, starts with `.` or
            `~`, or ends in `.npy`/`.npz`) that does not exist.
        ValueError: `data` names nothing `load` can read; the message lists
            the valid names and suggests close ones.
    """
    if not isinstance(data, (str, os.PathLike)):
        raise ValueError(f"`data` must be a string or a path. Received: {data!r}")
    text = os.fspath(data)
    if isinstance(data, str) and text.startswith(TFDS_PREFIX):
        name, _, split = text[len(TFDS_PREFIX):].partition(":")
        if not name:
            raise ValueError(
                f"A TFDS dataset is written '{TFDS_PREFIX}<name>[:<split>]', e.g. "
                f"'{TFDS_PREFIX}cifar10:test'. Received: {text!r}"
            )
        return Source("tfds", name, split or None)
    if isinstance(data, str) and text in _SPLITS:
        return Source("builtin", text, None)
    if not text:
        raise _unknown_name(text)
    path = Path(text).expanduser()
    if path.is_dir():
        return Source("folder", str(path), None)
    if path.suffix.lower() in ARRAY_SUFFIXES:
        if not path.is_file():
            raise FileNotFoundError(f"No such file: {text}")
        return Source("array", str(path), None)
    if path.exists():
        raise ValueError(
            f"{text} is neither a folder of images nor a .npy/.npz file. To train "
            "on images, pass the folder that holds them."
        )
    if "/" in text or os.sep in text or text.startswith((".", "~")):
        raise FileNotFoundError(f"No such file or folder: {text}")
    raise _unknown_name(text)
