"""The IDX format of the MNIST family: a checked reader and a writer.

The header is two zero bytes, the data type `0x08` (unsigned byte), the number
of dimensions and the big-endian int32 sizes; the payload must hold exactly
the product of the sizes, so a corrupt or truncated file raises a `ValueError`
that names it instead of yielding garbage.

References:
    LeCun, Cortes and Burges. "The MNIST database of handwritten digits"
    (the IDX file format). http://yann.lecun.com/exdb/mnist/
"""

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np

IMAGES_MAGIC = 2051  # 0x00000803: unsigned byte, 3 dims
LABELS_MAGIC = 2049  # 0x00000801: unsigned byte, 1 dim


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
            f"({'images' if expected_magic == IMAGES_MAGIC else 'labels'})."
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
