"""conv → norm → activation, the unit most CNN backbones are made of (MMCV's ``ConvModule`` names)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import torch
from torch import nn

from clscore.layers._activation import ActCfg, build_activation_layer
from clscore.layers._norm import NormCfg, build_norm_layer, check_norm_cfg, norm_family

_ABBREVIATIONS = {"BN": "bn", "SyncBN": "bn", "GN": "gn", "LN": "ln", "IN": "in"}


def norm_layer_name(cfg: NormCfg | None) -> str:
    """MMCV's attribute name for a norm layer of this type (``bn``, ``gn``, ``ln``, ``in``).

    State dicts written by MMCV-based projects use it, e.g. ``stem.0.bn.weight``.
    """
    return _ABBREVIATIONS[norm_family(check_norm_cfg(cfg)["type"], dims=2)]


class ConvModule(nn.Module):
    """A 2-d convolution, then an optional norm layer and an optional activation.

    Attributes are named as in MMCV (``conv``, ``bn``/``gn``/…, ``activate``), so MMClassification
    weights load by name. ``bias="auto"`` gives the convolution a bias only when there is no norm
    layer; ``padding`` defaults to ``dilation * (kernel_size // 2)`` ("same" for odd kernels).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int | None = None,
        dilation: int = 1,
        groups: int = 1,
        bias: bool | Literal["auto"] = "auto",
        norm_cfg: Mapping[str, Any] | None = None,
        act_cfg: ActCfg | None = {"type": "ReLU", "inplace": True},  # noqa: B006
    ) -> None:
        super().__init__()
        if padding is None:
            padding = dilation * (kernel_size // 2)
        with_bias = norm_cfg is None if bias == "auto" else bool(bias)
        self.conv = nn.Conv2d(
            in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias=with_bias
        )
        self.norm_name: str | None = None
        if norm_cfg is not None:
            self.norm_name = norm_layer_name(norm_cfg)
            self.add_module(self.norm_name, build_norm_layer(norm_cfg, out_channels))
        self.activate = build_activation_layer(act_cfg) if act_cfg is not None else None

    @property
    def norm(self) -> nn.Module | None:
        return None if self.norm_name is None else getattr(self, self.norm_name)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv(x)
        norm = self.norm
        if norm is not None:
            x = norm(x)
        if self.activate is not None:
            x = self.activate(x)
        return x
