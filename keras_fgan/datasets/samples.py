"""Samples as the networks take them: vectors or images, 8-bit data scaled to
`[-1, 1]`, float images range-checked, images converted and resized."""

import collections
import logging

import numpy as np

from keras_fgan.arguments import is_integer

log = logging.getLogger("keras_fgan.datasets")

COLOR_MODES = ("grayscale", "rgb")
# ITU-R BT.601 luma, as PIL's "L" conversion and tf.image.rgb_to_grayscale.
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)
# Images read, resized or decoded per batch.
READ_BATCH = 1024


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
        and all(is_integer(s) and s > 0 for s in size)
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


def as_samples(x, source):
    """An array as `load` returns samples: 8-bit data scaled to [-1, 1] (with
    a note), float images range-checked, (N, H, W) grayscale images given a
    channel axis.

    Args:
        x: an array of vectors (N, D) or images (N, H, W[, C]).
        source: how messages name the data (a path, "the real array").

    Returns:
        A float32 array, (N, D) or (N, H, W, C).

    Raises:
        ValueError: another rank or dtype, NaN or infinite values, or float
            images outside [-1, 1].
    """
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
                keras.ops.image.resize(x[i : i + READ_BATCH], image_size, antialias=True)
            )
            for i in range(0, len(x), READ_BATCH)
        ]
        x = np.clip(np.concatenate(resized), -1.0, 1.0).astype(np.float32)
    return x


def _scale_uint8(images, max_value):
    return (images.astype(np.float32) / np.float32(max_value / 2.0)) - np.float32(1.0)
