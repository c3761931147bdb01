"""Tests for keras_fgan.callbacks and keras_fgan.imaging (every KERAS_BACKEND)."""

import os
import struct

import keras
import numpy as np
import pytest
from PIL import Image

from keras_fgan import callbacks
from keras_fgan import datasets
from keras_fgan import fileio
from keras_fgan import imaging


class StandIn(keras.Model):
    """A tiny trainable model with the `generate(n, seed)` contract of keras-fgan models."""

    def __init__(self, sample_shape=(28, 28, 1), pool=None):
        super().__init__()
        self.dense = keras.layers.Dense(1)
        self.sample_shape = tuple(sample_shape)
        self.pool = pool
        self.latent_dim = 4
        self.generated = []

    def call(self, x):
        return self.dense(x)

    def generate(self, n, seed=0):
        self.generated.append(n)
        rng = np.random.default_rng(seed)
        if self.pool is not None:
            return self.pool[rng.integers(0, len(self.pool), n)]
        return np.tanh(rng.standard_normal((n, *self.sample_shape))).astype("float32")


def _fit(model, cbs, epochs=4):
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.zeros((8, 2), "float32"), np.zeros((8, 1), "float32")
    return model.fit(x, y, epochs=epochs, batch_size=4, callbacks=cbs, verbose=0)


# ------------------------------------------------------------------ imaging


def test_image_grid_layout_and_range():
    images = np.stack([np.full((3, 4, 1), v, np.float32) for v in (-1.0, 0.0, 1.0, 5.0, -7.0)])
    grid = imaging.image_grid(images, padding=1)
    # 5 images -> 3 columns, 2 rows of 3x4 images with 1-pixel padding.
    assert grid.shape == (2 * 4 + 1, 3 * 5 + 1, 1) and grid.dtype == np.uint8
    assert grid[1, 1, 0] == 0 and grid[1, 6, 0] == 128 and grid[1, 11, 0] == 255
    assert grid[5, 1, 0] == 255 and grid[5, 6, 0] == 0  # clipped
    assert grid[0, 0, 0] == 0 and grid[5, 11, 0] == 0  # padding / empty cell
    assert imaging.image_grid(np.zeros((4, 5, 5, 3)), ncols=4).shape == (9, 4 * 7 + 2, 3)
    with pytest.raises(ValueError, match="images must have shape"):
        imaging.image_grid(np.zeros((2, 5, 5, 2)))


def test_save_image_grid_writes_png(tmp_path):
    path = tmp_path / "sub" / "grid.png"
    images = np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1))
    grid = imaging.save_image_grid(images, path)
    with Image.open(path) as png:
        assert png.mode == "L" and png.size == (4 * 30 + 2, 4 * 30 + 2)
        np.testing.assert_array_equal(np.asarray(png), grid[..., 0])
    assert os.listdir(path.parent) == ["grid.png"]


def test_atomic_write_keeps_old_file_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "grid.png"
    imaging.save_image_grid(np.zeros((1, 4, 4, 1)), path)
    before = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(fileio.os, "replace", broken_replace)  # imaging writes through fileio
    with pytest.raises(OSError, match="disk full"):
        imaging.save_image_grid(np.ones((4, 8, 8, 1)), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["grid.png"]  # no temporary file left


def test_save_scatter(tmp_path):
    centres, _ = datasets.mixture_modes("ring")
    image = imaging.save_scatter(datasets.load("ring", n=200), tmp_path / "s.png", reference=centres)
    assert image.ndim == 3 and image.shape[-1] == 4
    with Image.open(tmp_path / "s.png") as png:
        assert png.size == (image.shape[1], image.shape[0])
    # The plot is not blank.
    assert len(np.unique(image.reshape(-1, 4), axis=0)) > 10
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        imaging.scatter_image(np.zeros((3, 3)))


# --------------------------------------------------------------- SampleGrid


def test_sample_grid_every_n_epochs(tmp_path):
    model = StandIn()
    cb = callbacks.SampleGrid(tmp_path / "samples", every=2, n=9, seed=3)
    _fit(model, [cb], epochs=5)
    names = sorted(os.listdir(tmp_path / "samples"))
    assert names == ["samples_epoch_0002.png", "samples_epoch_0004.png"]
    assert model.generated == [9, 9]
    with Image.open(tmp_path / "samples" / names[0]) as png:
        assert png.size == (3 * 30 + 2, 3 * 30 + 2)
        first = np.asarray(png)
    with Image.open(tmp_path / "samples" / names[1]) as png:
        np.testing.assert_array_equal(np.asarray(png), first)  # fixed seed, same samples
    expected = imaging.image_grid(StandIn().generate(9, seed=3))[..., 0]
    np.testing.assert_array_equal(first, expected)


def test_sample_grid_pattern_and_scatter(tmp_path):
    pattern = str(tmp_path / "ring_{epoch:03d}.png")
    model = StandIn(pool=datasets.load("ring", n=500))
    cb = callbacks.SampleGrid(pattern, every=1, n=100, reference=datasets.mixture_modes("ring")[0])
    _fit(model, [cb], epochs=2)
    assert sorted(os.listdir(tmp_path)) == ["ring_001.png", "ring_002.png"]
    assert cb.paths[-1] == tmp_path / "ring_002.png"
    with Image.open(tmp_path / "ring_001.png") as png:
        assert png.mode == "RGBA"


def _events(path):
    """The `Event` protos of a TensorBoard events file, its TFRecord framing
    (length, masked CRC32C of the length, data, masked CRC32C of the data)
    checked: read without TensorFlow, as TensorBoard reads it."""
    from tensorboard.compat.proto import event_pb2
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c

    data, events, i = path.read_bytes(), [], 0
    while i < len(data):
        header = data[i:i + 8]
        (length,) = struct.unpack("<Q", header)
        (header_crc,) = struct.unpack("<I", data[i + 8:i + 12])
        record = data[i + 12:i + 12 + length]
        (record_crc,) = struct.unpack("<I", data[i + 12 + length:i + 16 + length])
        assert header_crc == masked_crc32c(header) and record_crc == masked_crc32c(record)
        events.append(event_pb2.Event.FromString(record))
        i += 16 + length
    return events


def test_sample_grid_tensorboard_beside_keras_tensorboard(tmp_path):
    """SampleGrid's images and keras.callbacks.TensorBoard's scalars land in
    one log_dir, on every backend (the `tensorboard` extra)."""
    pytest.importorskip("tensorboard", reason="TensorBoard logging needs the tensorboard extra")
    log_dir = tmp_path / "tb"
    cb = callbacks.SampleGrid(tmp_path / "png", every=1, n=4, log_dir=log_dir)
    _fit(StandIn(), [cb, keras.callbacks.TensorBoard(str(log_dir))], epochs=2)

    (grid_events,) = log_dir.glob("events.out.tfevents.*.sample_grid")
    events = _events(grid_events)
    assert events[0].file_version == "brain.Event:2"
    images = []
    for event in events[1:]:
        for value in event.summary.value:
            assert value.tag == "samples"
            assert value.metadata.plugin_data.plugin_name == "images"
            width, height, png = value.tensor.string_val
            images.append((event.step, int(width), int(height), png))
    assert [step for step, *_ in images] == [1, 2]
    step, width, height, png = images[0]
    with Image.open(cb.paths[0]) as saved:
        assert saved.size == (width, height) == (2 * 30 + 2, 2 * 30 + 2)
        assert png == imaging.png_bytes(np.asarray(saved))

    (keras_events,) = (log_dir / "train").glob("events.out.tfevents.*")
    tags = {value.tag for event in _events(keras_events) for value in event.summary.value}
    assert "epoch_loss" in tags, tags


def test_sample_grid_without_tensorboard_warns(tmp_path, monkeypatch):
    def missing(log_dir):
        raise ImportError("No module named 'tensorboard'")

    monkeypatch.setattr(callbacks, "_TensorBoardImages", missing)
    cb = callbacks.SampleGrid(tmp_path, every=1, n=4, log_dir=tmp_path / "tb")
    with pytest.warns(UserWarning, match="needs the tensorboard package"):
        _fit(StandIn(), [cb], epochs=2)
    assert len(cb.paths) == 2 and not (tmp_path / "tb").exists()


def test_sample_grid_rejects_other_shapes(tmp_path):
    cb = callbacks.SampleGrid(tmp_path, n=4)
    with pytest.raises(ValueError, match=r"returned shape \(4, 5\)"):
        _fit(StandIn(sample_shape=(5,)), [cb], epochs=1)


@pytest.mark.parametrize("kwargs, match", [({"every": 0}, "every"), ({"n": 0}, "`n` must be a positive integer")])
def test_sample_grid_validates(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        callbacks.SampleGrid(tmp_path, **kwargs)


# --------------------------------------------------------------- Evaluation


def test_evaluation_mode_coverage_in_history():
    good = StandIn(pool=datasets.load("ring", n=5000, seed=1))
    cb = callbacks.Evaluation("ring", every=2, n=500)
    history = _fit(good, [cb], epochs=4)
    assert history.history["modes"] == [8, 8]
    assert all(v > 0.95 for v in history.history["high_quality"])
    assert all(v < 0.05 for v in history.history["kl"])
    assert [epoch for epoch, _ in cb.results] == [2, 4]
    assert good.generated == [500, 500]

    centres, _ = datasets.mixture_modes("ring")
    collapsed = StandIn(pool=np.repeat(centres[:2], 10, axis=0))
    history = _fit(collapsed, [callbacks.Evaluation("ring", metrics=["modes"], prefix="eval_")], epochs=1)
    assert history.history["eval_modes"] == [2]
    assert "eval_kl" not in history.history


def test_evaluation_frechet_on_feature_arrays():
    """Arrays of (N, D) real samples are compared in their own space (no classifier)."""
    rng = np.random.default_rng(0)
    real = rng.standard_normal((400, 3)).astype("float32")
    close = StandIn(pool=real)
    far = StandIn(pool=real + 3.0)
    metrics = ["frechet_distance", "precision", "recall", "density", "coverage"]
    h_close = _fit(close, [callbacks.Evaluation(real, n=400, batch_size=128, metrics=metrics)], epochs=1)
    h_far = _fit(far, [callbacks.Evaluation(real, n=400, batch_size=128, metrics=metrics)], epochs=1)
    assert h_close.history["frechet_distance"][0] < 0.2
    assert h_far.history["frechet_distance"][0] == pytest.approx(27.0, rel=0.2)
    assert h_close.history["precision"][0] == 1.0 and h_far.history["precision"][0] < 0.05
    assert max(close.generated) <= 128  # streamed


def test_evaluation_images_with_classifier():
    try:
        real = datasets.load("fashion_mnist", "test", n=300)
    except FileNotFoundError:
        pytest.skip("Fashion-MNIST not installed (apt-get install dataset-fashion-mnist).")
    good = StandIn(pool=datasets.load("fashion_mnist", "train", n=300))
    noise = StandIn()
    h_good = _fit(good, [callbacks.Evaluation(real, n=300, batch_size=100)], epochs=1)
    h_noise = _fit(noise, [callbacks.Evaluation(real, n=300, batch_size=100)], epochs=1)
    assert h_good.history["frechet_distance"][0] < h_noise.history["frechet_distance"][0] / 10


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        (("mnist",), {}, "valid names: ring, grid, fashion_mnist"),
        (("ring",), {"metrics": ["frechet_distance"]}, "valid: modes, high_quality, kl"),
        ((np.zeros((10, 2)),), {"metrics": ["modes"]}, "valid: frechet_distance"),
        (("ring",), {"every": 0}, "every"),
        ((np.zeros(3),), {}, "array of real samples"),
    ],
)
def test_evaluation_validates(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        callbacks.Evaluation(*args, **kwargs)
