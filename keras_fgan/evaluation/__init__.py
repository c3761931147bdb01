"""Evaluation of generative models: sample quality and mode coverage.

- `mode_coverage`: modes captured and high-quality samples on 2-D mixtures.
- `frechet_distance`: Frechet distance in the shipped Fashion-MNIST
  classifier's feature space (also `frechet_distance_from_stats` and
  `frechet_distance_from_features`).
- `precision_recall`, `density_coverage`: k-NN fidelity/diversity metrics.
- `load_classifier`: the shipped classifier (sha256-checked); `class_balance`:
  how evenly generated images cover its ten classes.
- `FeatureStatistics`: running mean/covariance for streaming evaluation.
- `probe_accuracy`: linear-probe and 1-NN accuracy of an encoder's features
  (the BiGAN paper's representation protocol).
"""

from keras_fgan.evaluation.class_balance import class_balance
from keras_fgan.evaluation.classifier import build_classifier
from keras_fgan.evaluation.classifier import extract_features
from keras_fgan.evaluation.classifier import load_classifier
from keras_fgan.evaluation.frechet import frechet_distance
from keras_fgan.evaluation.frechet import frechet_distance_from_features
from keras_fgan.evaluation.frechet import frechet_distance_from_stats
from keras_fgan.evaluation.inception import inception_frechet_distance
from keras_fgan.evaluation.knn_metrics import density_coverage
from keras_fgan.evaluation.knn_metrics import precision_recall
from keras_fgan.evaluation.mode_coverage import mode_coverage
from keras_fgan.evaluation.representation import probe_accuracy
from keras_fgan.evaluation.streaming import FeatureStatistics
from keras_fgan.evaluation.streaming import feature_statistics
from keras_fgan.evaluation.divergence import estimate_divergence
