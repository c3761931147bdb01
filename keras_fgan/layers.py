"""Serialisable Keras layers."""

import keras

from keras_fgan import divergences


@keras.saving.register_keras_serializable(package="keras_fgan")
class FDivergenceActivation(keras.layers.Layer):
    """Applies the f-divergence output activation T = g_f(v).

    Maps a discriminator's unconstrained output into dom f* of the chosen
    divergence (Nowozin et al. 2016, Table 2), with the divergence's output
    bound applied first (see `keras_fgan.divergences`).

    Args:
        divergence: a name from `keras_fgan.divergences.names()` or an
            `FDivergence`.
        **kwargs: divergence parameters (`alpha=`, `pi=`) and base `Layer`
            arguments.

    Example:

    >>> layer = FDivergenceActivation("kl")
    >>> layer(keras.ops.zeros((2, 1))).shape
    (2, 1)

    References:
        Nowozin, Cseke, Tomioka. "f-GAN." NeurIPS 2016, Table 2.
    """

    def __init__(self, divergence, alpha=None, pi=None, **kwargs):
        super().__init__(**kwargs)
        params = {k: v for k, v in (("alpha", alpha), ("pi", pi)) if v is not None}
        self.divergence = divergences.get(divergence, **params)
        self.supports_masking = True

    def call(self, inputs):
        return self.divergence.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["divergence"] = self.divergence.name
        config.update(self.divergence.get_config())
        return config
