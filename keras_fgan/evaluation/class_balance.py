"""How evenly a Fashion-MNIST generator covers the ten classes.

The shipped classifier labels each generated image; the histogram of those
labels is compared with the histogram of its labels for real test images (so
the classifier's own confusions cancel). A model that draws too many
sneakers and almost no trousers can keep a good precision and recall yet have
a large Frechet distance: this says which classes are over- and
under-drawn. It is the image counterpart of the mode histogram of the 2-D
mode-coverage protocol (`keras_fgan.evaluation.mode_coverage`).

References:
    Santurkar, Schmidt and Madry, 2018. "A Classification-Based Study of
    Covariate Shift in GAN Distributions". ICML.
    https://arxiv.org/abs/1711.00970 (the class distribution of GAN
    samples, measured with a classifier trained on the real data).
"""

import numpy as np

from keras_fgan.arguments import check_integer
from keras_fgan.evaluation.classifier import check_images
from keras_fgan.evaluation.classifier import load_classifier


def predicted_classes(images, batch_size=500):
    """The shipped classifier's label (0-9) for each Fashion-MNIST image.

    Args:
        images: (N, 28, 28, 1) or (N, 28, 28) in [-1, 1].
        batch_size: images per forward pass.

    Returns:
        An int array (N,).
    """
    images = check_images(images)
    batch_size = check_integer("batch_size", batch_size)
    if len(images) == 0:  # Keras' predict fails on no input
        return np.zeros((0,), np.int64)
    logits = load_classifier().predict(images, batch_size=batch_size, verbose=0)
    return np.asarray(logits).argmax(axis=-1)


def class_balance(fake, real=None, *, num_samples=None, seed=0, batch_size=500):
    """Class histograms of generated and real images, and their distance.

    Args:
        fake: generated images, (N, 28, 28, 1) in [-1, 1], or a model
            (anything with `generate(n, seed=...)`).
        real: real images in the same form; by default the 10,000 test
            images (`kf.datasets.load("fashion_mnist", split="test")`).
        num_samples: images drawn from a model `fake` (default: as many as
            `real` holds).
        seed: seed of the images drawn from a model `fake`.
        batch_size: images per forward pass of the classifier.

    Returns:
        A dict:
            `class_names`: the ten class names;
            `fake_frequencies`, `real_frequencies`: the fraction of images
                given each class (lists of 10 floats summing to 1);
            `class_kl`: KL(fake || real) of the two histograms in nats (0 for
                the same histogram; a class the real images never get is
                smoothed with one pseudo-count);
            `worst_class_ratio`: the smallest fake/real frequency ratio over the
                classes (1.0 when no class is under-drawn; 0.0 when one is
                never drawn).

    Raises:
        ValueError: the images are not Fashion-MNIST-shaped, or empty.
    """
    from keras_fgan import datasets

    if real is None:
        real = datasets.load("fashion_mnist", split="test")
    if callable(getattr(fake, "generate", None)):
        n = check_integer("num_samples", num_samples, allow_none=True) or len(real)
        fake = fake.generate(n, seed=seed)
    names = datasets.FASHION_MNIST_CLASSES
    histograms = []
    for label, images in (("fake", fake), ("real", real)):
        classes = predicted_classes(images, batch_size)
        if len(classes) == 0:
            raise ValueError(f"class_balance needs at least one {label} image.")
        histograms.append(np.bincount(classes, minlength=len(names)) / len(classes))
    p, q = histograms
    q_smoothed = np.maximum(q, 1.0 / (len(real) + 1))
    present = p > 0
    return {
        "class_names": list(names),
        "fake_frequencies": [float(v) for v in p],
        "real_frequencies": [float(v) for v in q],
        "class_kl": float(np.sum(p[present] * np.log(p[present] / q_smoothed[present]))),
        "worst_class_ratio": float(np.min(p / q_smoothed)),
    }
