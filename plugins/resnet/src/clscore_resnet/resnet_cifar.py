"""ResNet for small (32x32) images, as MMClassification's CIFAR models."""

from __future__ import annotations

from typing import Any

from clscore.layers import build_norm_layer
from torch import nn

from clscore_resnet.resnet import ResNet


class ResNet_CIFAR(ResNet):
    """ResNet whose stem is one 3x3 stride-1 conv with no max pooling: 32x32 input -> 32/16/8/4 maps."""

    def __init__(self, depth: int, deep_stem: bool = False, **kwargs: Any) -> None:
        if deep_stem:
            raise ValueError("ResNet_CIFAR does not support deep_stem; its stem is a single 3x3 conv")
        super().__init__(depth, deep_stem=False, **kwargs)

    def _make_stem(self, in_channels: int, stem_channels: int) -> None:
        self.conv1 = nn.Conv2d(in_channels, stem_channels, 3, stride=1, padding=1, bias=False)
        self.bn1 = build_norm_layer(self.norm_cfg, stem_channels)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.Identity()
