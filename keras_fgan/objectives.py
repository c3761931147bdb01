"""Adversarial losses as pure functions of discriminator outputs (`keras.ops`).

Named `<family>_discriminator_loss` / `<family>_generator_loss` after TF-GAN;
arguments are the discriminator's outputs on real and generated samples, and
every function returns a scalar mean (no hidden reduction choices). Outputs are
cast to float32 first, so the losses stay finite under mixed precision.
"""

from keras import ops

from keras_fgan import divergences

GAN_GENERATOR_LOSSES = ("non_saturating", "minimax")
F_GAN_GENERATOR_LOSSES = ("auto", "heuristic", "minimax")


def _f32(x):
    return ops.cast(x, "float32")


def gan_discriminator_loss(discriminator_real_outputs, discriminator_gen_outputs):
    """Binary cross-entropy of the GAN discriminator on logits.

    Formula:
        loss = mean(softplus(-D(x))) + mean(softplus(D(G(z))))
             = -E[log sigmoid(D(x))] - E[log(1 - sigmoid(D(G(z))))]

    References:
        Goodfellow et al. "Generative Adversarial Nets." NeurIPS 2014, Eq. 1.
    """
    real = _f32(discriminator_real_outputs)
    fake = _f32(discriminator_gen_outputs)
    return ops.mean(ops.softplus(-real)) + ops.mean(ops.softplus(fake))


def gan_generator_loss(discriminator_gen_outputs, *, loss="non_saturating"):
    """GAN generator loss on logits.

    Formula:
        minimax:         loss = E[log(1 - sigmoid(D(G(z))))] = -mean(softplus(D))
        non_saturating:  loss = -E[log sigmoid(D(G(z)))]     = mean(softplus(-D))

    References:
        Goodfellow et al. 2014, Eq. 1 and Sec. 3 (the non-saturating variant).
    """
    fake = _f32(discriminator_gen_outputs)
    if loss == "minimax":
        return -ops.mean(ops.softplus(fake))
    if loss == "non_saturating":
        return ops.mean(ops.softplus(-fake))
    raise ValueError(
        f"Unknown GAN generator loss {loss!r}; valid: {', '.join(GAN_GENERATOR_LOSSES)}."
    )


def f_gan_bound(discriminator_real_outputs, discriminator_gen_outputs, divergence):
    """The variational lower bound F = E_P[g_f(V(x))] - E_Q[f*(g_f(V(x)))].

    References:
        Nowozin et al. 2016, Eq. 6; Nguyen et al. 2010.
    """
    divergence = divergences.get(divergence)
    real = _f32(discriminator_real_outputs)
    fake = _f32(discriminator_gen_outputs)
    return ops.mean(divergence.activation(real)) - ops.mean(
        divergence.conjugate_of_activation(fake)
    )


def f_gan_discriminator_loss(
    discriminator_real_outputs, discriminator_gen_outputs, divergence
):
    """f-GAN discriminator loss: the negated variational bound, -F.

    Formula:
        loss = -(E_P[g_f(V(x))] - E_Q[f*(g_f(V(G(z))))])

    References:
        Nowozin et al. 2016, Eq. 6.
    """
    return -f_gan_bound(discriminator_real_outputs, discriminator_gen_outputs, divergence)


def f_gan_generator_loss(discriminator_gen_outputs, divergence, *, loss="auto"):
    """f-GAN generator loss.

    Formula:
        minimax:   loss = -E[f*(g_f(V(G(z))))]  (minimises F; the real term is
                   constant in the generator)
        heuristic: loss = -E[g_f(V(G(z)))]     (Nowozin et al. 2016, Sec. 3.2,
                   the analogue of the non-saturating GAN loss)
        auto:      the divergence's `default_generator_loss`.

    References:
        Nowozin et al. 2016, Eq. 6 and Sec. 3.2.
    """
    divergence = divergences.get(divergence)
    fake = _f32(discriminator_gen_outputs)
    if loss == "auto":
        loss = divergence.default_generator_loss
    if loss == "minimax":
        return -ops.mean(divergence.conjugate_of_activation(fake))
    if loss == "heuristic":
        return -ops.mean(divergence.activation(fake))
    raise ValueError(
        f"Unknown f-GAN generator loss {loss!r}; valid: "
        f"{', '.join(F_GAN_GENERATOR_LOSSES)}."
    )


def wasserstein_critic_loss(discriminator_real_outputs, discriminator_gen_outputs):
    """WGAN critic loss (negated Kantorovich-Rubinstein estimate).

    Formula:
        loss = E[D(G(z))] - E[D(x)]

    References:
        Arjovsky, Chintala, Bottou. "Wasserstein GAN." ICML 2017, Eq. 3.
    """
    return ops.mean(_f32(discriminator_gen_outputs)) - ops.mean(
        _f32(discriminator_real_outputs)
    )


def wasserstein_generator_loss(discriminator_gen_outputs):
    """WGAN generator loss.

    Formula:
        loss = -E[D(G(z))]

    References:
        Arjovsky et al. 2017, Algorithm 1.
    """
    return -ops.mean(_f32(discriminator_gen_outputs))


def hinge_discriminator_loss(discriminator_real_outputs, discriminator_gen_outputs):
    """Hinge loss of the discriminator (geometric GAN).

    Formula:
        loss = E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]

    References:
        Lim and Ye. "Geometric GAN." arXiv:1705.02894, 2017, Eq. 10.
        Miyato, Kataoka, Koyama, Yoshida. "Spectral Normalization for
        Generative Adversarial Networks." ICLR 2018, Eq. 17.
    """
    real = _f32(discriminator_real_outputs)
    fake = _f32(discriminator_gen_outputs)
    return ops.mean(ops.relu(1.0 - real)) + ops.mean(ops.relu(1.0 + fake))


def hinge_generator_loss(discriminator_gen_outputs):
    """Hinge-GAN generator loss.

    Formula:
        loss = -E[D(G(z))]

    References:
        Lim and Ye 2017, Eq. 11; Miyato et al. 2018, Eq. 17.
    """
    return -ops.mean(_f32(discriminator_gen_outputs))


def relativistic_discriminator_loss(discriminator_real_outputs, discriminator_gen_outputs):
    """Relativistic pairing GAN (RpGAN) discriminator loss.

    Each real sample is paired with one generated sample, and the
    discriminator scores their difference.

    Formula:
        loss = E[softplus(-(D(x) - D(G(z))))] = -E[log sigmoid(D(x) - D(G(z)))]

    References:
        Jolicoeur-Martineau. "The relativistic discriminator: a key element
        missing from standard GAN." ICLR 2019, Eq. 8 (f = -log sigmoid).
        Huang, Gokaslan, Kuleshov, Tompkin. "The GAN is dead; long live the
        GAN! A Modern GAN Baseline." NeurIPS 2024, Eq. 2 (R3GAN).
    """
    real = _f32(discriminator_real_outputs)
    fake = _f32(discriminator_gen_outputs)
    return ops.mean(ops.softplus(fake - real))


def relativistic_generator_loss(discriminator_real_outputs, discriminator_gen_outputs):
    """RpGAN generator loss: the discriminator's loss with the pair swapped.

    Formula:
        loss = E[softplus(-(D(G(z)) - D(x)))]

    References:
        Jolicoeur-Martineau 2019, Eq. 9; Huang et al. 2024, Eq. 2.
    """
    real = _f32(discriminator_real_outputs)
    fake = _f32(discriminator_gen_outputs)
    return ops.mean(ops.softplus(real - fake))
