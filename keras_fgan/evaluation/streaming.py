"""Streaming evaluation: sample sources read one batch at a time, running statistics.

Evaluating 10,000 generated images must not hold 10,000 images in memory. A
*sample source* is read one batch at a time:

- an array (NumPy, or anything `np.asarray` accepts that has a `shape`):
  sliced into batches;
- a model with `generate(n, seed=...)` (the keras-fgan models), or any callable
  `fn(n, seed=...)`: called once per batch with a per-batch seed;
- any other iterable of batches (a list, a Python generator, a
  `tf.data.Dataset`, a torch `DataLoader`); an `(x, y)` item uses `x`.

Each batch is turned into features (classifier features for images, the values
themselves for 2-D arrays) and folded into a `FeatureStatistics`, which keeps
the running mean and covariance in float64 and, only when asked, the feature
bank (N x feature_dim) that precision/recall need.
"""

import numpy as np

from keras_fgan.arguments import check_integer


class FeatureStatistics:
    """Running mean and covariance of feature vectors, in float64.

    Batches are merged with the pairwise update of Chan, Golub and LeVeque
    (sum and centred outer-product sum), which matches `np.cov` of the
    concatenated features without holding them.

    Args:
        keep_features: if True, also keep every feature vector (float32), for
            the k-NN metrics (precision/recall, density/coverage).

    Attributes:
        n: number of vectors seen.
        dim: feature dimension (None before the first update).

    References:
        Chan, Golub and LeVeque, 1979. "Updating Formulae and a Pairwise
        Algorithm for Computing Sample Variances".
    """

    def __init__(self, keep_features=False):
        self.keep_features = bool(keep_features)
        self.n = 0
        self.dim = None
        self._mean = None
        self._m2 = None  # sum of outer products of deviations from the mean
        self._bank = []

    @classmethod
    def from_features(cls, features, keep_features=False):
        """Returns statistics of a (N, D) feature array."""
        return cls(keep_features=keep_features).update(features)

    def update(self, features):
        """Folds a (B, D) batch of features into the statistics.

        Args:
            features: array-like of shape (B, D).

        Returns:
            self.
        """
        features = np.asarray(features)
        if features.ndim != 2:
            raise ValueError(f"features must have shape (batch, dim), got {features.shape}.")
        if self.dim is not None and features.shape[1] != self.dim:
            raise ValueError(
                f"features have dimension {features.shape[1]}, but earlier batches "
                f"had {self.dim}."
            )
        if not np.all(np.isfinite(features)):
            raise ValueError("features contain NaN or infinite values.")
        b = features.shape[0]
        if b == 0:
            return self
        x = features.astype(np.float64)
        batch_mean = x.mean(axis=0)
        centred = x - batch_mean
        batch_m2 = centred.T @ centred
        if self.n == 0:
            self.dim = x.shape[1]
            self._mean, self._m2 = batch_mean, batch_m2
        else:
            total = self.n + b
            delta = batch_mean - self._mean
            self._mean = self._mean + delta * (b / total)
            self._m2 = self._m2 + batch_m2 + np.outer(delta, delta) * (self.n * b / total)
        self.n += b
        if self.keep_features:
            self._bank.append(np.asarray(features, dtype=np.float32))
        return self

    @property
    def mean(self):
        """The (D,) float64 mean."""
        self._check_nonempty(1)
        return self._mean.copy()

    @property
    def covariance(self):
        """The (D, D) float64 unbiased covariance (as `np.cov(features, rowvar=False)`)."""
        self._check_nonempty(2)
        return self._m2 / (self.n - 1)

    @property
    def features(self):
        """The kept (N, D) float32 feature bank (needs `keep_features=True`)."""
        if not self.keep_features:
            raise ValueError("These statistics were built with keep_features=False.")
        if not self._bank:
            return np.zeros((0, self.dim or 0), np.float32)
        if len(self._bank) > 1:
            self._bank = [np.concatenate(self._bank)]
        return self._bank[0]

    def _check_nonempty(self, minimum):
        if self.n < minimum:
            raise ValueError(f"Need at least {minimum} feature vector(s), have {self.n}.")

    def __repr__(self):
        return f"FeatureStatistics(n={self.n}, dim={self.dim}, keep_features={self.keep_features})"


def batch_seed(seed, index):
    """The seed of batch `index` when a source is sampled with `seed`.

    Batch 0 uses `seed` itself (so one batch equals `generate(n, seed=seed)`);
    later batches use independent seeds derived with `np.random.SeedSequence`.
    """
    if index == 0:
        return int(seed)
    return int(np.random.SeedSequence([int(seed), int(index)]).generate_state(1)[0] >> 1)


def _is_array(source):
    return hasattr(source, "shape") and hasattr(source, "__len__") and not callable(source)


def iter_batches(source, num_samples=None, batch_size=500, seed=0):
    """Yields NumPy batches from a sample source (see the module docstring).

    Args:
        source: an array, a model with `generate(n, seed=...)`, a callable
            `fn(n, seed=...)`, or an iterable of batches.
        num_samples: total number of samples to read. Required for models and
            callables; for arrays and iterables, the default reads everything.
        batch_size: samples per batch for arrays, models and callables
            (batches of an iterable keep their own size).
        seed: base seed for models and callables (see `batch_seed`).

    Yields:
        NumPy arrays, each at most one batch.
    """
    batch_size = check_integer("batch_size", batch_size)
    num_samples = check_integer("num_samples", num_samples, low=0, allow_none=True)

    generate = getattr(source, "generate", None)
    if generate is None and callable(source) and not _is_array(source):
        generate = source
    if generate is not None and callable(generate):
        if num_samples is None:
            raise ValueError(
                "num_samples is required when the source is a model or a callable "
                "(how many samples to generate)."
            )
        done, index = 0, 0
        while done < num_samples:
            n = min(batch_size, num_samples - done)
            batch = np.asarray(generate(n, seed=batch_seed(seed, index)))
            if batch.shape[:1] != (n,):
                raise ValueError(
                    f"generate({n}, seed=...) returned shape {batch.shape}; expected "
                    f"{n} samples along the first axis."
                )
            yield batch
            done += n
            index += 1
        return

    if _is_array(source):
        array = source
        total = len(array) if num_samples is None else min(num_samples, len(array))
        if num_samples is not None and num_samples > len(array):
            raise ValueError(
                f"num_samples={num_samples} but the array holds only {len(array)} samples."
            )
        for start in range(0, total, batch_size):
            yield np.asarray(array[start : min(start + batch_size, total)])
        return

    try:
        iterator = iter(source)
    except TypeError:
        raise ValueError(
            f"Cannot read samples from a {type(source).__name__}: pass an array, "
            "a model with generate(n, seed=...), a callable fn(n, seed=...), or an "
            "iterable of batches."
        ) from None
    done = 0
    for item in iterator:
        if num_samples is not None and done >= num_samples:
            break
        if isinstance(item, (tuple, list)):
            item = item[0]
        batch = np.asarray(item)
        if num_samples is not None:
            batch = batch[: num_samples - done]
        done += len(batch)
        yield batch
    if num_samples is not None and done < num_samples:
        raise ValueError(f"The iterable ran out after {done} of num_samples={num_samples}.")


def feature_statistics(
    source,
    num_samples=None,
    batch_size=500,
    seed=0,
    keep_features=False,
    feature_extractor=None,
):
    """Streams a sample source into a `FeatureStatistics`.

    A batch with 2 dimensions is used as features directly; image batches
    ((B, 28, 28, 1) or (B, 28, 28)) go through `feature_extractor`, by default
    the shipped Fashion-MNIST classifier's penultimate layer. At most one batch
    of samples is held at a time.

    Args:
        source: see `iter_batches`; a `FeatureStatistics` is returned as is.
        num_samples: how many samples to read (required for models/callables).
        batch_size: samples per batch.
        seed: base seed for models and callables.
        keep_features: keep the feature bank (for k-NN metrics).
        feature_extractor: callable mapping an image batch to (B, D) features.

    Returns:
        A `FeatureStatistics`.
    """
    if isinstance(source, FeatureStatistics):
        if keep_features and not source.keep_features:
            raise ValueError(
                "These FeatureStatistics have no feature bank; build them with "
                "keep_features=True for the k-NN metrics."
            )
        return source
    stats = FeatureStatistics(keep_features=keep_features)
    for batch in iter_batches(source, num_samples, batch_size, seed):
        stats.update(to_features(batch, feature_extractor, batch_size))
    if stats.n == 0:
        raise ValueError("The sample source produced no samples.")
    return stats


def to_features(batch, feature_extractor=None, batch_size=500):
    """Features of one batch: the batch itself if 2-D, else classifier features."""
    batch = np.asarray(batch)
    if batch.ndim == 2:
        return batch
    if feature_extractor is not None:
        return np.asarray(feature_extractor(batch))
    from keras_fgan.evaluation.classifier import extract_features

    return extract_features(batch, batch_size=batch_size)
