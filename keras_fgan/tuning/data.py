"""The data a search trains and scores on: a named data set or an array."""

import collections

import numpy as np

from keras_fgan import datasets
from keras_fgan import evaluation
from keras_fgan.tuning.space import DATA_NAMES
from keras_fgan.tuning.space import MIXTURES

TuningData = collections.namedtuple(
    "TuningData", ["name", "x_train", "x_eval", "mixture", "kind", "sample_shape"]
)
TuningData.__doc__ = """Training samples and what scores them.

Attributes:
    name: the data set's name, or "array".
    x_train: float32 training samples.
    x_eval: real samples for the Frechet distance, or None (mode coverage).
    mixture: "ring", "grid" or `(centres, std)` scoring by mode coverage, or None.
    kind: "vector" or "image".
    sample_shape: shape of one sample.
"""


def load_data(data, *, n_train=None, mixture=None, seed=0, eval_samples=2500):
    """Loads or checks the data of a `GANHyperModel` (see its `data` argument).

    Returns:
        A `TuningData`.

    Raises:
        ValueError: an unknown name, an array that is not finite numeric
            samples (N, D) or (N, 28, 28, 1), or an invalid `mixture`.
    """
    if isinstance(data, str):
        if data not in DATA_NAMES:
            raise ValueError(
                f"Unknown data {data!r}; valid: {', '.join(DATA_NAMES)} or an array."
            )
        if mixture is not None:
            raise ValueError("`mixture` is only for array data; the named data sets know theirs.")
        if data in MIXTURES:
            x_train = datasets.load(data, n=n_train or 10_000, seed=seed)
            return _described(data, x_train, None, data)
        x_train = datasets.load(data, split="train", n=n_train)
        x_eval = datasets.load(data, split="test", n=eval_samples)
        return _described(data, x_train, x_eval, None)
    try:
        x = np.asarray(data)
    except Exception as error:  # noqa: BLE001 - reported as a ValueError
        raise ValueError(f"`data` must be a name or an array. Received: {data!r}") from error
    if x.dtype.kind not in "fiu" or x.ndim < 2 or len(x) == 0:
        raise ValueError(
            "`data` must be one of "
            f"{', '.join(DATA_NAMES)} or a non-empty numeric array of samples "
            f"(N, D) or (N, 28, 28, 1). Received shape {x.shape}, dtype {x.dtype}."
        )
    if not np.all(np.isfinite(x)):
        raise ValueError("`data` contains NaN or infinite values.")
    x_train = x.astype("float32")[:n_train] if n_train else x.astype("float32")
    if mixture is None:
        return _described("array", x_train, x_train[:eval_samples], None)
    if x_train.shape[1:] != (2,):
        raise ValueError(f"`mixture` needs 2-D samples (N, 2); data has shape {x.shape}.")
    evaluation.mode_coverage(x_train[:1], mixture)  # validates `mixture`
    return _described("array", x_train, None, mixture)


def _described(name, x_train, x_eval, mixture):
    shape = tuple(x_train.shape[1:])
    if len(shape) == 1:
        kind = "vector"
    elif shape == (28, 28, 1):
        kind = "image"
    else:
        raise ValueError(
            "Samples must be vectors (N, D) or 28x28x1 images (the DCGAN "
            f"networks); received sample shape {shape}."
        )
    return TuningData(name, x_train, x_eval, mixture, kind, shape)
