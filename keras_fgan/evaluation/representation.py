"""Representation quality of an encoder's features: linear probe and 1-NN.

The evaluation of Donahue, Kraehenbuehl & Darrell, "Adversarial Feature
Learning" (ICLR 2017, Sec. 4.1): classifiers are fitted on the features of
labelled training images and scored on the features of test images, the
encoder itself being trained without labels. Two classifiers are used: a
logistic-regression probe (how linearly separable the classes are) and the
1-nearest-neighbour rule the paper reports. Features are standardised with the
training features' mean and standard deviation first, so that neither
classifier depends on the scale the encoder happens to output.
"""

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler


def _check_split(name, features, labels):
    features = np.asarray(features, dtype="float64")
    labels = np.asarray(labels)
    if features.ndim != 2:
        raise ValueError(f"{name} features must be 2-D (samples, features); got shape {features.shape}.")
    if labels.shape != (features.shape[0],):
        raise ValueError(
            f"{name} labels must be 1-D with one label per feature row ({features.shape[0]}); "
            f"got shape {labels.shape}."
        )
    if not np.all(np.isfinite(features)):
        raise ValueError(f"{name} features contain NaN or infinite values.")
    return features, labels


def probe_accuracy(features_train, labels_train, features_test, labels_test, max_iter=3000):
    """Test accuracy of a logistic-regression probe and of 1-NN on features.

    Args:
        features_train: `(n_train, d)` features of the labelled training images.
        labels_train: `(n_train,)` their class labels (at least two classes).
        features_test: `(n_test, d)` features of the test images.
        labels_test: `(n_test,)` their labels.
        max_iter: iteration limit of the logistic regression (L-BFGS).

    Returns:
        `{"linear_probe_accuracy": float, "knn1_accuracy": float}`, fractions
        of test images classified correctly.
    """
    f_train, y_train = _check_split("training", features_train, labels_train)
    f_test, y_test = _check_split("test", features_test, labels_test)
    if f_train.shape[1] != f_test.shape[1]:
        raise ValueError(
            f"training and test features differ in width: {f_train.shape[1]} vs {f_test.shape[1]}."
        )
    if np.unique(y_train).size < 2:
        raise ValueError("the training labels must contain at least two classes.")
    scaler = StandardScaler().fit(f_train)
    f_train, f_test = scaler.transform(f_train), scaler.transform(f_test)
    logistic = LogisticRegression(max_iter=max_iter).fit(f_train, y_train)
    nearest = KNeighborsClassifier(n_neighbors=1).fit(f_train, y_train)
    return {
        "linear_probe_accuracy": float(logistic.score(f_test, y_test)),
        "knn1_accuracy": float(nearest.score(f_test, y_test)),
    }
