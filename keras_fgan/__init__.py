"""keras-fgan: adversarial generative models for Keras 3 (TensorFlow, JAX, PyTorch).

Public API (see the documentation for guides):

- objectives as `keras.Model` subclasses: `GAN`, `FGAN`, `WGAN`, `BiGAN`;
- `divergences`, `objectives`, `layers`, `lipschitz`, `networks`;
- `datasets`, `evaluation`, `estimate_divergence` (variational lower bound
  of an f-divergence), `imaging`;
- `zoo` (pretrained presets), `export` (ONNX / SavedModel), `callbacks`,
  `checkpointing`; `keras_fgan.tuning` (KerasTuner, imported on demand).
"""

__version__ = "0.1.0"

from keras_fgan import callbacks
from keras_fgan import checkpointing
from keras_fgan import datasets
from keras_fgan import divergences
from keras_fgan import evaluation
from keras_fgan import export
from keras_fgan import imaging
from keras_fgan import layers
from keras_fgan import lipschitz
from keras_fgan import objectives
from keras_fgan import networks
from keras_fgan import zoo
from keras_fgan.models import AdversarialModel
from keras_fgan.models import BiGAN
from keras_fgan.models import FGAN
from keras_fgan.models import GAN
from keras_fgan.evaluation.divergence import estimate_divergence
from keras_fgan.models import WGAN
