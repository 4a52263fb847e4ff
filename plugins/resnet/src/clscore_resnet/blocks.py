"""Residual blocks and their shortcut: ResNet's basic and bottleneck blocks, ResNeXt's grouped
bottleneck and the squeeze-and-excitation bottleneck of SE-ResNet(X)t.

Attribute names follow torchvision (``conv1``/``bn1``/…/``downsample``) and MMClassification
(``se_layer.conv1.conv``), so their state dicts load without renaming.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal

import torch
import torch.utils.checkpoint as cp
from clscore.layers import DropPath, build_norm_layer
from torch import nn

from clscore_resnet.se import SELayer

Style = Literal["pytorch", "caffe"]
STYLES: tuple[str, ...] = ("pytorch", "caffe")


def conv3x3(
    in_channels: int, out_channels: int, stride: int = 1, dilation: int = 1, groups: int = 1
) -> nn.Conv2d:
    return nn.Conv2d(
        in_channels, out_channels, 3, stride, padding=dilation, dilation=dilation, groups=groups, bias=False
    )


def conv1x1(in_channels: int, out_channels: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(in_channels, out_channels, 1, stride, bias=False)


def get_expansion(block: type[nn.Module], expansion: int | None = None) -> int:
    """``expansion`` if given, else the block class's own ``expansion``."""
    if expansion is not None:
        if isinstance(expansion, bool) or not isinstance(expansion, int):
            raise TypeError(f"expansion must be an int, got {expansion!r}")
        return expansion
    value = getattr(block, "expansion", None)
    if not isinstance(value, int):
        raise TypeError(f"{block.__name__} has no int 'expansion' attribute; pass expansion explicitly")
    return value


class ResidualBlock(nn.Module):
    """What both blocks share: ``relu(drop_path(residual(x)) + shortcut(x))``, optionally checkpointed.

    Subclasses build their layers, then call :meth:`_add_shortcut` (so modules print in torchvision's
    order), implement ``residual_branch`` and name their last norm layer in ``last_norm_name`` (the
    layer ``zero_init_residual`` zeroes).
    """

    expansion: ClassVar[int]
    last_norm_name: ClassVar[str]

    def _add_shortcut(self, downsample: nn.Module | None, with_cp: bool, drop_path_rate: float) -> None:
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.with_cp = with_cp
        self.drop_path = DropPath(drop_path_rate) if drop_path_rate > 0 else nn.Identity()

    @property
    def last_norm(self) -> nn.Module:
        return getattr(self, self.last_norm_name)

    def residual_branch(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def _forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        return self.drop_path(self.residual_branch(x)) + identity

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.with_cp and x.requires_grad:
            out = cp.checkpoint(self._forward, x, use_reentrant=False)
        else:
            out = self._forward(x)
        return self.relu(out)


class BasicBlock(ResidualBlock):
    """Two 3x3 convolutions (ResNet-18/34)."""

    expansion = 1
    last_norm_name = "bn2"

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        expansion: int = 1,
        stride: int = 1,
        dilation: int = 1,
        downsample: nn.Module | None = None,
        style: Style = "pytorch",
        with_cp: bool = False,
        norm_cfg: Mapping[str, Any] | None = None,
        drop_path_rate: float = 0.0,
    ) -> None:
        super().__init__()
        if expansion != 1:
            raise ValueError(f"BasicBlock supports expansion 1 only, got {expansion}")
        self.stride = stride
        self.conv1 = conv3x3(in_channels, out_channels, stride, dilation)
        self.bn1 = build_norm_layer(norm_cfg, out_channels)
        self.conv2 = conv3x3(out_channels, out_channels)
        self.bn2 = build_norm_layer(norm_cfg, out_channels)
        self._add_shortcut(downsample, with_cp, drop_path_rate)

    def residual_branch(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        return self.bn2(self.conv2(out))


def bottleneck_width(
    out_channels: int, expansion: int, groups: int, width_per_group: int, base_channels: int
) -> int:
    """The channels of a bottleneck's 3x3 conv.

    ResNet: ``out_channels / expansion``. ResNeXt (``groups > 1``): that, scaled by
    ``groups * width_per_group / base_channels``; e.g. 32x4d gives 128 in the first stage (out 256).
    """
    if expansion <= 0 or out_channels % expansion:
        raise ValueError(f"out_channels {out_channels} is not a multiple of expansion {expansion}")
    mid_channels = out_channels // expansion
    if groups == 1:
        return mid_channels
    if groups < 1 or width_per_group < 1 or mid_channels % base_channels:
        raise ValueError(
            f"groups={groups}, width_per_group={width_per_group} do not fit a stage of {mid_channels} "
            f"channels with base_channels={base_channels}"
        )
    return groups * width_per_group * mid_channels // base_channels


class Bottleneck(ResidualBlock):
    """1x1 reduce, 3x3, 1x1 expand (ResNet-50/101/152); with ``groups > 1`` ResNeXt's block.

    ``style`` places the stride: ``pytorch`` on the 3x3 conv (torchvision, "ResNet v1.5"), ``caffe``
    on the first 1x1 conv (the original paper). ``groups`` and ``width_per_group`` make the 3x3 conv
    a grouped one, ``groups * width_per_group`` channels wide in the first stage (ResNeXt-50 32x4d).
    """

    expansion = 4
    last_norm_name = "bn3"

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        expansion: int = 4,
        stride: int = 1,
        dilation: int = 1,
        downsample: nn.Module | None = None,
        style: Style = "pytorch",
        with_cp: bool = False,
        norm_cfg: Mapping[str, Any] | None = None,
        drop_path_rate: float = 0.0,
        groups: int = 1,
        width_per_group: int = 4,
        base_channels: int = 64,
    ) -> None:
        super().__init__()
        if style not in STYLES:
            raise ValueError(f"style must be one of {STYLES}, got {style!r}")
        mid_channels = bottleneck_width(out_channels, expansion, groups, width_per_group, base_channels)
        self.stride = stride
        conv1_stride, conv2_stride = (1, stride) if style == "pytorch" else (stride, 1)
        self.conv1 = conv1x1(in_channels, mid_channels, conv1_stride)
        self.bn1 = build_norm_layer(norm_cfg, mid_channels)
        self.conv2 = conv3x3(mid_channels, mid_channels, conv2_stride, dilation, groups)
        self.bn2 = build_norm_layer(norm_cfg, mid_channels)
        self.conv3 = conv1x1(mid_channels, out_channels)
        self.bn3 = build_norm_layer(norm_cfg, out_channels)
        self._add_shortcut(downsample, with_cp, drop_path_rate)

    def residual_branch(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        return self.bn3(self.conv3(out))


class SEBottleneck(Bottleneck):
    """A bottleneck whose residual is rescaled per channel by a squeeze-and-excitation layer.

    ``se_layer`` (Hu et al., 2018) sits after ``bn3``, before the shortcut is added; ``se_ratio``
    is its channel reduction.
    """

    def __init__(self, in_channels: int, out_channels: int, se_ratio: int = 16, **kwargs: Any) -> None:
        super().__init__(in_channels, out_channels, **kwargs)
        self.se_layer = SELayer(out_channels, ratio=se_ratio)

    def residual_branch(self, x: torch.Tensor) -> torch.Tensor:
        return self.se_layer(super().residual_branch(x))


def make_shortcut(
    in_channels: int,
    out_channels: int,
    stride: int,
    avg_down: bool,
    norm_cfg: Mapping[str, Any] | None,
) -> nn.Sequential | None:
    """The projection shortcut of a stage's first block, or ``None`` when the identity fits.

    ``avg_down`` (ResNet-D) moves the stride into an average pool so the 1x1 conv sees every pixel.
    """
    if stride == 1 and in_channels == out_channels:
        return None
    layers: list[nn.Module] = []
    conv_stride = stride
    if avg_down and stride != 1:
        conv_stride = 1
        layers.append(nn.AvgPool2d(stride, stride, ceil_mode=True, count_include_pad=False))
    layers += [conv1x1(in_channels, out_channels, conv_stride), build_norm_layer(norm_cfg, out_channels)]
    return nn.Sequential(*layers)


def make_res_layer(
    block: type[ResidualBlock],
    num_blocks: int,
    in_channels: int,
    out_channels: int,
    *,
    expansion: int,
    stride: int = 1,
    dilation: int = 1,
    avg_down: bool = False,
    drop_path_rates: Sequence[float] | None = None,
    **block_kwargs: Any,
) -> nn.Sequential:
    """One stage: the first block changes stride/channels, the rest keep them."""
    rates = list(drop_path_rates) if drop_path_rates is not None else [0.0] * num_blocks
    if len(rates) != num_blocks:
        raise ValueError(f"got {len(rates)} drop path rates for {num_blocks} blocks")
    shortcut = make_shortcut(in_channels, out_channels, stride, avg_down, block_kwargs.get("norm_cfg"))
    blocks = [
        block(
            in_channels if i == 0 else out_channels,
            out_channels,
            expansion=expansion,
            stride=stride if i == 0 else 1,
            dilation=dilation,
            downsample=shortcut if i == 0 else None,
            drop_path_rate=rates[i],
            **block_kwargs,
        )
        for i in range(num_blocks)
    ]
    return nn.Sequential(*blocks)
