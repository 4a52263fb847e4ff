"""The squeeze-and-excitation layer (Hu et al., 2018), with MMClassification's names and widths."""

from __future__ import annotations

import torch
from clscore.layers import ConvModule
from torch import nn


def make_divisible(value: float, divisor: int = 8, min_ratio: float = 0.9) -> int:
    """``value`` rounded to the nearest multiple of ``divisor`` (at least ``divisor``), but never
    below ``min_ratio * value`` (then one ``divisor`` more)."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < min_ratio * value else rounded


class SELayer(nn.Module):
    """Rescale each channel by ``sigmoid(conv2(relu(conv1(global_avg_pool(x)))))``.

    ``conv1`` squeezes ``channels`` to ``make_divisible(channels // ratio, 8)`` (``channels / 16``
    for every ResNet stage), ``conv2`` expands back; both are 1x1 convolutions with a bias, named
    ``conv1.conv``/``conv2.conv`` as in MMClassification.
    """

    def __init__(self, channels: int, ratio: int = 16, squeeze_channels: int | None = None) -> None:
        super().__init__()
        if ratio < 1:
            raise ValueError(f"se_ratio must be a positive int, got {ratio!r}")
        squeeze = make_divisible(channels // ratio) if squeeze_channels is None else squeeze_channels
        self.global_avgpool = nn.AdaptiveAvgPool2d(1)
        self.conv1 = ConvModule(channels, squeeze, 1, act_cfg={"type": "ReLU", "inplace": True})
        self.conv2 = ConvModule(squeeze, channels, 1, act_cfg={"type": "Sigmoid"})

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.conv2(self.conv1(self.global_avgpool(x)))
