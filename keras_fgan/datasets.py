"""Datasets: the built-in sets and your own data, as float32 NumPy arrays.

`load(...)` takes

- a built-in name (`names()`): "fashion_mnist", "digits" (images scaled to
  `[-1, 1]`), "ring", "grid" (2-D Gaussian mixtures, raw plane coordinates);
- a folder of images (PNG, JPEG, BMP, GIF; any size, grayscale or RGB, read
  with `keras.utils.image_dataset_from_directory`, resized to `image_size`);
- a `.npy` or `.npz` file of samples, `(N, features)` vectors or
  `(N, H, W[, C])` images;
- `"tfds:<name>[:<split>]"`, any image dataset of TensorFlow Datasets
  (`pip install keras-fgan[data]`), read from its `data_dir`.

8-bit data (uint8 arrays, image files, TFDS images) is scaled to `[-1, 1]`,
the range of the DCGAN generators' tanh output, with a one-line note on the
`keras_fgan.datasets` logger. Floating-point images must already lie in
`[-1, 1]` (`check_range` says so clearly otherwise); vectors are kept as
they are. `data_kind(x)` tells vectors from images, so a builder can pick
MLP or DCGAN networks. `load(..., as_dataset=True)` wraps any of them in a
shuffled, batched, prefetched `tf.data.Dataset` (TensorFlow is imported only
on that path, and for image folders and TFDS, which are read through it).

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

import collections
import difflib
import functools
import gzip
import logging
import os
import re
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

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

TFDS_PREFIX = "tfds:"
ARRAY_SUFFIXES = (".npy", ".npz")
# The formats `keras.utils.image_dataset_from_directory` reads.
IMAGE_SUFFIXES = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
COLOR_MODES = ("grayscale", "rgb")
# PIL modes read as one channel when `color_mode` is not given.
_GRAYSCALE_MODES = ("1", "L", "LA", "I", "I;16", "F")
# ITU-R BT.601 luma, as PIL's "L" conversion and tf.image.rgb_to_grayscale.
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)
_READ_BATCH = 1024


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


# ---------------------------------------------------------------- sources


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


# ----------------------------------------------------------- checks, kinds


DataKind = collections.namedtuple("DataKind", ["kind", "shape"])
DataKind.__doc__ = """`kind` is "vector" (samples of shape `(features,)`, for MLP
networks) or "image" (samples of shape `(height, width, channels)`, for the
DCGAN networks); `shape` is the shape of one sample."""


def data_kind(x):
    """Tells vector data from image data, so a builder can pick networks.

    Args:
        x: a batch of samples, `(N, features)` or `(N, height, width,
            channels)`, as `load` returns.

    Returns:
        A `DataKind(kind, shape)`: `("vector", (features,))` or
        `("image", (height, width, channels))`.

    Raises:
        ValueError: `x` has another rank.
    """
    shape = tuple(int(s) for s in np.shape(x))
    if len(shape) == 2:
        return DataKind("vector", shape[1:])
    if len(shape) == 4:
        return DataKind("image", shape[1:])
    raise ValueError(
        "Data must be a batch of vectors (N, features) or of images "
        f"(N, height, width, channels). Received: an array of shape {shape}"
    )


def check_range(x, low=-1.0, high=1.0, *, name="data"):
    """Checks that every value of `x` is finite and in `[low, high]`.

    Call it with the range of the generator's output activation (tanh:
    `[-1, 1]`, the default; a linear output: `-inf, inf`), so data the
    generator cannot produce fails early and clearly.

    Args:
        x: array-like data.
        low: smallest allowed value.
        high: largest allowed value.
        name: how the message names the data (e.g. its path).

    Returns:
        `x`, unchanged.

    Raises:
        ValueError: `x` has NaN or infinite values, or values outside
            `[low, high]`; the message gives the range found and how to scale.
    """
    values = np.asarray(x)
    if values.size == 0:
        return x
    finite = np.isfinite(values)
    if not finite.all():
        raise ValueError(f"{name} has {int(values.size - finite.sum())} NaN or infinite values.")
    found = float(values.min()), float(values.max())
    if found[0] < low or found[1] > high:
        raise ValueError(
            f"{name} has values in [{found[0]:.4g}, {found[1]:.4g}], outside "
            f"[{low:g}, {high:g}], the range of the generator's output. Scale it "
            "first (8-bit pixels: x / 127.5 - 1), or pass 8-bit data (uint8 "
            "arrays, image files), which load() scales to [-1, 1]."
        )
    return x


def _check_image_size(image_size):
    if image_size is None:
        return None
    size = (image_size, image_size) if isinstance(image_size, (int, np.integer)) else image_size
    valid = (
        isinstance(size, (tuple, list))
        and len(size) == 2
        and all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s > 0 for s in size)
    )
    if not valid:
        raise ValueError(
            "`image_size` must be a positive int or (height, width). "
            f"Received: image_size={image_size!r}"
        )
    return int(size[0]), int(size[1])


def _check_color_mode(color_mode):
    if color_mode is not None and color_mode not in COLOR_MODES:
        raise ValueError(
            f"`color_mode` must be None (as stored), 'grayscale' or 'rgb'. "
            f"Received: color_mode={color_mode!r}"
        )


def _samples(x, source):
    """8-bit data scaled to [-1, 1] (with a note), float images range-checked,
    (N, H, W) grayscale images given a channel axis."""
    x = np.asarray(x)
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim not in (2, 4):
        raise ValueError(
            f"{source} holds an array of shape {x.shape}; expected vectors "
            "(N, features) or images (N, height, width[, channels])."
        )
    if x.dtype == np.uint8:
        return _from_8bit(x, source)
    if not np.issubdtype(x.dtype, np.floating):
        raise ValueError(
            f"{source} has dtype {x.dtype}; expected uint8 (8-bit pixels, "
            "scaled to [-1, 1]) or floating-point samples."
        )
    x = x.astype(np.float32)
    if x.ndim == 4:
        check_range(x, -1.0, 1.0, name=source)
    else:
        check_range(x, -np.inf, np.inf, name=source)
    return x


def _from_8bit(x, source):
    """8-bit values (uint8, or floats in [0, 255] after a resize) scaled to
    [-1, 1], with a one-line note."""
    log.warning("Note: %s holds 8-bit values; scaled from [0, 255] to [-1, 1].", source)
    return np.clip(_scale_uint8(x, 255.0), -1.0, 1.0)


def _fit_images(x, image_size, color_mode, source):
    """Converts images to `color_mode` and resizes them (bilinear, with
    antialiasing) to `image_size`; vectors pass when neither is asked for."""
    if x.ndim != 4:
        if image_size is not None or color_mode is not None:
            raise ValueError(
                f"`image_size` and `color_mode` apply to images, but {source} holds "
                f"vectors of shape {x.shape[1:]}."
            )
        return x
    channels = x.shape[-1]
    if color_mode is not None and channels not in (1, 3):
        raise ValueError(f"Cannot convert {source} with {channels} channels to color_mode={color_mode!r}.")
    if color_mode == "rgb" and channels == 1:
        x = np.repeat(x, 3, axis=-1)
    elif color_mode == "grayscale" and channels == 3:
        x = (x @ _LUMA)[..., None]
    if image_size is not None and tuple(x.shape[1:3]) != image_size:
        import keras

        resized = [np.zeros((0, *image_size, x.shape[-1]), np.float32)] + [
            keras.ops.convert_to_numpy(
                keras.ops.image.resize(x[i : i + _READ_BATCH], image_size, antialias=True)
            )
            for i in range(0, len(x), _READ_BATCH)
        ]
        x = np.clip(np.concatenate(resized), -1.0, 1.0).astype(np.float32)
    return x


# ----------------------------------------------------------------- arrays


def _read_array_file(path, with_labels):
    """(x, y or None) from a .npy file, or a .npz file with one array or `x`
    (and optionally `y`)."""
    try:
        data = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        raise ValueError(f"Cannot read array file {path}: {e.__class__.__name__}: {e}") from e
    if isinstance(data, np.ndarray):
        x, y = data, None
    else:
        with data:
            keys = list(data.files)
            if len(keys) == 1:
                x, y = data[keys[0]], None
            elif "x" in keys:
                x, y = data["x"], data["y"] if "y" in keys else None
            else:
                raise ValueError(
                    f"{path} holds the arrays {keys}; name the samples 'x' (and the "
                    "labels 'y'), e.g. np.savez(path, x=x, y=y)."
                )
    if x.ndim == 0 or len(x) == 0:
        raise ValueError(f"{path} holds no samples (shape {x.shape}).")
    if with_labels and y is None:
        raise ValueError(
            f"with_labels=True, but {path} holds no labels; save them beside the "
            "samples with np.savez(path, x=x, y=y)."
        )
    return x, y


# ---------------------------------------------------------- image folders


def _image_info(path):
    """(height, width, PIL mode) of an image file; ValueError if unreadable."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            image.load()
            return image.height, image.width, image.mode
    except (OSError, SyntaxError, ValueError) as e:
        raise ValueError(f"Cannot read image file {path}: {e.__class__.__name__}: {e}") from e


def _read_folder(folder, image_size, color_mode, with_labels, n):
    """(x as float32 in [0, 255], y or None): the first `n` images of a folder
    (all when None), in sorted order.

    With labels, the class of an image is the index of its subfolder in
    sorted order (`image_dataset_from_directory`'s "inferred" labels).
    """
    folder = Path(folder)
    files = sorted(
        p for p in folder.rglob("*")
        if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file() and not p.name.startswith(".")
    )
    if not files:
        raise ValueError(
            f"The folder {folder} holds no image files ({', '.join(IMAGE_SUFFIXES)})."
        )
    if with_labels and not any(p.parent != folder for p in files):
        raise ValueError(
            f"with_labels=True needs one subfolder per class in {folder}; its images "
            "are all at the top level."
        )
    # The first image gives the defaults; every image is resized to it.
    height, width, mode = _image_info(files[0])
    size = image_size or (height, width)
    color_mode = color_mode or ("grayscale" if mode in _GRAYSCALE_MODES else "rgb")
    from keras.utils import image_dataset_from_directory

    dataset = image_dataset_from_directory(
        str(folder),
        labels="inferred" if with_labels else None,
        color_mode=color_mode,
        image_size=size,
        batch_size=_READ_BATCH,
        shuffle=False,
        verbose=False,
    )
    if n is not None:
        dataset = dataset.take(-(-n // _READ_BATCH))
    try:
        batches = list(dataset.as_numpy_iterator())
    except Exception as error:  # tf.errors.* from a decoder: find the file
        for path in files:
            _image_info(path)
        raise ValueError(f"Cannot read the images in {folder}: {error}") from error
    if not batches:  # n == 0
        return np.zeros((0, *size, 1 if color_mode == "grayscale" else 3), np.float32), None
    if with_labels:
        x = np.concatenate([b[0] for b in batches])[:n]
        return x, np.concatenate([b[1] for b in batches])[:n].astype(np.int64)
    return np.concatenate(batches)[:n], None


# ------------------------------------------------------ TensorFlow Datasets


def _read_tfds(name, split, data_dir, image_size, with_labels, n):
    """(uint8 or float32 [0, 255] images, labels or None) of a TFDS split."""
    try:
        import tensorflow as tf
        import tensorflow_datasets as tfds
    except ImportError as e:
        raise ImportError(
            f"'{TFDS_PREFIX}' data needs TensorFlow Datasets: pip install 'keras-fgan[data]'."
        ) from e
    try:
        builder = tfds.builder(name, data_dir=data_dir)
    except tfds.core.registered.DatasetNotFoundError:
        close = difflib.get_close_matches(name, tfds.list_builders(with_community_datasets=False), n=3)
        hint = f" Did you mean {', '.join(TFDS_PREFIX + c for c in close)}?" if close else ""
        raise ValueError(f"Unknown TFDS dataset {TFDS_PREFIX}{name}.{hint}") from None
    features = builder.info.features
    keys = [k for k, f in features.items() if isinstance(f, tfds.features.Image)]
    if not keys:
        raise ValueError(
            f"TFDS dataset {name!r} has no image feature (its features: {', '.join(features)})."
        )
    key = "image" if "image" in keys else keys[0]
    if with_labels and "label" not in features:
        raise ValueError(f"with_labels=True, but TFDS dataset {name!r} has no 'label' feature.")
    if not builder.is_prepared():
        try:
            builder.download_and_prepare()
        except Exception as e:  # noqa: BLE001 - any failure means "not available here"
            first_line = str(e).strip().splitlines()[0] if str(e).strip() else ""
            raise FileNotFoundError(
                f"TFDS dataset {name!r} is not prepared in {builder.data_dir} and "
                f"preparing it failed ({e.__class__.__name__}: {first_line}). Prepare it "
                "once with network access, or pass the data_dir that holds it."
            ) from e
    base_split = re.split(r"[\[+]", split)[0]
    if base_split not in builder.info.splits:
        raise ValueError(
            f"Unknown split={split!r} for TFDS dataset {name!r}. "
            f"Valid splits: {', '.join(builder.info.splits)}."
        )
    dataset = builder.as_dataset(split=split, shuffle_files=False)
    if n is not None:
        dataset = dataset.take(n)
    if None in features[key].shape[:2]:
        if image_size is None:
            raise ValueError(
                f"TFDS dataset {name!r} has images of varying size; pass image_size."
            )
        dataset = dataset.map(lambda ex: {**ex, key: tf.image.resize(ex[key], image_size)})
    images, labels = [], []
    for batch in tfds.as_numpy(dataset.batch(_READ_BATCH)):
        images.append(batch[key])
        if with_labels:
            labels.append(batch["label"])
    if not images:
        raise ValueError(f"TFDS split {name}:{split} holds no examples.")
    return np.concatenate(images), np.concatenate(labels).astype(np.int64) if with_labels else None


# ----------------------------------------------------------------------- load


def load(
    name,
    split="train",
    *,
    with_labels=False,
    n=None,
    seed=0,
    image_size=None,
    color_mode=None,
    data_dir=None,
    as_dataset=False,
    batch_size=64,
    drop_remainder=True,
):
    """Loads a dataset as float32 arrays (or a `tf.data.Dataset`).

    | name                     | shape                | values      | splits        |
    |--------------------------|----------------------|-------------|---------------|
    | "fashion_mnist"          | (N, 28, 28, 1)       | [-1, 1]     | train, test   |
    | "digits"                 | (N, 8, 8, 1)         | [-1, 1]     | train (all)   |
    | "ring"                   | (N, 2)               | plane       | train, test   |
    | "grid"                   | (N, 2)               | plane       | train, test   |
    | a folder of images       | (N, H, W, 1 or 3)    | [-1, 1]     | (one)         |
    | "x.npy" / "x.npz"        | as stored            | see below   | (one)         |
    | "tfds:<name>[:<split>]"  | (N, H, W, C)         | [-1, 1]     | the dataset's |

    Names are resolved by `resolve`. 8-bit data (uint8 arrays, image files,
    TFDS images) is scaled to `[-1, 1]` with a note on this module's logger.
    Floating-point images must lie in `[-1, 1]`; floating-point vectors are
    kept as they are. An `(N, H, W)` array is read as grayscale images. Labels
    are the class (int64) for images (a folder's class subfolders in sorted
    order; a `.npz` file's `y`; TFDS's `label`) and the mixture component for
    the 2-D mixtures.

    Args:
        name: a name from `names()`, a folder of images, a `.npy` / `.npz`
            file, or `"tfds:<name>[:<split>]"`.
        split: one of `splits(name)` for a built-in dataset, or a TFDS split
            (such as "test" or "train[:10%]") when `name` names none. Folders
            and array files are one split: leave it "train". For the mixtures
            the two splits are independent draws.
        with_labels: if True, return `(x, y)`.
        n: number of samples. The first `n` of the split, folder or file (all
            when None); for mixtures, how many points to draw (default 10,000).
        seed: seed of the mixture draw, and of the shuffle when `as_dataset`.
        image_size: `(height, width)` or an int: resize images to it
            (bilinear). For a folder, None means the size of its first image
            (in sorted order); otherwise the stored size.
        color_mode: "grayscale" or "rgb" to convert images; None keeps them
            as stored (for a folder, as its first image).
        data_dir: TFDS data directory (TFDS' default when None); for
            `"tfds:"` data only.
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
        ValueError: unknown name or split (with close names suggested), bad
            `n`, `batch_size`, `image_size` or `color_mode`, an empty folder,
            an unreadable or corrupt file, or floating-point images outside
            `[-1, 1]`.
        FileNotFoundError: a path that does not exist; Fashion-MNIST or a
            TFDS dataset that is not available here (the message says how to
            get it).
    """
    source = resolve(name)
    if n is not None and (
        isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0
    ):
        raise ValueError(f"n must be a non-negative int or None, got n={n!r}.")
    image_size = _check_image_size(image_size)
    _check_color_mode(color_mode)
    if data_dir is not None and source.kind != "tfds":
        raise ValueError(
            f"`data_dir` applies to '{TFDS_PREFIX}' data only. Received: "
            f"data_dir={data_dir!r} for {name!r}"
        )
    if source.kind in ("folder", "array") and split != "train":
        raise ValueError(
            f"A folder or array file is a single split; leave `split` at 'train'. "
            f"Received: split={split!r} for {name!r}"
        )

    if source.kind == "builtin":
        x, y = _load_builtin(source.name, split, n, seed)
    elif source.kind == "array":
        x, y = _read_array_file(source.name, with_labels)
        if n is not None:
            x, y = x[:n], None if y is None else y[:n]
        x = _samples(x, source.name)
    elif source.kind == "folder":
        x, y = _read_folder(source.name, image_size, color_mode, with_labels, n)
        x = _from_8bit(x, source.name)
    else:
        if source.split is not None and split not in ("train", source.split):
            raise ValueError(
                f"Two splits given: {name!r} and split={split!r}; name one."
            )
        tfds_split = source.split or split
        x, y = _read_tfds(source.name, tfds_split, data_dir, image_size, with_labels, n)
        x = _from_8bit(x, f"{TFDS_PREFIX}{source.name}:{tfds_split}")
    x = _fit_images(x, image_size, color_mode, name)
    if y is not None and len(y) != len(x):
        raise ValueError(f"{name} has {len(x)} samples but {len(y)} labels.")
    if as_dataset:
        return _as_tf_dataset(x, y if with_labels else None, batch_size, seed, drop_remainder)
    return (x, y) if with_labels else x


def _load_builtin(name, split, n, seed):
    if split not in _SPLITS[name]:
        raise ValueError(
            f"Unknown split={split!r} for dataset {name!r}. "
            f"Valid splits: {', '.join(_SPLITS[name])}."
        )
    if name == "fashion_mnist":
        images, labels = _fashion_mnist_uint8(split)
        if n is not None:
            images, labels = images[:n], labels[:n]
        return _scale_uint8(images, 255.0)[..., None], labels.astype(np.int64)
    if name == "digits":
        from sklearn.datasets import load_digits

        bunch = load_digits()
        x = bunch.images.astype(np.float32) / np.float32(8.0) - np.float32(1.0)
        y = bunch.target.astype(np.int64)
        if n is not None:
            x, y = x[:n], y[:n]
        return x[..., None], y
    return _sample_mixture(name, _MIXTURE_DEFAULT_N if n is None else int(n), seed, split)


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
