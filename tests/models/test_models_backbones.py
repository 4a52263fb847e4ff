"""The core's LeNet5 backbone."""

from __future__ import annotations

import pytest
import torch

from clscore.models.backbones import LeNet5


def test_lenet_feature_map():
    model = LeNet5(in_channels=3)
    out = model(torch.rand(2, 3, 32, 32))
    assert isinstance(out, tuple) and len(out) == 1
    assert out[0].shape == (2, 120, 1, 1)
    assert model.out_channels == [120]
    assert model(torch.rand(1, 3, 64, 48))[0].shape == (1, 120, 9, 5)


def test_lenet_takes_one_channel_as_mmclassification():
    model = LeNet5(num_classes=10)
    assert model.features[0].weight.shape == (6, 1, 5, 5)  # MMClassification's checkpoints fit
    assert model(torch.rand(1, 1, 32, 32))[0].shape == (1, 10)
    assert model(torch.rand(3, 1, 40, 40))[0].shape == (3, 10)
    assert model.out_channels == [10]


def test_one_channel_lenet_reads_rgb_as_its_luma():
    model = LeNet5(num_classes=10).eval()
    grey = torch.rand(2, 1, 32, 32)
    torch.testing.assert_close(model(grey.expand(-1, 3, -1, -1))[0], model(grey)[0])  # grey stored as RGB
    rgb = torch.rand(2, 3, 32, 32)
    luma = 0.299 * rgb[:, :1] + 0.587 * rgb[:, 1:2] + 0.114 * rgb[:, 2:]
    torch.testing.assert_close(model(rgb)[0], model(luma)[0])


def test_lenet_channel_and_size_mistakes():
    with pytest.raises(ValueError, match="at least 32"):
        LeNet5()(torch.rand(1, 3, 8, 8))
    with pytest.raises(
        ValueError,
        match=r"built for 3-channel images but got 1 channels; set model\.backbone\.in_channels: 1",
    ):
        LeNet5(in_channels=3)(torch.rand(1, 1, 32, 32))
    with pytest.raises(ValueError, match="built for 1-channel images but got 4"):
        LeNet5()(torch.rand(1, 4, 32, 32))
