"""Image grids and 2-D scatter plots of samples, written atomically as PNG.

`save_image_grid` tiles images in [-1, 1] into one PNG (Pillow);
`save_scatter` draws 2-D samples (matplotlib with the Agg backend, imported
lazily). Both write to a temporary file in the destination directory and then
`os.replace` it, so a reader never sees a half-written file.
"""

import io
import math

import numpy as np

from keras_fgan.fileio import atomic_write_bytes  # noqa: F401  (also re-exported)


def image_grid(images, ncols=None, padding=2, value_range=(-1.0, 1.0), pad_value=0):
    """Tiles a batch of images into one uint8 image.

    Args:
        images: array (N, H, W), (N, H, W, 1) or (N, H, W, 3).
        ncols: images per row; ceil(sqrt(N)) by default.
        padding: pixels between images and around the grid.
        value_range: (low, high) mapped to (0, 255); values outside are clipped.
        pad_value: uint8 value of the padding.

    Returns:
        A uint8 array (rows, cols, C) with C = 1 or 3.
    """
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[-1] not in (1, 3) or len(images) == 0:
        raise ValueError(
            f"images must have shape (N, H, W), (N, H, W, 1) or (N, H, W, 3) with N >= 1, "
            f"got {images.shape}."
        )
    low, high = (float(v) for v in value_range)
    if not high > low:
        raise ValueError(f"value_range must be (low, high) with high > low, got {value_range}.")
    scaled = (np.clip(np.nan_to_num(images, nan=low), low, high) - low) / (high - low)
    scaled = np.round(scaled * 255.0).astype(np.uint8)
    n, h, w, c = scaled.shape
    ncols = int(ncols or math.ceil(math.sqrt(n)))
    nrows = math.ceil(n / ncols)
    grid = np.full(
        (nrows * (h + padding) + padding, ncols * (w + padding) + padding, c),
        pad_value,
        np.uint8,
    )
    for i in range(n):
        r, col = divmod(i, ncols)
        top, left = padding + r * (h + padding), padding + col * (w + padding)
        grid[top : top + h, left : left + w] = scaled[i]
    return grid


def png_bytes(array):
    """Encodes a uint8 (H, W), (H, W, 1), (H, W, 3) or (H, W, 4) array as PNG."""
    from PIL import Image

    array = np.asarray(array, dtype=np.uint8)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def save_image_grid(images, path, ncols=None, padding=2, value_range=(-1.0, 1.0)):
    """Saves a batch of images in [-1, 1] as one PNG grid (atomically).

    Args:
        images: array (N, H, W), (N, H, W, 1) or (N, H, W, 3).
        path: destination `.png` path (parent directories are created).
        ncols: images per row; ceil(sqrt(N)) by default.
        padding: pixels between images.
        value_range: (low, high) of the pixel values.

    Returns:
        The grid as a uint8 array (H, W, C).
    """
    grid = image_grid(images, ncols=ncols, padding=padding, value_range=value_range)
    atomic_write_bytes(path, png_bytes(grid))
    return grid


def scatter_image(points, reference=None, title=None, size=4.0, dpi=100, limits=None):
    """Renders 2-D points as a scatter plot; returns an RGBA uint8 array.

    Args:
        points: array (N, 2).
        reference: optional (K, 2) points drawn as crosses (e.g. mode centres).
        title: optional plot title.
        size: figure side in inches.
        dpi: resolution.
        limits: optional (low, high) for both axes; from the data by default.

    Returns:
        A uint8 array (H, W, 4).
    """
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"points must have shape (N, 2), got {points.shape}.")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(size, size), dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    finite = points[np.all(np.isfinite(points), axis=1)]
    ax.scatter(finite[:, 0], finite[:, 1], s=4, alpha=0.5, linewidths=0)
    if reference is not None:
        reference = np.asarray(reference)
        ax.scatter(reference[:, 0], reference[:, 1], marker="x", c="red", s=30)
    if limits is not None:
        ax.set_xlim(*limits)
        ax.set_ylim(*limits)
    ax.set_aspect("equal", adjustable="datalim")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    canvas.draw()
    return np.asarray(canvas.buffer_rgba(), dtype=np.uint8).copy()


def save_scatter(points, path, reference=None, title=None, limits=None):
    """Saves 2-D points as a scatter-plot PNG (atomically).

    Args:
        points: array (N, 2).
        path: destination `.png` path.
        reference: optional (K, 2) points drawn as crosses.
        title: optional plot title.
        limits: optional (low, high) for both axes.

    Returns:
        The rendered RGBA uint8 array.
    """
    image = scatter_image(points, reference=reference, title=title, limits=limits)
    atomic_write_bytes(path, png_bytes(image))
    return image
