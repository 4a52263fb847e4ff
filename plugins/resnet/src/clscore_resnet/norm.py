"""Normalization layers from an MMCV-style ``norm_cfg`` dict: ``{type: BN, requires_grad: true, ...}``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from torch import nn

DEFAULT_NORM_CFG: dict[str, Any] = {"type": "BN", "requires_grad": True}


def _group_norm(num_features: int, **kwargs: Any) -> nn.Module:
    if "num_groups" not in kwargs:
        raise ValueError("norm_cfg of type GN needs num_groups, e.g. {type: GN, num_groups: 32}")
    return nn.GroupNorm(num_channels=num_features, **kwargs)


_NORM_LAYERS: dict[str, Callable[..., nn.Module]] = {
    "BN": nn.BatchNorm2d,
    "BN2d": nn.BatchNorm2d,
    "SyncBN": nn.SyncBatchNorm,
    "GN": _group_norm,
}


def check_norm_cfg(norm_cfg: Mapping[str, Any] | None) -> dict[str, Any]:
    """``norm_cfg`` with the defaults filled in; an unknown type raises ``ValueError``."""
    cfg = dict(DEFAULT_NORM_CFG if norm_cfg is None else norm_cfg)
    cfg.setdefault("type", "BN")
    cfg.setdefault("requires_grad", True)
    if cfg["type"] not in _NORM_LAYERS:
        raise ValueError(f"unknown norm_cfg type {cfg['type']!r}; use one of {', '.join(_NORM_LAYERS)}")
    return cfg


def build_norm(norm_cfg: Mapping[str, Any] | None, num_features: int) -> nn.Module:
    """A norm layer over ``num_features`` channels; the cfg's other keys (eps, momentum…) are passed on."""
    kwargs = check_norm_cfg(norm_cfg)
    layer_type = kwargs.pop("type")
    requires_grad = bool(kwargs.pop("requires_grad"))
    try:
        layer = _NORM_LAYERS[layer_type](num_features, **kwargs)
    except TypeError as exc:
        raise ValueError(f"norm_cfg {dict(norm_cfg or {})!r}: {exc}") from exc
    for param in layer.parameters():
        param.requires_grad = requires_grad
    return layer
