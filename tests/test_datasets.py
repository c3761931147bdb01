"""Tests for keras_fgan.datasets (runs under every KERAS_BACKEND)."""

import gzip
import logging
import shutil
import struct

import keras
import numpy as np
import pytest
from PIL import Image

from keras_fgan import datasets
from markers import needs_fashion_mnist


# ----------------------------------------------------------------- fixtures


def _write_split(directory, split, images, labels):
    image_name, label_name = datasets.FASHION_MNIST_FILES[split]
    datasets.write_idx(directory / image_name, images)
    datasets.write_idx(directory / label_name, labels)


@pytest.fixture
def idx_dir(tmp_path, monkeypatch):
    """A KERAS_FGAN_DATA_DIR holding small valid IDX files for both splits."""
    rng = np.random.default_rng(0)
    data = {}
    for split, n in (("train", 7), ("test", 3)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n, dtype=np.uint8)
        _write_split(tmp_path, split, images, labels)
        data[split] = (images, labels)
    monkeypatch.setenv(datasets.DATA_DIR_ENV, str(tmp_path))
    return tmp_path, data


@pytest.fixture
def no_sources(tmp_path, monkeypatch):
    """No env dir, no Debian package, no network."""
    monkeypatch.delenv(datasets.DATA_DIR_ENV, raising=False)
    monkeypatch.setattr(datasets.fashion_mnist, "DEBIAN_DIR", tmp_path / "not-installed")

    def offline(split):
        raise OSError("network unreachable")

    monkeypatch.setattr(datasets.fashion_mnist, "_keras_download_dir", offline)


# ---------------------------------------------------------------- names/splits


def test_names_and_splits():
    assert set(datasets.names()) == {"fashion_mnist", "digits", "ring", "grid"}
    assert datasets.splits("fashion_mnist") == ("train", "test")


@pytest.mark.parametrize("bad", ["mnist", "Fashion_MNIST", ""])
def test_unknown_name_lists_valid_names(bad):
    with pytest.raises(ValueError, match="Valid names: fashion_mnist, digits, ring, grid"):
        datasets.load(bad)


def test_unknown_name_suggests_close_names():
    with pytest.raises(ValueError, match="Did you mean 'fashion_mnist'"):
        datasets.load("fashon_mnist")
    with pytest.raises(ValueError, match="Did you mean 'ring'"):
        datasets.load("rings")
    with pytest.raises(ValueError) as info:
        datasets.load("cifar10")
    assert "Did you mean" not in str(info.value) and "tfds:<name>" in str(info.value)


def test_unknown_split_lists_valid_splits():
    with pytest.raises(ValueError, match="split='validation'.*Valid splits: train, test"):
        datasets.load("fashion_mnist", split="validation")
    with pytest.raises(ValueError, match="Valid splits: train"):
        datasets.load("digits", split="test")


def test_bad_n_raises():
    with pytest.raises(ValueError, match="`n` must be a non-negative integer or None"):
        datasets.load("ring", n=-1)


# ----------------------------------------------------------------- IDX parser


def test_idx_round_trip(idx_dir):
    directory, data = idx_dir
    for split in ("train", "test"):
        images, labels = data[split]
        x, y = datasets.load("fashion_mnist", split, with_labels=True)
        assert x.shape == (len(images), 28, 28, 1) and x.dtype == np.float32
        np.testing.assert_allclose(x[..., 0], images / 127.5 - 1.0, atol=1e-6)
        np.testing.assert_array_equal(y, labels)
        assert y.dtype == np.int64
    assert datasets.load("fashion_mnist", n=2).shape == (2, 28, 28, 1)


def test_idx_scaling_endpoints(tmp_path, monkeypatch):
    images = np.zeros((2, 28, 28), np.uint8)
    images[1] = 255
    _write_split(tmp_path, "test", images, np.array([0, 9], np.uint8))
    monkeypatch.setenv(datasets.DATA_DIR_ENV, str(tmp_path))
    x = datasets.load("fashion_mnist", "test")
    assert np.all(x[0] == -1.0) and np.all(x[1] == 1.0)


def test_uncompressed_idx_files_are_accepted(tmp_path, monkeypatch):
    image_name, label_name = datasets.FASHION_MNIST_FILES["test"]
    images = np.full((2, 28, 28), 51, np.uint8)
    datasets.write_idx(tmp_path / image_name[:-3], images)
    datasets.write_idx(tmp_path / label_name[:-3], np.array([1, 2], np.uint8))
    monkeypatch.setenv(datasets.DATA_DIR_ENV, str(tmp_path))
    x, y = datasets.load("fashion_mnist", "test", with_labels=True)
    np.testing.assert_allclose(x, 51 / 127.5 - 1.0, atol=1e-6)
    np.testing.assert_array_equal(y, [1, 2])


def _raw_idx(magic, dims, payload):
    return struct.pack(">I", magic) + struct.pack(f">{len(dims)}I", *dims) + payload


def _write_gz(path, raw):
    with gzip.open(path, "wb") as f:
        f.write(raw)


def test_truncated_payload_raises_naming_file(idx_dir):
    directory, _ = idx_dir
    path = directory / "train-images-idx3-ubyte.gz"
    _write_gz(path, _raw_idx(2051, (7, 28, 28), bytes(7 * 784 - 100)))
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte\.gz.*truncated"):
        datasets.load("fashion_mnist", "train")


def test_trailing_data_raises(idx_dir):
    directory, _ = idx_dir
    path = directory / "train-labels-idx1-ubyte.gz"
    _write_gz(path, _raw_idx(2049, (7,), bytes(8)))
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte\.gz.*trailing"):
        datasets.load("fashion_mnist", "train")


def test_truncated_gzip_stream_raises_naming_file(idx_dir):
    directory, _ = idx_dir
    path = directory / "train-images-idx3-ubyte.gz"
    blob = path.read_bytes()
    path.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte\.gz.*corrupt or truncated"):
        datasets.load("fashion_mnist", "train")


def test_not_gzip_raises(idx_dir):
    directory, _ = idx_dir
    (directory / "t10k-images-idx3-ubyte.gz").write_bytes(b"<html>404 Not Found</html>")
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte\.gz"):
        datasets.load("fashion_mnist", "test")


def test_bad_magic_raises(idx_dir):
    directory, _ = idx_dir
    path = directory / "t10k-images-idx3-ubyte.gz"
    _write_gz(path, _raw_idx(0x12345678, (3, 28, 28), bytes(3 * 784)))
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte\.gz.*bad magic number"):
        datasets.load("fashion_mnist", "test")


def test_labels_file_in_place_of_images_raises(idx_dir):
    directory, _ = idx_dir
    path = directory / "t10k-images-idx3-ubyte.gz"
    _write_gz(path, _raw_idx(2049, (3,), bytes(3)))
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte\.gz.*expected 2051"):
        datasets.load("fashion_mnist", "test")


def test_wrong_image_size_and_count_mismatch_raise(tmp_path, monkeypatch):
    monkeypatch.setenv(datasets.DATA_DIR_ENV, str(tmp_path))
    _write_split(tmp_path, "test", np.zeros((3, 32, 32), np.uint8), np.zeros(3, np.uint8))
    with pytest.raises(ValueError, match=r"expected \(28, 28\)"):
        datasets.load("fashion_mnist", "test")
    _write_split(tmp_path, "test", np.zeros((3, 28, 28), np.uint8), np.zeros(4, np.uint8))
    with pytest.raises(ValueError, match="3 images but 4 labels"):
        datasets.load("fashion_mnist", "test")
    _write_split(tmp_path, "test", np.zeros((3, 28, 28), np.uint8), np.array([0, 1, 10], np.uint8))
    with pytest.raises(ValueError, match="label 10"):
        datasets.load("fashion_mnist", "test")


def test_changed_file_is_reread(idx_dir):
    directory, data = idx_dir
    first = datasets.load("fashion_mnist", "test")
    images = np.full((3, 28, 28), 255, np.uint8)
    _write_split(directory, "test", images, data["test"][1])
    second = datasets.load("fashion_mnist", "test")
    assert not np.array_equal(first, second) and np.all(second == 1.0)


# ------------------------------------------------------------------- sources


def test_no_source_error_says_how_to_get_the_data(no_sources):
    with pytest.raises(FileNotFoundError) as info:
        datasets.load("fashion_mnist", "test")
    message = str(info.value)
    assert "apt-get install dataset-fashion-mnist" in message
    assert datasets.DATA_DIR_ENV in message
    assert "network unreachable" in message


def test_env_dir_without_files_falls_back_to_debian(tmp_path, monkeypatch):
    debian = tmp_path / "debian"
    debian.mkdir()
    _write_split(debian, "test", np.full((2, 28, 28), 255, np.uint8), np.array([3, 4], np.uint8))
    monkeypatch.setattr(datasets.fashion_mnist, "DEBIAN_DIR", debian)
    monkeypatch.setenv(datasets.DATA_DIR_ENV, str(tmp_path / "empty"))
    x, y = datasets.load("fashion_mnist", "test", with_labels=True)
    np.testing.assert_array_equal(y, [3, 4])


def test_download_is_last_resort(tmp_path, monkeypatch):
    download = tmp_path / "keras-cache"
    download.mkdir()
    _write_split(download, "train", np.zeros((4, 28, 28), np.uint8), np.arange(4, dtype=np.uint8))
    monkeypatch.delenv(datasets.DATA_DIR_ENV, raising=False)
    monkeypatch.setattr(datasets.fashion_mnist, "DEBIAN_DIR", tmp_path / "not-installed")
    monkeypatch.setattr(datasets.fashion_mnist, "_keras_download_dir", lambda split: download)
    _, y = datasets.load("fashion_mnist", with_labels=True)
    np.testing.assert_array_equal(y, np.arange(4))


@needs_fashion_mnist
def test_real_fashion_mnist():
    x, y = datasets.load("fashion_mnist", "test", with_labels=True)
    assert x.shape == (10000, 28, 28, 1) and x.dtype == np.float32
    assert x.min() == -1.0 and x.max() == 1.0
    np.testing.assert_array_equal(np.bincount(y), np.full(10, 1000))
    x_train, y_train = datasets.load("fashion_mnist", "train", with_labels=True)
    assert x_train.shape == (60000, 28, 28, 1)
    # The first training labels of the original files.
    np.testing.assert_array_equal(y_train[:10], [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
    np.testing.assert_array_equal(np.bincount(y_train), np.full(10, 6000))


# ------------------------------------------------------------------- digits


def test_digits():
    x, y = datasets.load("digits", with_labels=True)
    assert x.shape == (1797, 8, 8, 1) and x.dtype == np.float32
    assert x.min() == -1.0 and x.max() == 1.0
    assert set(np.unique(y)) == set(range(10))
    assert datasets.load("digits", n=10).shape == (10, 8, 8, 1)


# ------------------------------------------------------------------ mixtures


def test_mixture_modes():
    centres, std = datasets.mixture_modes("ring")
    assert centres.shape == (8, 2) and std == 0.01
    np.testing.assert_allclose(np.linalg.norm(centres, axis=1), 1.0, atol=1e-6)
    centres, std = datasets.mixture_modes("grid")
    assert centres.shape == (25, 2) and std == 0.05
    assert set(np.unique(centres)) == {-4.0, -2.0, 0.0, 2.0, 4.0}
    with pytest.raises(ValueError, match="Valid mixtures: ring, grid"):
        datasets.mixture_modes("spiral")


@pytest.mark.parametrize("name", ["ring", "grid"])
def test_mixture_samples(name):
    centres, std = datasets.mixture_modes(name)
    x, y = datasets.load(name, n=20000, seed=3, with_labels=True)
    assert x.shape == (20000, 2) and x.dtype == np.float32
    offsets = x - centres[y]
    np.testing.assert_allclose(offsets.std(axis=0), std, rtol=0.05)
    np.testing.assert_allclose(offsets.mean(axis=0), 0.0, atol=std * 0.05)
    frequencies = np.bincount(y, minlength=len(centres)) / len(y)
    np.testing.assert_allclose(frequencies, 1 / len(centres), atol=0.02)
    nearest = np.argmin(np.linalg.norm(x[:, None] - centres[None], axis=-1), axis=1)
    np.testing.assert_array_equal(nearest, y)


def test_mixture_seeding():
    a = datasets.load("ring", n=100, seed=1)
    np.testing.assert_array_equal(a, datasets.load("ring", n=100, seed=1))
    assert not np.array_equal(a, datasets.load("ring", n=100, seed=2))
    assert not np.array_equal(a, datasets.load("ring", "test", n=100, seed=1))
    assert datasets.load("grid").shape == (10_000, 2)
    assert datasets.load("grid", n=0).shape == (0, 2)


# ------------------------------------------------------------------ tf.data


def test_as_dataset_feeds_fit_on_this_backend():
    ds = datasets.load("digits", with_labels=True, as_dataset=True, batch_size=64)
    x, y = next(iter(ds))
    assert tuple(x.shape) == (64, 8, 8, 1) and tuple(y.shape) == (64,)
    model = keras.Sequential(
        [keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(10)]
    )
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert history.history["loss"][1] < history.history["loss"][0]


def test_as_dataset_shuffles_a_full_epoch():
    x = datasets.load("ring", n=100)
    ds = datasets.load("ring", n=100, as_dataset=True, batch_size=32, drop_remainder=False)
    epoch = np.concatenate([np.asarray(b) for b in ds])
    assert epoch.shape == (100, 2)
    assert not np.array_equal(epoch, x)
    np.testing.assert_array_equal(np.sort(epoch, axis=0), np.sort(x, axis=0))
    dropped = datasets.load("ring", n=100, as_dataset=True, batch_size=32)
    assert [len(b) for b in dropped] == [32, 32, 32]


def test_as_dataset_validates_batch_size():
    with pytest.raises(ValueError, match="batch_size"):
        datasets.load("ring", n=10, as_dataset=True, batch_size=0)


# ---------------------------------------------------------- resolve, kinds


def test_resolve_tells_the_source(tmp_path):
    (tmp_path / "imgs").mkdir()
    np.save(tmp_path / "x.npy", np.zeros((2, 2), np.float32))
    assert datasets.resolve("ring") == ("builtin", "ring", None)
    assert datasets.resolve("tfds:cifar10") == ("tfds", "cifar10", None)
    assert datasets.resolve("tfds:mnist:train[:10%]") == ("tfds", "mnist", "train[:10%]")
    assert datasets.resolve(tmp_path / "imgs") == ("folder", str(tmp_path / "imgs"), None)
    assert datasets.resolve(str(tmp_path / "x.npy")) == ("array", str(tmp_path / "x.npy"), None)
    for missing in (str(tmp_path / "nope"), "./nope", "nope.npz"):
        with pytest.raises(FileNotFoundError, match="nope"):
            datasets.resolve(missing)
    with pytest.raises(ValueError, match=r"tfds:<name>\[:<split>\]"):
        datasets.resolve("tfds:")
    (tmp_path / "a.png").write_bytes(b"")
    with pytest.raises(ValueError, match="neither a folder of images nor a .npy/.npz file"):
        datasets.resolve(tmp_path / "a.png")
    with pytest.raises(ValueError, match="string or a path"):
        datasets.resolve(3)


def test_data_kind():
    assert datasets.data_kind(np.zeros((5, 2))) == ("vector", (2,))
    assert datasets.data_kind(np.zeros((5, 32, 32, 3))) == ("image", (32, 32, 3))
    kind = datasets.data_kind(datasets.load("digits", n=3))
    assert kind.kind == "image" and kind.shape == (8, 8, 1)
    with pytest.raises(ValueError, match=r"Received: an array of shape \(5,\)"):
        datasets.data_kind(np.zeros(5))


def test_check_range():
    x = np.linspace(-1, 1, 11, dtype=np.float32)
    assert datasets.check_range(x) is x
    datasets.check_range(x * 5, -np.inf, np.inf)
    with pytest.raises(ValueError, match=r"values in \[0, 255\], outside \[-1, 1\].*x / 127.5 - 1"):
        datasets.check_range(np.array([0.0, 255.0]), name="pixels")
    with pytest.raises(ValueError, match=r"pixels has values in \[0, 2\], outside \[0, 1\]"):
        datasets.check_range(np.array([0.0, 2.0]), 0.0, 1.0, name="pixels")
    with pytest.raises(ValueError, match="2 NaN or infinite"):
        datasets.check_range(np.array([0.0, np.nan, np.inf]))


# ----------------------------------------------------------- array files


def test_uint8_array_is_scaled_with_a_note(tmp_path, caplog):
    images = np.random.default_rng(0).integers(0, 256, (5, 12, 12), dtype=np.uint8)
    images[0, 0, 0], images[0, 0, 1] = 0, 255
    np.save(tmp_path / "x.npy", images)
    with caplog.at_level(logging.WARNING, logger="keras_fgan.datasets"):
        x = datasets.load(str(tmp_path / "x.npy"))
    assert x.shape == (5, 12, 12, 1) and x.dtype == np.float32
    np.testing.assert_allclose(x[..., 0], images / 127.5 - 1.0, atol=1e-6)
    assert x.min() == -1.0 and x.max() == 1.0
    notes = [r.getMessage() for r in caplog.records]
    assert len(notes) == 1 and "8-bit" in notes[0] and "[-1, 1]" in notes[0]
    assert "\n" not in notes[0]


def test_float_arrays(tmp_path):
    vectors = np.random.default_rng(0).normal(0, 3, (7, 3)).astype(np.float64)
    np.save(tmp_path / "v.npy", vectors)
    x = datasets.load(str(tmp_path / "v.npy"), n=4)
    assert x.dtype == np.float32 and x.shape == (4, 3)  # vectors: any range
    np.testing.assert_allclose(x, vectors[:4], rtol=1e-6)
    np.save(tmp_path / "img.npy", np.full((2, 8, 8, 3), 0.5, np.float32))
    assert datasets.load(str(tmp_path / "img.npy")).shape == (2, 8, 8, 3)
    np.save(tmp_path / "bad.npy", np.full((2, 8, 8, 3), 255.0, np.float32))
    with pytest.raises(ValueError, match=r"bad\.npy has values in \[255, 255\], outside \[-1, 1\]"):
        datasets.load(str(tmp_path / "bad.npy"))


def test_npz_with_labels(tmp_path):
    x = np.random.default_rng(0).uniform(-1, 1, (6, 8, 8, 1)).astype(np.float32)
    np.savez(tmp_path / "d.npz", x=x, y=np.arange(6))
    got_x, got_y = datasets.load(str(tmp_path / "d.npz"), with_labels=True)
    np.testing.assert_array_equal(got_x, x)
    np.testing.assert_array_equal(got_y, np.arange(6))
    np.savez(tmp_path / "one.npz", samples=x)
    np.testing.assert_array_equal(datasets.load(str(tmp_path / "one.npz")), x)


@pytest.mark.parametrize(
    "write, kwargs, match",
    [
        (lambda p: np.savez(p / "f.npz", a=np.zeros(2), b=np.zeros(2)), {}, r"arrays \['a', 'b'\]; name the samples 'x'"),
        (lambda p: np.save(p / "f.npy", np.zeros((3, 2), np.float32)), {"with_labels": True}, "holds no labels"),
        (lambda p: (p / "f.npy").write_bytes(b"not numpy"), {}, r"Cannot read array file .*f\.npy"),
        (lambda p: np.save(p / "f.npy", np.array([{"a": 1}], dtype=object)), {}, r"Cannot read array file"),
        (lambda p: np.save(p / "f.npy", np.zeros((3, 8, 8), np.int64)), {}, "dtype int64; expected uint8"),
        (lambda p: np.save(p / "f.npy", np.zeros((3,), np.float32)), {}, r"shape \(3,\); expected vectors"),
        (lambda p: np.save(p / "f.npy", np.zeros((0, 2), np.float32)), {}, "holds no samples"),
        (lambda p: np.save(p / "f.npy", np.zeros((3, 2), np.float32)), {"split": "test"}, "single split"),
        (lambda p: np.save(p / "f.npy", np.zeros((3, 2), np.float32)), {"data_dir": "d"}, "data_dir"),
        (lambda p: np.save(p / "f.npy", np.zeros((3, 2), np.float32)), {"image_size": 8}, "apply to images"),
    ],
)
def test_array_file_errors(tmp_path, write, kwargs, match):
    write(tmp_path)
    path = next(tmp_path.glob("f.np*"))
    with pytest.raises(ValueError, match=match):
        datasets.load(str(path), **kwargs)


def test_image_size_and_color_mode_on_any_images():
    x = datasets.load("digits", n=4, image_size=16, color_mode="rgb")
    assert x.shape == (4, 16, 16, 3) and x.dtype == np.float32
    assert x.min() >= -1.0 and x.max() <= 1.0
    np.testing.assert_array_equal(x[..., 0], x[..., 2])
    gray = datasets.load("digits", n=4, color_mode="grayscale")
    np.testing.assert_array_equal(gray, datasets.load("digits", n=4))
    back = datasets.load("digits", n=4, image_size=(16, 16), color_mode="rgb")
    np.testing.assert_allclose(back, x)
    for bad in ({"image_size": 0}, {"image_size": (8, 8, 1)}, {"color_mode": "rgba"}):
        with pytest.raises(ValueError, match="image_size|color_mode"):
            datasets.load("digits", **bad)
    with pytest.raises(ValueError, match="apply to images"):
        datasets.load("ring", n=10, image_size=8)
    assert datasets.load("digits", n=0, image_size=16).shape == (0, 16, 16, 1)


# ---------------------------------------------------------- image folders


def _write_images(folder, count, size, mode, rng):
    folder.mkdir(parents=True, exist_ok=True)
    shape = size + ((3,) if mode == "RGB" else ())
    pixels = rng.integers(0, 256, (count, *shape), dtype=np.uint8)
    for i, image in enumerate(pixels):
        Image.fromarray(image, mode).save(folder / f"{i:03d}.png")
    return pixels


def test_folder_of_rgb_images(tmp_path, caplog):
    pixels = _write_images(tmp_path / "imgs", 5, (12, 10), "RGB", np.random.default_rng(0))
    with caplog.at_level(logging.WARNING, logger="keras_fgan.datasets"):
        x = datasets.load(str(tmp_path / "imgs"))
    assert x.shape == (5, 12, 10, 3) and x.dtype == np.float32
    np.testing.assert_allclose(x, pixels / 127.5 - 1.0, atol=1e-5)  # sorted file order
    assert any("8-bit" in r.getMessage() for r in caplog.records)
    resized = datasets.load(str(tmp_path / "imgs"), image_size=32, n=3)
    assert resized.shape == (3, 32, 32, 3) and -1.0 <= resized.min() and resized.max() <= 1.0
    gray = datasets.load(str(tmp_path / "imgs"), color_mode="grayscale")
    assert gray.shape == (5, 12, 10, 1)
    assert datasets.data_kind(resized) == ("image", (32, 32, 3))


def test_folder_grayscale_mixed_sizes_and_labels(tmp_path):
    rng = np.random.default_rng(1)
    first = _write_images(tmp_path / "imgs" / "a", 3, (16, 16), "L", rng)
    _write_images(tmp_path / "imgs" / "b", 2, (40, 24), "L", rng)
    x, y = datasets.load(str(tmp_path / "imgs"), with_labels=True)
    # The first image (sorted) gives the size and the colour mode.
    assert x.shape == (5, 16, 16, 1)
    np.testing.assert_array_equal(y, [0, 0, 0, 1, 1])
    np.testing.assert_allclose(x[:3, ..., 0], first / 127.5 - 1.0, atol=1e-5)
    rgb = datasets.load(str(tmp_path / "imgs"), color_mode="rgb", image_size=(8, 4))
    assert rgb.shape == (5, 8, 4, 3)


def test_folder_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("no images here")
    with pytest.raises(ValueError, match="holds no image files"):
        datasets.load(str(tmp_path / "empty"))
    _write_images(tmp_path / "flat", 2, (8, 8), "L", np.random.default_rng(0))
    with pytest.raises(ValueError, match="one subfolder per class"):
        datasets.load(str(tmp_path / "flat"), with_labels=True)
    with pytest.raises(ValueError, match="single split"):
        datasets.load(str(tmp_path / "flat"), split="test")
    (tmp_path / "flat" / "001.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    with pytest.raises(ValueError, match=r"Cannot read image file .*001\.png"):
        datasets.load(str(tmp_path / "flat"))


# ---------------------------------------------------- TensorFlow Datasets


def _prepare_tfds_fashion_mnist(data_dir, max_examples_per_split):
    """Prepares TFDS' own fashion_mnist builder offline in `data_dir`.

    The Debian IDX files are put where TFDS' download manager looks for a
    finished download (`downloads/fashion_mnist/<name from URL and
    checksum>` with its INFO file), so `download_and_prepare` reads them and
    fetches nothing. (TFDS' `manual_dir` cannot serve: it checks the files'
    sha256, and Debian recompressed them.)
    """
    tfds = pytest.importorskip("tensorflow_datasets")
    from tensorflow_datasets.core.download import resource

    builder = tfds.builder("fashion_mnist", data_dir=str(data_dir))
    downloads = data_dir / "downloads"
    for url, info in builder.url_infos.items():
        path = downloads / builder.name / resource.get_dl_fname(url, info.checksum)
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(datasets.DEBIAN_DIR / info.filename, path)
        resource.write_info_file(
            url=url, path=path, dataset_name=builder.name, original_fname=info.filename, url_info=info
        )
    config = tfds.download.DownloadConfig(max_examples_per_split=max_examples_per_split)
    builder.download_and_prepare(download_dir=str(downloads), download_config=config)
    return data_dir


def _as_multiset(x, y):
    """Images with their labels, in a canonical order (TFDS shuffles)."""
    keys = [image.tobytes() + bytes([label]) for image, label in zip(np.asarray(x), y)]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return np.asarray(x)[order], np.asarray(y)[order]


needs_debian_fashion_mnist = pytest.mark.skipif(
    not (datasets.DEBIAN_DIR / "t10k-images-idx3-ubyte.gz").is_file(),
    reason="the offline TFDS preparation reads Debian's dataset-fashion-mnist (make data)",
)


@needs_debian_fashion_mnist
@pytest.mark.skipif(
    keras.backend.backend() != "torch",
    reason="TFDS reads through tf.data whatever the Keras backend, and preparing 20,000 "
    "images takes a while: the full comparison runs once, under torch, the shortest of "
    "the three CI runs (a small one runs on every backend)",
)
def test_tfds_fashion_mnist_equals_the_idx_files(tmp_path):
    # 10,000 examples per split: all of "test", the first 10,000 of "train".
    data_dir = _prepare_tfds_fashion_mnist(tmp_path, 10_000)
    for split, n in (("test", None), ("train", 10_000)):
        tfds_x, tfds_y = datasets.load(f"tfds:fashion_mnist:{split}", data_dir=str(data_dir), with_labels=True)
        x, y = datasets.load("fashion_mnist", split, with_labels=True, n=n)
        assert tfds_x.shape == x.shape == (10_000, 28, 28, 1) and tfds_x.dtype == np.float32
        for got, expected in zip(_as_multiset(tfds_x, tfds_y), _as_multiset(x, y)):
            np.testing.assert_array_equal(got, expected)


@needs_debian_fashion_mnist
def test_tfds_on_this_backend(tmp_path, caplog):
    data_dir = str(_prepare_tfds_fashion_mnist(tmp_path, 64))
    with caplog.at_level(logging.WARNING, logger="keras_fgan.datasets"):
        x, y = datasets.load("tfds:fashion_mnist", split="test", data_dir=data_dir, with_labels=True)
    assert any("tfds:fashion_mnist:test holds 8-bit values" in r.getMessage() for r in caplog.records)
    expected = datasets.load("fashion_mnist", "test", with_labels=True, n=64)
    for got, want in zip(_as_multiset(x, y), _as_multiset(*expected)):
        np.testing.assert_array_equal(got, want)
    assert datasets.load("tfds:fashion_mnist:train", data_dir=data_dir, n=10).shape == (10, 28, 28, 1)
    with pytest.raises(ValueError, match="Unknown split='validation'.*Valid splits: .*test"):
        datasets.load("tfds:fashion_mnist:validation", data_dir=data_dir)
    with pytest.raises(ValueError, match="Two splits given"):
        datasets.load("tfds:fashion_mnist:train", split="test", data_dir=data_dir)
    with pytest.raises(ValueError, match="Did you mean tfds:fashion_mnist"):
        datasets.load("tfds:fashon_mnist", data_dir=data_dir)
