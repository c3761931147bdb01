"""Fashion-MNIST from the original IDX `.gz` files, looked up in order in
`$KERAS_FGAN_DATA_DIR`, Debian's `/usr/share/datasets/fashion-mnist/`
(`apt-get install dataset-fashion-mnist`) and the Keras download cache
(downloading there when a network is available).

References:
    Xiao, Rasul and Vollgraf, 2017. "Fashion-MNIST: a Novel Image Dataset for
    Benchmarking Machine Learning Algorithms". https://arxiv.org/abs/1708.07747
"""

import functools
import os
from pathlib import Path

from keras_fgan.datasets.idx import IMAGES_MAGIC
from keras_fgan.datasets.idx import LABELS_MAGIC
from keras_fgan.datasets.idx import read_idx

DATA_DIR_ENV = "KERAS_FGAN_DATA_DIR"
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
KERAS_CACHE_SUBDIR = os.path.join("datasets", "fashion-mnist")

FASHION_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
FASHION_MNIST_SIZES = {"train": 60000, "test": 10000}
FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


def _read_fashion_mnist_dir(directory, split):
    """Reads and validates one split from a directory of IDX files."""
    image_name, label_name = FASHION_MNIST_FILES[split]
    image_path = _existing(Path(directory) / image_name)
    label_path = _existing(Path(directory) / label_name)
    images = read_idx(image_path, expected_magic=IMAGES_MAGIC)
    labels = read_idx(label_path, expected_magic=LABELS_MAGIC)
    if images.shape[1:] != (28, 28):
        raise ValueError(
            f"IDX file {image_path} holds images of shape {images.shape[1:]}, "
            "expected (28, 28) for Fashion-MNIST."
        )
    if labels.shape[0] != images.shape[0]:
        raise ValueError(
            f"IDX files {image_path} and {label_path} disagree: "
            f"{images.shape[0]} images but {labels.shape[0]} labels."
        )
    if labels.size and labels.max() > 9:
        raise ValueError(
            f"IDX file {label_path} has label {int(labels.max())}; "
            "Fashion-MNIST labels are 0..9."
        )
    return images, labels


def _existing(path):
    """Returns `path`, or `path` without `.gz` when only that exists."""
    if path.exists():
        return path
    plain = path.with_suffix("")
    if plain.exists():
        return plain
    raise FileNotFoundError(str(path))


def _has_split(directory, split):
    try:
        for name in FASHION_MNIST_FILES[split]:
            _existing(Path(directory) / name)
    except FileNotFoundError:
        return False
    return True


def _keras_download_dir(split):
    """Downloads (or finds in the Keras cache) the IDX files; returns their dir.

    Uses `keras.utils.get_file`, the same URLs and cache folder as
    `keras.datasets.fashion_mnist.load_data`, so an existing Keras cache is reused.
    """
    from keras.utils import get_file

    path = None
    for name in FASHION_MNIST_FILES[split]:
        path = get_file(name, origin=KERAS_ORIGIN + name, cache_subdir=KERAS_CACHE_SUBDIR)
    return Path(path).parent


def locate(split):
    """Returns the directory holding the split's IDX files (downloading last)."""
    tried = []
    env_dir = os.environ.get(DATA_DIR_ENV)
    if env_dir:
        if _has_split(env_dir, split):
            return Path(env_dir)
        tried.append(f"${DATA_DIR_ENV}={env_dir} (files missing)")
    else:
        tried.append(f"${DATA_DIR_ENV} (not set)")
    if _has_split(DEBIAN_DIR, split):
        return DEBIAN_DIR
    tried.append(f"{DEBIAN_DIR} (not installed)")
    try:
        return _keras_download_dir(split)
    except Exception as e:  # noqa: BLE001 - any download failure means "no source"
        tried.append(f"Keras download ({e.__class__.__name__}: {e})")
    image_name, label_name = FASHION_MNIST_FILES[split]
    raise FileNotFoundError(
        f"Fashion-MNIST split {split!r} was not found. Tried: {'; '.join(tried)}. "
        "To get it, either install the Debian package "
        "(`sudo apt-get install dataset-fashion-mnist`, which puts the files in "
        f"{DEBIAN_DIR}), or put {image_name} and {label_name} (the original IDX "
        f"files) in a directory and set {DATA_DIR_ENV} to it, or allow network "
        f"access so Keras can download them from {KERAS_ORIGIN}."
    )


def read_uint8(split):
    """Finds and reads Fashion-MNIST (uint8 images, labels), cached per file."""
    directory = locate(split)
    paths = [_existing(directory / name) for name in FASHION_MNIST_FILES[split]]
    stamps = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
    return _read_cached(str(directory), split, stamps)


@functools.lru_cache(maxsize=4)
def _read_cached(directory, split, stamps):
    # `stamps` (path, mtime, size) is part of the key so a changed file is re-read.
    del stamps
    images, labels = _read_fashion_mnist_dir(directory, split)
    images.flags.writeable = False
    labels.flags.writeable = False
    return images, labels
