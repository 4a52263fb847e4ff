"""Activation and 1-D normalisation layers from MMCV-style configs (``{type: ReLU}``, ``{type: BN1d}``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from torch import nn

_ACTIVATIONS: dict[str, Callable[..., nn.Module]] = {
    "ReLU": nn.ReLU,
    "ReLU6": nn.ReLU6,
    "LeakyReLU": nn.LeakyReLU,
    "PReLU": nn.PReLU,
    "ELU": nn.ELU,
    "GELU": nn.GELU,
    "SiLU": nn.SiLU,
    "Swish": nn.SiLU,
    "HSwish": nn.Hardswish,
    "HSigmoid": nn.Hardsigmoid,
    "Sigmoid": nn.Sigmoid,
    "Tanh": nn.Tanh,
}

_NORMS_1D: dict[str, Callable[..., nn.Module]] = {
    "BN": nn.BatchNorm1d,
    "BN1d": nn.BatchNorm1d,
    "SyncBN": nn.SyncBatchNorm,
    "LN": nn.LayerNorm,
}


def _split(cfg: Mapping[str, Any], table: Mapping[str, Callable[..., nn.Module]], what: str):
    if not isinstance(cfg, Mapping) or "type" not in cfg:
        raise ValueError(f"{what} config must be a mapping with a 'type' key, got {cfg!r}")
    kwargs = dict(cfg)
    name = kwargs.pop("type")
    if name not in table:
        raise ValueError(f"unknown {what} type {name!r}; use one of {', '.join(sorted(table))}")
    return table[name], kwargs


def build_activation(cfg: Mapping[str, Any] | None) -> nn.Module:
    """An activation module from ``{type: ReLU, ...}``; ``None`` means no activation (identity)."""
    if cfg is None:
        return nn.Identity()
    factory, kwargs = _split(cfg, _ACTIVATIONS, "activation")
    return factory(**kwargs)


def build_norm1d(cfg: Mapping[str, Any] | None, num_features: int) -> nn.Module:
    """A normalisation layer over ``num_features`` from ``{type: BN1d, ...}``; ``None`` means none."""
    if cfg is None:
        return nn.Identity()
    factory, kwargs = _split(cfg, _NORMS_1D, "norm")
    kwargs.pop("requires_grad", None)
    return factory(num_features, **kwargs)
