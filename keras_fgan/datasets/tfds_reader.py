"""Image datasets of TensorFlow Datasets (`"tfds:<name>[:<split>]"`)."""

import difflib
import re

import numpy as np

from keras_fgan.datasets.samples import READ_BATCH
from keras_fgan.datasets.sources import TFDS_PREFIX


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
    for batch in tfds.as_numpy(dataset.batch(READ_BATCH)):
        images.append(batch[key])
        if with_labels:
            labels.append(batch["label"])
    if not images:
        raise ValueError(f"TFDS split {name}:{split} holds no examples.")
    return np.concatenate(images), np.concatenate(labels).astype(np.int64) if with_labels else None
