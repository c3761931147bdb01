"""Skip markers shared by the test files, each with its stated reason."""

import pytest

from keras_fgan import datasets


def _fashion_mnist_available():
    try:
        datasets.fashion_mnist.locate("test")
    except FileNotFoundError:
        return False
    return True


needs_fashion_mnist = pytest.mark.skipif(
    not _fashion_mnist_available(),
    reason="Fashion-MNIST not installed (apt-get install dataset-fashion-mnist, or set "
    "KERAS_FGAN_DATA_DIR; `make test` installs it); the parser is covered by the synthetic IDX tests.",
)
