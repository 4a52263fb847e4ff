from __future__ import annotations

import pytest
import torch
from torch import nn

from clscore_resnet import ResNet_CIFAR
from resnet_test_utils import is_frozen, norms_in_eval


def test_deep_stem_is_rejected() -> None:
    with pytest.raises(ValueError, match="deep_stem"):
        ResNet_CIFAR(18, deep_stem=True)


@pytest.mark.parametrize(("depth", "channels"), [(18, [64, 128, 256, 512]), (50, [256, 512, 1024, 2048])])
def test_shapes_at_32(depth: int, channels: list[int]) -> None:
    model = ResNet_CIFAR(depth, out_indices=(0, 1, 2, 3))
    img = torch.randn(1, 3, 32, 32)
    assert model.conv1.kernel_size == (3, 3) and model.conv1.stride == (1, 1)
    assert isinstance(model.maxpool, nn.Identity)
    assert tuple(model.conv1(img).shape) == (1, 64, 32, 32)
    outs = model(img)
    assert [tuple(o.shape) for o in outs] == [(1, c, s, s) for c, s in zip(channels, [32, 16, 8, 4])]
    assert model.out_channels == channels


def test_frozen_stages() -> None:
    model = ResNet_CIFAR(18, frozen_stages=1).train()
    assert is_frozen(model.conv1) and is_frozen(model.bn1) and not model.bn1.training
    assert is_frozen(model.layer1) and norms_in_eval(model.layer1)
