"""Datasets: Fashion-MNIST, scikit-learn digits and the 2-D Gaussian mixtures.

Every loader returns float32 NumPy arrays scaled to `[-1, 1]` (images) or the raw
plane coordinates (2-D mixtures), so the same arrays feed `fit` on every Keras
backend. `load(..., as_dataset=True)` wraps them in a shuffled, batched,
prefetched `tf.data.Dataset` (TensorFlow is imported only on that path).

Fashion-MNIST is read from the original IDX `.gz` files, looked up in order:

1. the directory named by the environment variable `KERAS_FGAN_DATA_DIR`,
2. Debian's `/usr/share/datasets/fashion-mnist/`
   (`apt-get install dataset-fashion-mnist`),
3. the Keras download cache (`~/.keras/datasets/fashion-mnist/`), downloading the
   files there when a network is available.

The IDX files are parsed here (gzip + struct) and checked (magic number, dims,
exact payload length), so a corrupt or truncated file raises a `ValueError` that
names it instead of yielding garbage images.

References:
    Xiao, Rasul and Vollgraf, 2017. "Fashion-MNIST: a Novel Image Dataset for
    Benchmarking Machine Learning Algorithms". https://arxiv.org/abs/1708.07747
    Lin, Khetan, Fanti and Oh, 2018. "PacGAN: The power of two samples in
    generative adversarial networks". https://arxiv.org/abs/1712.04086
    Srivastava et al., 2017. "VEEGAN: Reducing Mode Collapse in GANs using
    Implicit Variational Learning". https://arxiv.org/abs/1705.07761
"""

import functools
import gzip
import os
import struct
import zlib
from pathlib import Path

import numpy as np

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

_SPLITS = {
    "fashion_mnist": ("train", "test"),
    # scikit-learn's digits have no official split: "train" is the whole set.
    "digits": ("train",),
    # Mixture splits are independent draws (the split seeds its own stream).
    "ring": ("train", "test"),
    "grid": ("train", "test"),
}
_MIXTURE_DEFAULT_N = 10_000

_IDX_MAGIC_IMAGES = 2051  # 0x00000803: unsigned byte, 3 dims
_IDX_MAGIC_LABELS = 2049  # 0x00000801: unsigned byte, 1 dim


def names():
    """Returns the names accepted by `load`.

    Returns:
        A tuple of dataset names.
    """
    return tuple(_SPLITS)


def splits(name):
    """Returns the valid splits of a dataset.

    Args:
        name: a dataset name from `names()`.

    Returns:
        A tuple of split names.
    """
    return _SPLITS[_check_name(name)]


def _check_name(name):
    if name not in _SPLITS:
        raise ValueError(
            f"Unknown dataset name={name!r}. Valid names: {', '.join(names())}."
        )
    return name


# --------------------------------------------------------------------------- IDX


def read_idx(path, expected_magic=None):
    """Reads an IDX file (optionally gzip-compressed) into a uint8 array.

    The header is checked: two zero bytes, data type `0x08` (unsigned byte),
    the number of dimensions, the big-endian int32 sizes, then a payload whose
    length must equal the product of the sizes exactly.

    Args:
        path: path to an IDX file; gzip-compressed when it ends in `.gz`.
        expected_magic: optional int, the magic number the file must carry
            (2051 for image files, 2049 for label files).

    Returns:
        A uint8 NumPy array with the shape given in the header.

    Raises:
        ValueError: the file is corrupt, truncated, or of the wrong kind; the
            message names the file.
    """
    path = Path(path)
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as f:
                raw = f.read()
        else:
            raw = path.read_bytes()
    except (EOFError, OSError, zlib.error) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise ValueError(
            f"Cannot read IDX file {path}: {e.__class__.__name__}: {e}. The file "
            "is corrupt or truncated; delete it and fetch it again."
        ) from e
    if len(raw) < 4:
        raise ValueError(f"IDX file {path} is truncated: {len(raw)} bytes, no header.")
    zero, dtype_code, ndim = struct.unpack(">HBB", raw[:4])
    magic = struct.unpack(">I", raw[:4])[0]
    if zero != 0 or dtype_code != 0x08 or ndim == 0:
        raise ValueError(
            f"IDX file {path} has a bad magic number 0x{magic:08x}; expected an "
            "unsigned-byte IDX file (0x0000080N)."
        )
    if expected_magic is not None and magic != expected_magic:
        raise ValueError(
            f"IDX file {path} has magic number {magic}, expected {expected_magic} "
            f"({'images' if expected_magic == _IDX_MAGIC_IMAGES else 'labels'})."
        )
    header_len = 4 + 4 * ndim
    if len(raw) < header_len:
        raise ValueError(f"IDX file {path} is truncated inside its header.")
    dims = struct.unpack(f">{ndim}I", raw[4:header_len])
    expected = int(np.prod(dims, dtype=np.int64))
    actual = len(raw) - header_len
    if actual != expected:
        raise ValueError(
            f"IDX file {path} has a payload of {actual} bytes but its header "
            f"declares dims {dims} ({expected} bytes): the file is "
            f"{'truncated' if actual < expected else 'corrupt (trailing data)'}."
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header_len).reshape(dims)


def write_idx(path, array):
    """Writes a uint8 array as an IDX file (gzip-compressed if `.gz`).

    The inverse of `read_idx`; used to make small fixture files.

    Args:
        path: destination path.
        array: array-like of uint8 values with 1 to 255 dimensions.
    """
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = struct.pack(">HBB", 0, 0x08, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    data = header + array.tobytes()
    path = Path(path)
    if path.suffix == ".gz":
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        path.write_bytes(data)


def _read_fashion_mnist_dir(directory, split):
    """Reads and validates one split from a directory of IDX files."""
    image_name, label_name = FASHION_MNIST_FILES[split]
    image_path = _existing(Path(directory) / image_name)
    label_path = _existing(Path(directory) / label_name)
    images = read_idx(image_path, expected_magic=_IDX_MAGIC_IMAGES)
    labels = read_idx(label_path, expected_magic=_IDX_MAGIC_LABELS)
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


def _locate_fashion_mnist(split):
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


def _fashion_mnist_uint8(split):
    """Finds and reads Fashion-MNIST (uint8 images, labels), cached per file."""
    directory = _locate_fashion_mnist(split)
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


def _scale_uint8(images, max_value):
    return (images.astype(np.float32) / np.float32(max_value / 2.0)) - np.float32(1.0)


# ------------------------------------------------------------------- mixtures


def mixture_modes(name):
    """Returns the mode centres and per-coordinate std of a 2-D mixture.

    The PacGAN/VEEGAN protocol: "ring" has 8 modes evenly spaced on a circle of
    radius 1 with std 0.01; "grid" has 25 modes at {-4, -2, 0, 2, 4}^2 with std
    0.05.

    Args:
        name: "ring" or "grid".

    Returns:
        A tuple `(centres, std)`: a float32 array of shape (num_modes, 2) and a
        float.

    References:
        Lin et al., 2018. "PacGAN". https://arxiv.org/abs/1712.04086
    """
    if name == "ring":
        angles = 2.0 * np.pi * np.arange(8) / 8.0
        centres = np.stack([np.cos(angles), np.sin(angles)], axis=1)
        return centres.astype(np.float32), 0.01
    if name == "grid":
        values = np.array([-4.0, -2.0, 0.0, 2.0, 4.0])
        centres = np.array([(x, y) for x in values for y in values])
        return centres.astype(np.float32), 0.05
    raise ValueError(f"Unknown mixture name={name!r}. Valid mixtures: ring, grid.")


def _sample_mixture(name, n, seed, split):
    centres, std = mixture_modes(name)
    rng = np.random.default_rng([int(seed), _SPLITS[name].index(split)])
    labels = rng.integers(0, len(centres), size=n)
    points = centres[labels].astype(np.float64) + std * rng.standard_normal((n, 2))
    return points.astype(np.float32), labels.astype(np.int64)


# ----------------------------------------------------------------------- load


def load(
    name,
    split="train",
    *,
    with_labels=False,
    n=None,
    seed=0,
    as_dataset=False,
    batch_size=64,
    drop_remainder=True,
):
    """Loads a dataset as float32 arrays (or a `tf.data.Dataset`).

    | name            | shape           | values           | splits       |
    |-----------------|-----------------|------------------|--------------|
    | "fashion_mnist" | (N, 28, 28, 1)  | [-1, 1]          | train, test  |
    | "digits"        | (N, 8, 8, 1)    | [-1, 1]          | train (all)  |
    | "ring"          | (N, 2)          | plane            | train, test  |
    | "grid"          | (N, 2)          | plane            | train, test  |

    Labels are the class (int64) for images and the mixture component for the
    2-D mixtures.

    Args:
        name: one of `names()`.
        split: one of `splits(name)`. For the mixtures the two splits are
            independent draws.
        with_labels: if True, return `(x, y)`.
        n: number of samples. For images, the first `n` of the split (all when
            None). For mixtures, how many points to draw (default 10,000).
        seed: seed of the mixture draw, and of the shuffle when `as_dataset`.
        as_dataset: if True, return a shuffled, batched, prefetched
            `tf.data.Dataset` (requires TensorFlow; it feeds Keras `fit` on every
            backend). It yields `x` batches, or `(x, y)` when `with_labels`.
        batch_size: batch size when `as_dataset`.
        drop_remainder: when `as_dataset`, drop the last partial batch so every
            batch has the same shape (compiled training steps prefer that). A
            dataset smaller than one batch is kept as a single partial batch.

    Returns:
        `x`, or `(x, y)` when `with_labels`, as NumPy arrays; a `tf.data.Dataset`
        when `as_dataset`.

    Raises:
        ValueError: unknown name or split, bad `n` or `batch_size`, or a corrupt
            data file.
        FileNotFoundError: Fashion-MNIST is not available anywhere; the message
            says how to get it.
    """
    _check_name(name)
    if split not in _SPLITS[name]:
        raise ValueError(
            f"Unknown split={split!r} for dataset {name!r}. "
            f"Valid splits: {', '.join(_SPLITS[name])}."
        )
    if n is not None and (not isinstance(n, (int, np.integer)) or n < 0):
        raise ValueError(f"n must be a non-negative int or None, got n={n!r}.")

    if name == "fashion_mnist":
        images, labels = _fashion_mnist_uint8(split)
        if n is not None:
            images, labels = images[:n], labels[:n]
        x = _scale_uint8(images, 255.0)[..., None]
        y = labels.astype(np.int64)
    elif name == "digits":
        from sklearn.datasets import load_digits

        bunch = load_digits()
        x = bunch.images.astype(np.float32) / np.float32(8.0) - np.float32(1.0)
        x = x[..., None]
        y = bunch.target.astype(np.int64)
        if n is not None:
            x, y = x[:n], y[:n]
    else:
        x, y = _sample_mixture(name, _MIXTURE_DEFAULT_N if n is None else int(n), seed, split)

    if as_dataset:
        return _as_tf_dataset(x, y if with_labels else None, batch_size, seed, drop_remainder)
    return (x, y) if with_labels else x


def _as_tf_dataset(x, y, batch_size, seed, drop_remainder):
    """Wraps arrays in a shuffled, batched, prefetched `tf.data.Dataset`.

    The shuffle permutes indices (a full, uniform shuffle every epoch) and
    gathers the batch from a single in-memory copy of the data, so no shuffle
    buffer holds a second copy of the images.
    """
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got batch_size={batch_size!r}.")
    if len(x) == 0:
        raise ValueError("Cannot make a tf.data.Dataset of an empty dataset (n=0).")
    try:
        import tensorflow as tf
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "load(..., as_dataset=True) needs TensorFlow for tf.data "
            "(`pip install keras-fgan[tensorflow]`); without it, pass the NumPy "
            "arrays from load(...) to fit directly."
        ) from e
    x_t = tf.constant(x)
    y_t = None if y is None else tf.constant(y)

    def gather(idx):
        if y_t is None:
            return tf.gather(x_t, idx)
        return tf.gather(x_t, idx), tf.gather(y_t, idx)

    ds = tf.data.Dataset.range(len(x))
    ds = ds.shuffle(len(x), seed=int(seed), reshuffle_each_iteration=True)
    ds = ds.batch(int(batch_size), drop_remainder=drop_remainder and len(x) >= batch_size)
    ds = ds.map(gather, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)
