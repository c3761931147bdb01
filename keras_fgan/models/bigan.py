"""BiGAN / ALI: a GAN with an encoder and a joint discriminator."""

import numpy as np

import keras
from keras import ops

from keras_fgan import losses
from keras_fgan import objectives
from keras_fgan.arguments import check_number
from keras_fgan.models.adversarial_model import AdversarialModel
from keras_fgan.models.adversarial_model import network_input_shapes
from keras_fgan.models.adversarial_model import symbolic_output_shape


@keras.saving.register_keras_serializable(package="keras_fgan")
class BiGAN(AdversarialModel):
    """Bidirectional GAN: generator G, encoder E, joint discriminator D.

    D takes pairs `[x, z]` and tells `(x, E(x))`, x from the data, from
    `(G(z), z)`, z from the prior. It minimises the binary cross-entropy on
    logits

        d_loss = -E[log sigmoid(D(x, E(x)))] - E[log(1 - sigmoid(D(G(z), z)))].

    G and E are trained together by `g_optimizer`. With `loss="minimax"` they
    minimise `-d_loss`; with `"non_saturating"` (the default) they minimise
    the same cross-entropy with the labels flipped,

        g_loss = -E[log sigmoid(D(G(z), z))] - E[log(1 - sigmoid(D(x, E(x))))].

    At the optimum the two joint distributions match and E inverts G
    (Donahue et al. 2017, Thm. 2). After training, `encode(x)` infers latents,
    `reconstruct(x)` is `G(E(x))` and `generate(n)` samples as for a GAN.
    `model.encoder` is a plain Keras model that can be saved or exported on
    its own.

    Args:
        generator: Keras model, latents `(batch, latent_dim)` -> samples.
        encoder: Keras model, samples -> latents `(batch, latent_dim)`; its
            output should be unconstrained or match the prior's support
            (e.g. `tanh` for the uniform prior).
        discriminator: Keras model with two inputs `[x, z]` of shapes
            `sample_shape` and `(latent_dim,)`, one logit per pair, or k
            logits per pair, shape `(batch, k)`: then both losses above are
            the mean over the k logits of the same cross-entropy. With
            BigBiGAN's joint and unary scores `[s_xz, s_x, s_z]` (the
            reference networks' `unary_scores=True`,
            `kf.networks.joint_scores`) that is Donahue and Simonyan's loss
            (2019, Sec. 2: the sum of the three terms) divided by 3, with the
            cross-entropy in place of their hinge: s_x alone is a GAN
            discriminator on samples, s_z one on latents, E(x) against the
            prior. On Fashion-MNIST (`bigan_fashion_mnist`'s recipe, 40
            epochs) they took the Frechet distance from 5.3 to 2.3 and the
            encoder's linear-probe lead from 12.7 to 6.6 points
            (`benchmarks/results/fashion_mnist_presets_sweep.md`).
        loss: "non_saturating" or "minimax" (the G/E objective).
        **kwargs: see `AdversarialModel` (`latent_prior`, `d_steps`, `ema`,
            `regularizers`, `seed`). Donahue et al. use
            `latent_prior="uniform"`. The joint discriminator takes no
            packing (`pack` must be 1); the regularizers see it as a function
            of flat `[x, z]` pairs (`joint_inputs`): `R1` penalises
            `|grad_(x, z) D(x, E(x))|^2` on real pairs (with k logits per
            pair, D is their sum).
        penalize_latent: True (default) to penalise the gradient with
            respect to the whole pair `[x, z]`; False for the sample part
            only, `|grad_x D(x, z)|^2` (the latent held constant). Measured
            on Fashion-MNIST (`bigan_fashion_mnist`'s recipe, R1 gamma 1, 40
            epochs): both improve the samples (Frechet distance 5.3 -> 1.2
            on pairs, 1.6 on x only) and both cost the encoder most of its
            linear-probe lead over random encoders (12.7 points -> 3.2 and
            0.5): `benchmarks/results/fashion_mnist_presets_sweep.md`.
        latent_reconstruction: weight `lambda >= 0` of a latent
            reconstruction term added to the G/E loss,
            `lambda * E_z[|z - E(G(z))|^2]` (VEEGAN's reconstructor loss,
            Srivastava et al. 2017, Eq. 8, with E as the reconstructor):
            E learns to invert G on generated samples, a signal that does
            not pass through D. 0 (the default) is the plain BiGAN. Logged
            as `latent_reconstruction` (the unweighted mean). On
            Fashion-MNIST (`bigan_fashion_mnist`'s recipe with R1 gamma 0.1,
            lambda 1, 9 epochs) it gave less even classes and no better
            linear probe than the same run without it (same sweep file).
        sample_reconstruction: weight `lambda >= 0` of a sample
            reconstruction term added to the G/E loss,
            `lambda * E_x[mean_i (x_i - G(E(x))_i)^2]`, the mean over the
            sample's entries so that lambda does not grow with the image
            size (ALICE's explicit l2 cycle-consistency, Li et al. 2017):
            E must keep what G needs to redraw x, a signal on real samples
            that does not pass through D. 0 (the default) is the plain
            BiGAN. Logged as `sample_reconstruction` (the unweighted mean).
        reconstruction_trains_generator: True (default) to let the
            reconstruction terms train G as well as E (VEEGAN, ALICE);
            False for E alone, G held fixed, as in the encoders of GAN
            inversion (Zhu et al. 2020, Sec. 3.1): G then learns from D
            only. For the latent term the generated samples are held
            constant; for the sample term the loss adds
            `e(E(x)) - e(stop_gradient(E(x)))`, `e` the reconstruction
            error: its value is 0 and the two terms' gradients with respect
            to G's weights cancel (exactly for a deterministic G, in
            expectation with dropout), leaving E's. (G's batch-norm
            statistics still see the reconstruction passes.)

    Example:

    ```python
    bigan = kf.BiGAN(kf.networks.dcgan28_generator(64),
                     kf.networks.dcgan28_encoder(64),
                     kf.networks.dcgan28_joint_discriminator(64),
                     latent_prior="uniform")
    bigan.compile()
    bigan.fit(x_train, batch_size=64, epochs=5)
    z = bigan.encode(x_test)
    ```

    References:
        Donahue, Kraehenbuehl, Darrell. "Adversarial Feature Learning."
        ICLR 2017, Sec. 3 (Eq. 3) and Sec. 3.4 (the flipped-label objective).
        Dumoulin et al. "Adversarially Learned Inference." ICLR 2017, Sec. 2.
        Mescheder, Geiger, Nowozin. "Which Training Methods for GANs do
        actually Converge?" ICML 2018, Eq. 9 (R1, here on joint pairs).
        Srivastava et al. "VEEGAN: Reducing Mode Collapse in GANs using
        Implicit Variational Learning." NeurIPS 2017, Eq. 8.
        Li et al. "ALICE: Towards Understanding Adversarial Learning for
        Joint Distribution Matching." NeurIPS 2017 (the l2 cycle loss).
        Zhu, Shen, Zhao, Zhou. "In-Domain GAN Inversion for Real Image
        Editing." ECCV 2020, Sec. 3.1 (an encoder trained against a fixed G).
        Donahue and Simonyan. "Large Scale Adversarial Representation
        Learning." NeurIPS 2019, Sec. 2 (BigBiGAN's unary scores).
    """

    def __init__(self, generator, encoder, discriminator, loss="non_saturating", penalize_latent=True,
                 latent_reconstruction=0.0, sample_reconstruction=0.0, reconstruction_trains_generator=True,
                 **kwargs):
        for name, value in (("penalize_latent", penalize_latent),
                            ("reconstruction_trains_generator", reconstruction_trains_generator)):
            if not isinstance(value, bool):
                raise ValueError(f"`{name}` must be True or False. Received: {name}={value!r}")
        if loss not in objectives.GAN_GENERATOR_LOSSES:
            raise ValueError(
                f"Unknown BiGAN loss {loss!r}; valid: "
                f"{', '.join(objectives.GAN_GENERATOR_LOSSES)}."
            )
        network_input_shapes(encoder, "encoder")  # a Keras model with an input shape
        if kwargs.get("pack", 1) != 1:
            raise ValueError(
                "BiGAN's joint discriminator takes (x, z) pairs: it supports no packing "
                f"(`pack` must be 1). Received: pack={kwargs.get('pack')!r}"
            )
        self.loss_variant = loss
        self.penalize_latent = penalize_latent
        self.reconstruction_trains_generator = reconstruction_trains_generator
        self.latent_reconstruction = check_number("latent_reconstruction", latent_reconstruction, minimum=0.0,
                                                  inclusive=True)
        self.sample_reconstruction = check_number("sample_reconstruction", sample_reconstruction, minimum=0.0,
                                                  inclusive=True)
        super().__init__(generator, discriminator, loss=losses.get(loss), **kwargs)
        # Assigned after the base __init__ (PyTorch modules take sub-modules
        # only once initialised), so the joint networks are checked here.
        self.encoder = encoder
        self._check_discriminator()

    # ----------------------------------------------------------- networks --
    def _check_discriminator(self):
        if getattr(self, "encoder", None) is None:
            return  # called by the base __init__; BiGAN.__init__ checks again
        sample_shape, latent_shape = self.sample_shape, (self.latent_dim,)
        encoder_inputs = network_input_shapes(self.encoder, "encoder")
        if len(encoder_inputs) != 1:
            raise ValueError(
                "The encoder must take one input (a batch of samples); it takes "
                f"{len(encoder_inputs)}."
            )
        (encoder_input,) = encoder_inputs
        if tuple(encoder_input[1:]) != sample_shape:
            raise ValueError(
                f"The generator outputs samples of shape {sample_shape} but the "
                f"encoder takes inputs of shape {tuple(encoder_input[1:])}."
            )
        encoder_output = symbolic_output_shape(self.encoder, [encoder_input])
        if tuple(encoder_output[1:]) != latent_shape:
            raise ValueError(
                f"The encoder must output latents of shape (batch, {self.latent_dim}) "
                f"(the generator's latent_dim). Its output shape is {encoder_output}."
            )
        d_inputs = network_input_shapes(self.discriminator, "discriminator")
        expected = [sample_shape, latent_shape]
        received = [tuple(s[1:]) for s in d_inputs]
        if received != expected:
            raise ValueError(
                "The BiGAN discriminator must take exactly two inputs [x, z] of "
                f"shapes {sample_shape} and {latent_shape}, in that order. Its "
                f"inputs have shapes {received}."
            )
        scores = symbolic_output_shape(self.discriminator, d_inputs)
        if len(scores) not in (1, 2) or (len(scores) == 2 and not scores[-1]):
            raise ValueError(
                "The BiGAN discriminator must output one or more logits per pair, shape "
                f"(batch,), (batch, 1) or (batch, k). Its output shape is {scores}."
            )

    def _g_variables(self):
        return self.generator.trainable_variables + self.encoder.trainable_variables

    # ------------------------------------------------------------- losses --
    def joint_inputs(self, real, z, detach=False, training=True):
        """The pairs `(x, E(x))` and `(G(z), z)` as flat vectors `[x, z]`.

        Each pair is one vector (the flattened sample, then the latent), so
        an input-gradient regularizer sees the joint discriminator as a
        function of one tensor: R1 penalises the norm of its gradient with
        respect to both the sample and the latent of real pairs.

        Args:
            real: a batch of data samples.
            z: a batch of prior latents.
            detach: stop gradients into G and E (the discriminator's step).
            training: passed to the encoder and generator.

        Returns:
            `(real_pairs, fake_pairs)`, each of shape
            `(batch, prod(sample_shape) + latent_dim)`.
        """
        encoded, fake = self._encode_and_generate(real, z, detach, training)
        return _pairs(real, encoded), _pairs(fake, z)

    def _encode_and_generate(self, real, z, detach=False, training=True):
        """`(E(x), G(z))`."""
        encoded = self.call_network(self.encoder, real, training, gradient=not detach)
        fake = self.call_network(self.generator, z, training, gradient=not detach)
        return encoded, fake

    def discriminator_inputs(self, real, z, training=True):
        return self.joint_inputs(real, z, detach=True, training=training)

    def discriminate(self, pairs, training=True):
        """Joint discriminator logits of flat `[x, z]` pairs (`joint_inputs`)."""
        size = int(np.prod(self.sample_shape))
        samples = ops.reshape(pairs[:, :size], (-1,) + tuple(self.sample_shape))
        return self.call_network(self.discriminator, [samples, pairs[:, size:]], training)

    def penalized_discriminator(self, training=True):
        """`discriminate`, or with `penalize_latent=False` the same scores
        with the latents held constant, so that the regularizers' input
        gradients (zero in the latent part) penalise `grad_x D` only."""
        if self.penalize_latent:
            return super().penalized_discriminator(training)
        size = int(np.prod(self.sample_shape))

        def scores(pairs):
            held = ops.concatenate([pairs[:, :size], ops.stop_gradient(pairs[:, size:])], axis=1)
            return self.discriminate(held, training)

        return scores

    def generator_metric_names(self):
        return tuple(name for name in ("latent_reconstruction", "sample_reconstruction") if getattr(self, name))

    def generator_loss(self, real, z, training=True):
        encoded, fake = self._encode_and_generate(real, z, training=training)
        real_out = self.discriminate(_pairs(real, encoded), training)
        fake_out = self.discriminate(_pairs(fake, z), training)
        if self.loss_variant == "minimax":
            loss = -objectives.gan_discriminator_loss(real_out, fake_out)
        else:  # flipped labels: the pairs swap roles
            loss = objectives.gan_discriminator_loss(fake_out, real_out)
        logs = {}
        if self.latent_reconstruction:
            if not self.reconstruction_trains_generator:
                fake = ops.stop_gradient(fake)
            recovered = ops.cast(self.call_network(self.encoder, fake, training), "float32")
            error = ops.mean(ops.sum(ops.square(recovered - ops.cast(z, "float32")), axis=-1))
            loss = loss + self.latent_reconstruction * error
            logs["latent_reconstruction"] = error
        if self.sample_reconstruction:
            error = self._sample_reconstruction_error(real, encoded, training)
            term = error
            if not self.reconstruction_trains_generator:  # value 0; G's gradients cancel
                term = error - self._sample_reconstruction_error(real, ops.stop_gradient(encoded), training)
            loss = loss + self.sample_reconstruction * term
            logs["sample_reconstruction"] = error
        logs["g_loss"] = loss
        return loss, logs

    def _sample_reconstruction_error(self, real, codes, training):
        """`mean (x - G(codes))^2` over the batch and the sample's entries."""
        redrawn = ops.cast(self.call_network(self.generator, codes, training), "float32")
        return ops.mean(ops.square(redrawn - ops.cast(real, "float32")))

    # ---------------------------------------------------------- inference --
    def _check_samples(self, x):
        """`x` as a float32 NumPy batch of samples, or a clear error."""
        if ops.is_tensor(x):
            x = ops.convert_to_numpy(x)
        x = np.asarray(x)
        if x.dtype.kind not in "fiu":
            raise TypeError(
                f"`encode` takes numeric samples; received dtype {x.dtype}."
            )
        expected = self.sample_shape
        if x.ndim != len(expected) + 1:
            raise ValueError(
                f"`encode` takes a batch of samples of shape (batch, "
                f"{', '.join(map(str, expected))}); received an array of rank "
                f"{x.ndim} with shape {x.shape}."
                + (" Add a channel axis: x[..., None]." if x.shape[1:] == expected[:-1] else "")
            )
        if len(expected) == 3 and x.shape[1:3] != expected[:2]:
            raise ValueError(
                f"`encode` takes images of size {expected[0]}x{expected[1]}; "
                f"received {x.shape[1]}x{x.shape[2]} (shape {x.shape})."
            )
        if len(expected) == 3 and x.shape[3] != expected[2]:
            raise ValueError(
                f"`encode` takes images with {expected[2]} channel(s); received "
                f"{x.shape[3]} (shape {x.shape})."
            )
        if x.shape[1:] != expected:
            raise ValueError(
                f"`encode` takes samples of shape {expected}; received {x.shape[1:]}."
            )
        if x.shape[0] == 0:
            raise ValueError("`encode` received an empty batch.")
        x = x.astype("float32")
        if not np.all(np.isfinite(x)):
            raise ValueError("`encode` received non-finite values (NaN or inf).")
        return x

    def encode(self, x, batch_size=256):
        """Infers latents `E(x)`.

        Args:
            x: samples, shape `(n, *sample_shape)`, numeric (NumPy array or
                backend tensor).
            batch_size: encoder batch size.

        Returns:
            A NumPy float32 array of shape `(n, latent_dim)`.

        Raises:
            TypeError: non-numeric `x`.
            ValueError: wrong rank, image size, channel count or sample shape;
                an empty batch; non-finite values.
        """
        x = self._check_samples(x)
        return np.asarray(
            self.encoder.predict(x, batch_size=min(len(x), batch_size), verbose=0),
            dtype="float32",
        )

    def reconstruct(self, x, batch_size=256):
        """`G(E(x))`: the samples regenerated from their inferred latents.

        Args:
            x: samples, as for `encode`.
            batch_size: network batch size.

        Returns:
            A NumPy float32 array shaped like `x`.
        """
        z = self.encode(x, batch_size=batch_size)
        return np.asarray(
            self.generator.predict(z, batch_size=min(len(z), batch_size), verbose=0),
            dtype="float32",
        )

    # -------------------------------------------------------- config I/O --
    def describe(self):
        return f"BiGAN(loss={self.loss_variant!r})"

    def get_config(self):
        return {
            **super().get_config(),
            "encoder": keras.saving.serialize_keras_object(self.encoder),
            "loss": self.loss_variant,
            "penalize_latent": self.penalize_latent,
            "latent_reconstruction": self.latent_reconstruction,
            "sample_reconstruction": self.sample_reconstruction,
            "reconstruction_trains_generator": self.reconstruction_trains_generator,
        }


def _pairs(samples, latents):
    """`[flatten(samples), latents]` along the feature axis, float32."""
    samples = ops.cast(samples, "float32")
    flat = ops.reshape(samples, (ops.shape(samples)[0], -1))
    return ops.concatenate([flat, ops.cast(latents, "float32")], axis=1)
