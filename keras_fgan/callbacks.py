"""Training callbacks: sample grids and periodic evaluation.

Both rely only on the models' `generate(n, seed=...)` method (a NumPy array of
`n` samples), so they work with every keras-fgan model on every backend.
"""

import itertools
import os
import socket
import time
import warnings
from pathlib import Path

import keras
import numpy as np

from keras_fgan import datasets
from keras_fgan import evaluation
from keras_fgan import imaging
from keras_fgan import registry
from keras_fgan.arguments import check_integer
from keras_fgan.evaluation.knn_metrics import manifold_metrics

_IMAGE_METRICS = ("frechet_distance", "precision", "recall", "density", "coverage")
_MIXTURE_METRICS = ("modes", "high_quality", "kl")
_WRITERS = itertools.count()  # tells apart the events files of one process


def _due(epoch, every):
    return (epoch + 1) % every == 0


class _TensorBoardImages:
    """Appends images to a TensorBoard events file in `log_dir`.

    Writes the events format (TFRecord framing of `Event` protos) with the
    `tensorboard` package's record writer and protos, and the image plugin's
    summary layout (a string tensor `[width, height, png]`): no TensorFlow op
    runs, so it works the same on every backend, beside the files of
    `keras.callbacks.TensorBoard` in the same folder.
    """

    def __init__(self, log_dir):
        from tensorboard.compat.proto import event_pb2
        from tensorboard.summary.writer.record_writer import RecordWriter

        self._event_pb2 = event_pb2
        log_dir = Path(log_dir)
        log_dir.mkdir(parents=True, exist_ok=True)
        name = (f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}."
                f"{os.getpid()}.{next(_WRITERS)}.sample_grid")
        self._records = RecordWriter(open(log_dir / name, "wb"))
        self._write(event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2"))

    def _write(self, event):
        self._records.write(event.SerializeToString())
        self._records.flush()

    def add_image(self, tag, image, step):
        """Writes one uint8 image `(height, width, channels)` at `step`."""
        from tensorboard.compat.proto import summary_pb2
        from tensorboard.compat.proto import tensor_pb2
        from tensorboard.compat.proto import tensor_shape_pb2
        from tensorboard.compat.proto import types_pb2
        from tensorboard.plugins.image import metadata

        height, width = image.shape[:2]
        tensor = tensor_pb2.TensorProto(
            dtype=types_pb2.DT_STRING,
            tensor_shape=tensor_shape_pb2.TensorShapeProto(
                dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=3)]
            ),
            string_val=[str(width).encode(), str(height).encode(), imaging.png_bytes(image)],
        )
        value = summary_pb2.Summary.Value(
            tag=tag, tensor=tensor, metadata=metadata.create_summary_metadata(tag, "")
        )
        self._write(self._event_pb2.Event(
            wall_time=time.time(), step=int(step), summary=summary_pb2.Summary(value=[value])
        ))

    def close(self):
        self._records.close()


class SampleGrid(keras.callbacks.Callback):
    """Saves a PNG of `model.generate(n, seed=seed)` every `every` epochs.

    Images (values in [-1, 1]) are tiled into a grid; 2-D samples are drawn as
    a scatter plot (matplotlib, Agg backend). Files are written atomically
    (temporary file + `os.replace`). The fixed seed shows the same latent
    points every time, so the PNGs form an animation of training.

    Args:
        filepath: a pattern with an `{epoch}` field (e.g.
            `"samples/epoch_{epoch:03d}.png"`; epochs count from 1), or a
            directory, where files are named `samples_epoch_{epoch:04d}.png`.
        every: save every this many epochs.
        n: number of samples.
        seed: seed passed to `generate`.
        log_dir: if given, also log the image to TensorBoard there, under
            the tag "samples" (one step per epoch). Needs the `tensorboard`
            package (`pip install keras-fgan[tensorboard]`), not TensorFlow;
            skipped with a warning without it. The same folder may be the
            `log_dir` of `keras.callbacks.TensorBoard`.
        reference: optional (K, 2) points drawn as crosses on scatter plots,
            e.g. `kf.datasets.mixture_modes("ring")[0]`.

    Attributes:
        paths: the files written so far.
    """

    def __init__(self, filepath, every=1, n=64, seed=0, log_dir=None, reference=None):
        super().__init__()
        self.filepath = str(filepath)
        self.every = check_integer("every", every)
        self.n = check_integer("n", n)
        self.seed = check_integer("seed", seed, low=0)
        self.log_dir = None if log_dir is None else str(log_dir)
        self.reference = None if reference is None else np.asarray(reference)
        self.paths = []
        self._writer = None

    def path_for(self, epoch):
        """The file written after 0-based `epoch`."""
        if "{" in self.filepath:
            return Path(self.filepath.format(epoch=epoch + 1))
        return Path(self.filepath) / f"samples_epoch_{epoch + 1:04d}.png"

    def on_epoch_end(self, epoch, logs=None):
        if not _due(epoch, self.every):
            return
        samples = np.asarray(self.model.generate(self.n, seed=self.seed))
        path = self.path_for(epoch)
        if samples.ndim == 2 and samples.shape[1] == 2:
            image = imaging.save_scatter(
                samples, path, reference=self.reference, title=f"epoch {epoch + 1}"
            )[..., :3]
        elif samples.ndim == 3 or (samples.ndim == 4 and samples.shape[-1] in (1, 3)):
            image = imaging.save_image_grid(samples, path)
        else:
            raise ValueError(
                f"SampleGrid draws images (N, H, W[, 1 or 3]) or 2-D points (N, 2); "
                f"model.generate returned shape {samples.shape}."
            )
        self.paths.append(path)
        if self.log_dir is not None:
            self._log_image(image, epoch + 1)

    def _log_image(self, image, step):
        if self._writer is None:
            try:
                self._writer = _TensorBoardImages(self.log_dir)
            except ImportError:
                warnings.warn(
                    "SampleGrid(log_dir=...) needs the tensorboard package "
                    "(pip install keras-fgan[tensorboard]); it is not installed, so "
                    "images are saved as PNG files only.",
                    stacklevel=2,
                )
                self.log_dir = None
                return
        self._writer.add_image("samples", image, step)

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None


class Evaluation(keras.callbacks.Callback):
    """Evaluates `model.generate` samples every `every` epochs into the logs.

    For the 2-D mixtures ("ring", "grid") it computes `mode_coverage` on
    `n` (default 2,500) samples; for images (an array of real images, or
    "fashion_mnist" for its test split) the Frechet distance in the shipped
    classifier's feature space, and optionally precision/recall and
    density/coverage, on `n` (default min(10,000, real count)) samples,
    streamed one batch at a time. The real side's statistics are computed once.

    The values are added to the epoch logs (so `History`, the progress bar,
    `EarlyStopping` and `TensorBoard` see them) under `prefix + name`. Epochs
    that are not evaluated get no entry; `results` keeps (epoch, values) pairs.

    Args:
        data: "ring", "grid", "fashion_mnist", or an array of real samples
            (images, or (N, D) feature vectors).
        every: evaluate every this many epochs (counting from 1).
        n: number of generated samples.
        seed: seed of the generated samples (the same every evaluation).
        metrics: names to log. Mixtures: any of "modes", "high_quality", "kl"
            (default all). Images: any of "frechet_distance", "precision",
            "recall", "density", "coverage" (default "frechet_distance").
        batch_size: samples per batch when streaming.
        prefix: prepended to the log names (e.g. "eval_").
        k_precision_recall: k for precision/recall.
        k_density_coverage: k for density/coverage.

    Attributes:
        results: list of (epoch, dict of values), epochs counting from 1.
    """

    def __init__(
        self,
        data,
        every=1,
        n=None,
        seed=0,
        metrics=None,
        batch_size=500,
        prefix="",
        k_precision_recall=3,
        k_density_coverage=5,
    ):
        super().__init__()
        self.every = check_integer("every", every)
        self.seed = check_integer("seed", seed, low=0)
        self.batch_size = check_integer("batch_size", batch_size)
        self.prefix = str(prefix)
        self.k_precision_recall = check_integer("k_precision_recall", k_precision_recall)
        self.k_density_coverage = check_integer("k_density_coverage", k_density_coverage)
        self.results = []
        self._real_stats = None
        if isinstance(data, str):
            if data not in registry.PROTOCOLS:
                raise ValueError(
                    f"Unknown data={data!r}; valid names: {', '.join(registry.PROTOCOLS)} "
                    "(or pass an array of real samples)."
                )
            if registry.PROTOCOLS[data] == "mode_coverage":
                self.kind, self.mixture, self.real = "mixture", data, None
            else:
                self.kind, self.mixture = "images", None
                self.real = datasets.load(data, "test")
        else:
            real = np.asarray(data)
            if real.ndim not in (2, 3, 4) or len(real) < 2:
                raise ValueError(
                    f"data must be a dataset name or an array of real samples (N, ...), "
                    f"got shape {real.shape}."
                )
            self.kind, self.mixture, self.real = "images", None, real
        valid = _MIXTURE_METRICS if self.kind == "mixture" else _IMAGE_METRICS
        if metrics is None:
            metrics = _MIXTURE_METRICS if self.kind == "mixture" else ("frechet_distance",)
        metrics = (metrics,) if isinstance(metrics, str) else tuple(metrics)
        unknown = [m for m in metrics if m not in valid]
        if unknown or not metrics:
            raise ValueError(
                f"Unknown metrics {unknown or metrics!r} for data={data if isinstance(data, str) else 'array'!r}; "
                f"valid: {', '.join(valid)}."
            )
        self.metrics = metrics
        if n is None:
            n = 2500 if self.kind == "mixture" else min(10_000, len(self.real))
        self.n = check_integer("n", n, low=2)

    def evaluate(self):
        """Computes the metrics for the current model; returns a dict."""
        if self.kind == "mixture":
            samples = np.asarray(self.model.generate(self.n, seed=self.seed))
            result = evaluation.mode_coverage(samples, self.mixture)
            return {m: result[m] for m in self.metrics}

        knn = [m for m in self.metrics if m != "frechet_distance"]
        if self._real_stats is None:
            self._real_stats = evaluation.feature_statistics(
                self.real, batch_size=self.batch_size, keep_features=bool(knn)
            )
        fake = evaluation.feature_statistics(
            self.model,
            num_samples=self.n,
            batch_size=self.batch_size,
            seed=self.seed,
            keep_features=bool(knn),
        )
        out = {}
        if "frechet_distance" in self.metrics:
            out["frechet_distance"] = evaluation.frechet_distance(self._real_stats, fake)
        pr = [m for m in knn if m in ("precision", "recall")]
        dc = [m for m in knn if m in ("density", "coverage")]
        if pr:
            out.update(manifold_metrics(self._real_stats.features, fake.features, self.k_precision_recall, pr))
        if dc:
            out.update(manifold_metrics(self._real_stats.features, fake.features, self.k_density_coverage, dc))
        return {m: out[m] for m in self.metrics}

    def on_epoch_end(self, epoch, logs=None):
        if not _due(epoch, self.every):
            return
        values = self.evaluate()
        self.results.append((epoch + 1, values))
        if logs is not None:
            for name, value in values.items():
                logs[self.prefix + name] = value
