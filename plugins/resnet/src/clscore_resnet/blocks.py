"""Residual blocks, their shortcut, stochastic depth, and the conv-norm-ReLU unit of the deep stem.

Attribute names follow torchvision (``conv1``/``bn1``/…/``downsample``), so torchvision and
MMClassification state dicts load without renaming.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal

import torch
import torch.utils.checkpoint as cp
from torch import nn

from clscore_resnet.norm import build_norm

Style = Literal["pytorch", "caffe"]
STYLES: tuple[str, ...] = ("pytorch", "caffe")


class DropPath(nn.Module):
    """Stochastic depth: drops a sample's whole residual branch with probability ``drop_prob``."""

    def __init__(self, drop_prob: float = 0.0) -> None:
        super().__init__()
        if not 0.0 <= drop_prob < 1.0:
            raise ValueError(f"drop path rate must be in [0, 1), got {drop_prob}")
        self.drop_prob = drop_prob

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.drop_prob == 0.0:
            return x
        keep = 1.0 - self.drop_prob
        mask = x.new_empty((x.shape[0],) + (1,) * (x.ndim - 1)).bernoulli_(keep)
        return x * mask / keep

    def extra_repr(self) -> str:
        return f"drop_prob={self.drop_prob:.3f}"


class ConvNormAct(nn.Sequential):
    """conv (no bias) -> norm -> ReLU, named ``conv``/``bn``/``activate`` as MMCV's ConvModule."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        norm_cfg: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride, kernel_size // 2, bias=False)
        self.bn = build_norm(norm_cfg, out_channels)
        self.activate = nn.ReLU(inplace=True)


def conv3x3(in_channels: int, out_channels: int, stride: int = 1, dilation: int = 1) -> nn.Conv2d:
    return nn.Conv2d(in_channels, out_channels, 3, stride, padding=dilation, dilation=dilation, bias=False)


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
        self.bn1 = build_norm(norm_cfg, out_channels)
        self.conv2 = conv3x3(out_channels, out_channels)
        self.bn2 = build_norm(norm_cfg, out_channels)
        self._add_shortcut(downsample, with_cp, drop_path_rate)

    def residual_branch(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        return self.bn2(self.conv2(out))


class Bottleneck(ResidualBlock):
    """1x1 reduce, 3x3, 1x1 expand (ResNet-50/101/152).

    ``style`` places the stride: ``pytorch`` on the 3x3 conv (torchvision, "ResNet v1.5"), ``caffe``
    on the first 1x1 conv (the original paper).
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
    ) -> None:
        super().__init__()
        if style not in STYLES:
            raise ValueError(f"style must be one of {STYLES}, got {style!r}")
        if expansion <= 0 or out_channels % expansion:
            raise ValueError(f"out_channels {out_channels} is not a multiple of expansion {expansion}")
        mid_channels = out_channels // expansion
        self.stride = stride
        conv1_stride, conv2_stride = (1, stride) if style == "pytorch" else (stride, 1)
        self.conv1 = conv1x1(in_channels, mid_channels, conv1_stride)
        self.bn1 = build_norm(norm_cfg, mid_channels)
        self.conv2 = conv3x3(mid_channels, mid_channels, conv2_stride, dilation)
        self.bn2 = build_norm(norm_cfg, mid_channels)
        self.conv3 = conv1x1(mid_channels, out_channels)
        self.bn3 = build_norm(norm_cfg, out_channels)
        self._add_shortcut(downsample, with_cp, drop_path_rate)

    def residual_branch(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        return self.bn3(self.conv3(out))


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
    layers += [conv1x1(in_channels, out_channels, conv_stride), build_norm(norm_cfg, out_channels)]
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
