"""Datasets: the built-in sets and your own data, as float32 NumPy arrays.

`load(...)` takes

- a built-in name (`names()`): "fashion_mnist", "digits" (images scaled to
  `[-1, 1]`), "ring", "grid" (2-D Gaussian mixtures, raw plane coordinates);
- a folder of images (PNG, JPEG, BMP, GIF; any size, grayscale or RGB, read
  with `keras.utils.image_dataset_from_directory`, resized to `image_size`);
- a `.npy` or `.npz` file of samples, `(N, features)` vectors or
  `(N, H, W[, C])` images;
- `"tfds:<name>[:<split>]"`, any image dataset of TensorFlow Datasets
  (`pip install keras-fgan[data]`), read from its `data_dir`.

8-bit data (uint8 arrays, image files, TFDS images) is scaled to `[-1, 1]`,
the range of the DCGAN generators' tanh output, with a one-line note on the
`keras_fgan.datasets` logger. Floating-point images must already lie in
`[-1, 1]` (`check_range` says so clearly otherwise); vectors are kept as
they are. `data_kind(x)` tells vectors from images, so a builder can pick
MLP or DCGAN networks. `load(..., as_dataset=True)` wraps any of them in a
shuffled, batched, prefetched `tf.data.Dataset` (TensorFlow is imported only
on that path, and for image folders and TFDS, which are read through it).

Fashion-MNIST is read from the original IDX `.gz` files, looked up in order:

1. the directory named by the environment variable `KERAS_FGAN_DATA_DIR`,
2. Debian's `/usr/share/datasets/fashion-mnist/`
   (`apt-get install dataset-fashion-mnist`),
3. the Keras download cache (`~/.keras/datasets/fashion-mnist/`), downloading the
   files there when a network is available.

The IDX files are parsed here (gzip + struct) and checked (magic number, dims,
exact payload length), so a corrupt or truncated file raises a `ValueError` that
names it instead of yielding garbage images.

References:
    Xiao, Rasul and Vollgraf, 2017. "Fashion-MNIST: a Novel Image Dataset for
    Benchmarking Machine Learning Algorithms". https://arxiv.org/abs/1708.07747
    Lin, Khetan, Fanti and Oh, 2018. "PacGAN: The power of two samples in
    generative adversarial networks". https://arxiv.org/abs/1712.04086
    Srivastava et al., 2017. "VEEGAN: Reducing Mode Collapse in GANs using
    Implicit Variational Learning". https://arxiv.org/abs/1705.07761
"""

from keras_fgan.datasets.fashion_mnist import DATA_DIR_ENV
from keras_fgan.datasets.fashion_mnist import DEBIAN_DIR
from keras_fgan.datasets.fashion_mnist import FASHION_MNIST_CLASSES
from keras_fgan.datasets.fashion_mnist import FASHION_MNIST_FILES
from keras_fgan.datasets.fashion_mnist import FASHION_MNIST_SIZES
from keras_fgan.datasets.files import IMAGE_SUFFIXES
from keras_fgan.datasets.idx import read_idx
from keras_fgan.datasets.idx import write_idx
from keras_fgan.datasets.loading import load
from keras_fgan.datasets.mixtures import mixture_modes
from keras_fgan.datasets.samples import COLOR_MODES
from keras_fgan.datasets.samples import DataKind
from keras_fgan.datasets.samples import check_range
from keras_fgan.datasets.samples import data_kind
from keras_fgan.datasets.sources import ARRAY_SUFFIXES
from keras_fgan.datasets.sources import TFDS_PREFIX
from keras_fgan.datasets.sources import Source
from keras_fgan.datasets.sources import names
from keras_fgan.datasets.sources import resolve
from keras_fgan.datasets.sources import splits
