"""Normalisation layers from an MMCV-style ``norm_cfg``: ``{type: BN, requires_grad: true, eps: 1e-5}``.

One table for every component, so a key means the same in a backbone, a neck and a head. The type
picks the family and the caller says what its input looks like (``dims``: 1 for ``(N, C)`` or
``(N, C, L)``, 2 for ``(N, C, H, W)``, 3 for volumes); a suffixed type (``BN1d``, ``BN2d``, ``IN2d``)
is accepted where it agrees with ``dims``, so ``{type: BN2d}`` in a linear head is an error, not a
crash at the first batch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import torch
from torch import nn

from clscore.layers._names import unknown_type

logger = logging.getLogger("clscore")

NormCfg = Mapping[str, Any]

#: The default of every ResNet-style backbone (MMCV's).
DEFAULT_NORM_CFG: dict[str, Any] = {"type": "BN", "requires_grad": True}

_BATCH_NORMS: dict[int, type[nn.Module]] = {1: nn.BatchNorm1d, 2: nn.BatchNorm2d, 3: nn.BatchNorm3d}
_INSTANCE_NORMS: dict[int, type[nn.Module]] = {
    1: nn.InstanceNorm1d,
    2: nn.InstanceNorm2d,
    3: nn.InstanceNorm3d,
}
_FAMILIES = ("BN", "SyncBN", "GN", "LN", "IN")
_SUFFIXED = {f"{family}{d}d": (family, d) for family in ("BN", "IN") for d in (1, 2, 3)}
NORM_TYPES: tuple[str, ...] = _FAMILIES + tuple(_SUFFIXED)

_warned: set[str] = set()


class LayerNorm2d(nn.LayerNorm):
    """LayerNorm over the channels of a ``(N, C, H, W)`` map (each pixel normalised on its own)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


def _warn_once(key: str, message: str) -> None:
    if key not in _warned:
        _warned.add(key)
        logger.warning(message)


def _sync_bn_unavailable() -> str | None:
    """Why ``SyncBN`` cannot synchronise in this process, or ``None`` when it can."""
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()):
        return "this run is not distributed"
    if dist.get_backend() == "gloo":
        return "the gloo backend (CPU) has no SyncBatchNorm"
    return None


def _group_norm(num_features: int, dims: int, kwargs: dict[str, Any]) -> nn.Module:
    if "num_groups" not in kwargs:
        raise ValueError("norm_cfg of type GN needs num_groups, e.g. {type: GN, num_groups: 32}")
    return nn.GroupNorm(num_channels=num_features, **kwargs)


def _layer_norm(num_features: int, dims: int, kwargs: dict[str, Any]) -> nn.Module:
    return (LayerNorm2d if dims == 2 else nn.LayerNorm)(num_features, **kwargs)


def _batch_norm(num_features: int, dims: int, kwargs: dict[str, Any]) -> nn.Module:
    return _BATCH_NORMS[dims](num_features, **kwargs)


def _sync_batch_norm(num_features: int, dims: int, kwargs: dict[str, Any]) -> nn.Module:
    reason = _sync_bn_unavailable()
    if reason is None:
        return nn.SyncBatchNorm(num_features, **kwargs)
    _warn_once(
        f"SyncBN:{reason}",
        f"norm_cfg type SyncBN: {reason}, so BatchNorm is used instead (statistics per process)",
    )
    return _BATCH_NORMS[dims](num_features, **kwargs)


def _instance_norm(num_features: int, dims: int, kwargs: dict[str, Any]) -> nn.Module:
    return _INSTANCE_NORMS[dims](num_features, **kwargs)


_BUILDERS: dict[str, Callable[[int, int, dict[str, Any]], nn.Module]] = {
    "BN": _batch_norm,
    "SyncBN": _sync_batch_norm,
    "GN": _group_norm,
    "LN": _layer_norm,
    "IN": _instance_norm,
}


def norm_family(layer_type: Any, dims: int) -> str:
    """The family (``BN``, ``SyncBN``, ``GN``, ``LN``, ``IN``) of a type used on ``dims``-d inputs."""
    if layer_type in _BUILDERS:
        return layer_type
    if layer_type in _SUFFIXED:
        family, suffix_dims = _SUFFIXED[layer_type]
        if suffix_dims != dims:
            raise ValueError(
                f"norm_cfg type {layer_type} normalises {suffix_dims}-d inputs but this layer sees "
                f"{dims}-d ones; use {family} (or {family}{dims}d)"
            )
        return family
    raise unknown_type("norm_cfg", layer_type, NORM_TYPES)


def check_norm_cfg(cfg: NormCfg | None, dims: int = 2) -> dict[str, Any]:
    """``cfg`` with MMCV's defaults filled in (``None`` is ``{type: BN, requires_grad: true}``).

    Raises ``ValueError`` for an unknown type or one whose dimension disagrees with ``dims``.
    """
    if cfg is None:
        cfg = DEFAULT_NORM_CFG
    if not isinstance(cfg, Mapping):
        raise ValueError(f"norm_cfg must be a mapping like {{type: BN}}, got {cfg!r}")
    checked = {"type": "BN", "requires_grad": True, **cfg}
    norm_family(checked["type"], dims)
    return checked


def build_norm_layer(cfg: NormCfg | None, num_features: int, dims: int = 2) -> nn.Module:
    """A normalisation layer over ``num_features`` channels for ``dims``-d inputs.

    Types: ``BN`` (BatchNorm), ``SyncBN`` (SyncBatchNorm in a distributed CUDA run, else BatchNorm
    with one warning), ``GN`` (GroupNorm, needs ``num_groups``), ``LN`` (LayerNorm over the
    channels), ``IN`` (InstanceNorm). ``requires_grad: false`` freezes the affine parameters; the
    other keys (``eps``, ``momentum``, ``affine``…) are the layer's own.
    """
    if dims not in _BATCH_NORMS:
        raise ValueError(f"dims must be 1, 2 or 3, got {dims!r}")
    kwargs = check_norm_cfg(cfg, dims)
    layer_type = kwargs.pop("type")
    requires_grad = bool(kwargs.pop("requires_grad"))
    try:
        layer = _BUILDERS[norm_family(layer_type, dims)](num_features, dims, kwargs)
    except TypeError as exc:
        raise ValueError(f"norm_cfg {dict(cfg or {})!r}: {exc}") from exc
    for param in layer.parameters():
        param.requires_grad = requires_grad
    return layer
