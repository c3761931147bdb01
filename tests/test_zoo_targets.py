"""The zoo's quality targets (`keras_fgan.zoo.targets`): one definition for
cards, README tables, sweeps and the docs' gallery."""

import ast
from pathlib import Path

import pytest

from keras_fgan.zoo import targets

SEEDS_MET = [{"modes": 8, "high_quality": 0.95}, {"modes": 8, "high_quality": 0.9}]


def test_mixture_target_needs_every_mode_at_the_quality_on_every_seed():
    assert targets.meets_mixture_target(SEEDS_MET, num_modes=8)
    assert not targets.meets_mixture_target(SEEDS_MET + [{"modes": 7, "high_quality": 0.99}], num_modes=8)
    assert not targets.meets_mixture_target(SEEDS_MET + [{"modes": 8, "high_quality": 0.8999}], num_modes=8)
    assert not targets.meets_mixture_target([], num_modes=8)


@pytest.mark.parametrize("metrics, met", [
    ({"frechet_distance": 2.0, "precision": 0.8, "recall": 0.6}, True),
    ({"frechet_distance": 1.17, "precision": 0.885, "recall": 0.783}, True),
    ({"frechet_distance": 2.01, "precision": 0.9, "recall": 0.9}, False),
    ({"frechet_distance": 1.0, "precision": 0.79, "recall": 0.9}, False),
    ({"frechet_distance": 1.0, "precision": 0.9, "recall": 0.59}, False),
    ({"frechet_distance": 1.0, "precision": 0.9}, False),
    ({}, False),
])
def test_image_target_needs_all_three_figures(metrics, met):
    assert targets.meets_image_target(metrics) is met


def test_target_texts_state_the_numbers():
    assert targets.MIXTURE_TARGET == "all modes, >= 90% high quality"
    assert targets.IMAGE_TARGET == "FD <= 2, precision >= 0.8, recall >= 0.6"


def test_module_imports_nothing():
    # docs/hooks.py loads the file on its own, without Keras or the package.
    tree = ast.parse(Path(targets.__file__).read_text())
    assert not [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]
