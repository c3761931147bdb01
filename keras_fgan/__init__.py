"""keras-fgan: adversarial generative models for Keras 3 (TensorFlow, JAX, PyTorch).

Public API (see the documentation for guides):

- objectives as `keras.Model` subclasses: `GAN`, `FGAN`, `WGAN`, `BiGAN`;
- `divergences`, `objectives`, `layers`, `lipschitz`, `networks`;
- `datasets`, `evaluation`, `estimate_divergence` (variational lower bound
  of an f-divergence), `imaging`;
- `zoo` (pretrained presets), `callbacks`, `checkpointing`;
- imported on first use (`kf.export`, `kf.tuning`, ...), since they need
  optional packages or load more than most programs use: `export` (ONNX /
  SavedModel), `tuning` (KerasTuner), `builders` (models from recipes),
  `cli` (the `keras-fgan` command).
"""

__version__ = "0.1.0"

from keras_fgan import callbacks
from keras_fgan import checkpointing
from keras_fgan import datasets
from keras_fgan import divergences
from keras_fgan import evaluation
from keras_fgan import imaging
from keras_fgan import layers
from keras_fgan import lipschitz
from keras_fgan import losses
from keras_fgan import objectives
from keras_fgan import networks
from keras_fgan import regularizers
from keras_fgan import zoo
from keras_fgan.models import AdversarialModel
from keras_fgan.models import BiGAN
from keras_fgan.models import FGAN
from keras_fgan.models import GAN
from keras_fgan.evaluation.divergence import estimate_divergence
from keras_fgan.models import WGAN

# ------------------------------------------------------- imported on first use
_LAZY_MODULES = ("builders", "cli", "export", "tuning")


def __getattr__(name):
    """Imports a module of `_LAZY_MODULES` when it is first used as an
    attribute (PEP 562): `kf.tuning` works after `import keras_fgan` on every
    backend, and `import keras_fgan` does not import ONNX or KerasTuner."""
    if name in _LAZY_MODULES:
        import importlib

        return importlib.import_module(f"keras_fgan.{name}")
    raise AttributeError(f"module 'keras_fgan' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY_MODULES))
