"""`load`: any data set as float32 NumPy arrays or a `tf.data.Dataset`."""

import numpy as np

from keras_fgan.arguments import check_integer
from keras_fgan.datasets import fashion_mnist
from keras_fgan.datasets import mixtures
from keras_fgan.datasets.files import _read_array_file
from keras_fgan.datasets.files import _read_folder
from keras_fgan.datasets.samples import _check_color_mode
from keras_fgan.datasets.samples import _check_image_size
from keras_fgan.datasets.samples import _fit_images
from keras_fgan.datasets.samples import _from_8bit
from keras_fgan.datasets.samples import _scale_uint8
from keras_fgan.datasets.samples import as_samples
from keras_fgan.datasets.sources import TFDS_PREFIX
from keras_fgan.datasets.sources import resolve
from keras_fgan.datasets.sources import splits
from keras_fgan.datasets.tfds_reader import _read_tfds


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
    check_integer("n", n, low=0, allow_none=True)
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
        x = as_samples(x, source.name)
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
    if split not in splits(name):
        raise ValueError(
            f"Unknown split={split!r} for dataset {name!r}. "
            f"Valid splits: {', '.join(splits(name))}."
        )
    if name == "fashion_mnist":
        images, labels = fashion_mnist.read_uint8(split)
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
    return mixtures.sample_mixture(name, mixtures.DEFAULT_N if n is None else int(n), seed, split)


def _as_tf_dataset(x, y, batch_size, seed, drop_remainder):
    """Wraps arrays in a shuffled, batched, prefetched `tf.data.Dataset`.

    The shuffle permutes indices (a full, uniform shuffle every epoch) and
    gathers the batch from a single in-memory copy of the data, so no shuffle
    buffer holds a second copy of the images.
    """
    check_integer("batch_size", batch_size)
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
