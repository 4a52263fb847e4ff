"""The core's LeNet5 backbone."""

from __future__ import annotations

import pytest
import torch

from clscore.models.backbones import LeNet5


def test_lenet_feature_map():
    model = LeNet5()
    out = model(torch.rand(2, 3, 32, 32))
    assert isinstance(out, tuple) and len(out) == 1
    assert out[0].shape == (2, 120, 1, 1)
    assert model.out_channels == [120]
    assert model(torch.rand(1, 3, 64, 48))[0].shape == (1, 120, 9, 5)


def test_lenet_with_classifier_and_one_channel():
    model = LeNet5(num_classes=10, in_channels=1)
    assert model(torch.rand(1, 1, 32, 32))[0].shape == (1, 10)
    assert model(torch.rand(3, 1, 40, 40))[0].shape == (3, 10)
    assert model.out_channels == [10]


def test_lenet_too_small_input():
    with pytest.raises(ValueError, match="at least 32"):
        LeNet5()(torch.rand(1, 3, 8, 8))
