"""Tests for keras_fgan.datasets (runs under every KERAS_BACKEND)."""

import gzip
import struct

import keras
import numpy as np
import pytest

from keras_fgan import datasets


def _fashion_mnist_available():
    try:
        datasets._locate_fashion_mnist("test")
    except FileNotFoundError:
        return False
    return True


needs_fashion_mnist = pytest.mark.skipif(
    not _fashion_mnist_available(),
    reason="Fashion-MNIST not installed (apt-get install dataset-fashion-mnist, or set "
    "KERAS_FGAN_DATA_DIR); the parser is covered by the synthetic IDX tests.",
)


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
    monkeypatch.setattr(datasets, "DEBIAN_DIR", tmp_path / "not-installed")

    def offline(split):
        raise OSError("network unreachable")

    monkeypatch.setattr(datasets, "_keras_download_dir", offline)


# ---------------------------------------------------------------- names/splits


def test_names_and_splits():
    assert set(datasets.names()) == {"fashion_mnist", "digits", "ring", "grid"}
    assert datasets.splits("fashion_mnist") == ("train", "test")


@pytest.mark.parametrize("bad", ["mnist", "Fashion_MNIST", ""])
def test_unknown_name_lists_valid_names(bad):
    with pytest.raises(ValueError, match="Valid names: fashion_mnist, digits, ring, grid"):
        datasets.load(bad)


def test_unknown_split_lists_valid_splits():
    with pytest.raises(ValueError, match="split='validation'.*Valid splits: train, test"):
        datasets.load("fashion_mnist", split="validation")
    with pytest.raises(ValueError, match="Valid splits: train"):
        datasets.load("digits", split="test")


def test_bad_n_raises():
    with pytest.raises(ValueError, match="n must be"):
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
    monkeypatch.setattr(datasets, "DEBIAN_DIR", debian)
    monkeypatch.setenv(datasets.DATA_DIR_ENV, str(tmp_path / "empty"))
    x, y = datasets.load("fashion_mnist", "test", with_labels=True)
    np.testing.assert_array_equal(y, [3, 4])


def test_download_is_last_resort(tmp_path, monkeypatch):
    download = tmp_path / "keras-cache"
    download.mkdir()
    _write_split(download, "train", np.zeros((4, 28, 28), np.uint8), np.arange(4, dtype=np.uint8))
    monkeypatch.delenv(datasets.DATA_DIR_ENV, raising=False)
    monkeypatch.setattr(datasets, "DEBIAN_DIR", tmp_path / "not-installed")
    monkeypatch.setattr(datasets, "_keras_download_dir", lambda split: download)
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
