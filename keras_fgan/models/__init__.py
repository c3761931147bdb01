"""Adversarial models: one base class, one thin class per objective."""

from keras_fgan.models.adversarial_model import AdversarialModel
from keras_fgan.models.bigan import BiGAN
from keras_fgan.models.fgan import FGAN
from keras_fgan.models.gan import GAN
from keras_fgan.models.wgan import WGAN

__all__ = ["AdversarialModel", "BiGAN", "FGAN", "GAN", "WGAN"]
