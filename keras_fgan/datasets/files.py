"""Your own data from files: `.npy`/`.npz` arrays and folders of images."""

import zipfile
from pathlib import Path

import numpy as np

from keras_fgan.datasets.samples import READ_BATCH

# The formats `keras.utils.image_dataset_from_directory` reads.
IMAGE_SUFFIXES = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
# PIL modes read as one channel when `color_mode` is not given.
_GRAYSCALE_MODES = ("1", "L", "LA", "I", "I;16", "F")


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
        batch_size=READ_BATCH,
        shuffle=False,
        verbose=False,
    )
    if n is not None:
        dataset = dataset.take(-(-n // READ_BATCH))
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
