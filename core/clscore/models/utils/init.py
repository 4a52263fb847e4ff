"""Weight initialisation from MMCV-style ``init_cfg`` dicts.

Supported types: ``Normal``, ``TruncNormal``, ``Uniform``, ``Constant``, ``Xavier``, ``Kaiming``
(each needs ``layer``: a class name or list of names, matched against a module's class and its bases,
e.g. ``Linear``, ``Conv2d``, ``_BatchNorm``) and ``Pretrained`` (``checkpoint``, optional
``prefix``), which loads weights with :func:`clscore.engine.checkpoint.load_checkpoint`. A list
applies its entries in order. Unknown types and missing keys raise ``ValueError`` instead of being
silently ignored.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from torch import nn

InitCfg = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None


def _normal(m: nn.Module, mean: float = 0.0, std: float = 1.0) -> None:
    nn.init.normal_(m.weight, mean, std)


def _trunc_normal(m: nn.Module, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0) -> None:
    nn.init.trunc_normal_(m.weight, mean, std, a, b)


def _uniform(m: nn.Module, a: float = 0.0, b: float = 1.0) -> None:
    nn.init.uniform_(m.weight, a, b)


def _constant(m: nn.Module, val: float) -> None:
    nn.init.constant_(m.weight, val)


def _xavier(m: nn.Module, gain: float = 1.0, distribution: str = "normal") -> None:
    if distribution == "uniform":
        nn.init.xavier_uniform_(m.weight, gain=gain)
    else:
        nn.init.xavier_normal_(m.weight, gain=gain)


def _kaiming(
    m: nn.Module,
    a: float = 0.0,
    mode: str = "fan_out",
    nonlinearity: str = "relu",
    distribution: str = "normal",
) -> None:
    if distribution == "uniform":
        nn.init.kaiming_uniform_(m.weight, a=a, mode=mode, nonlinearity=nonlinearity)
    else:
        nn.init.kaiming_normal_(m.weight, a=a, mode=mode, nonlinearity=nonlinearity)


_INITS: dict[str, Callable[..., None]] = {
    "Normal": _normal,
    "TruncNormal": _trunc_normal,
    "Uniform": _uniform,
    "Constant": _constant,
    "Xavier": _xavier,
    "Kaiming": _kaiming,
}


def _class_names(module: nn.Module) -> set[str]:
    return {klass.__name__ for klass in type(module).__mro__}


def initialize(module: nn.Module, init_cfg: InitCfg) -> None:
    """Apply ``init_cfg`` (one dict, a list of dicts, or ``None`` for nothing) to ``module``."""
    if init_cfg is None:
        return
    cfgs = [init_cfg] if isinstance(init_cfg, Mapping) else list(init_cfg)
    for cfg in cfgs:
        _apply_one(module, cfg)


def _apply_one(module: nn.Module, cfg: Mapping[str, Any]) -> None:
    if not isinstance(cfg, Mapping) or "type" not in cfg:
        raise ValueError(f"init_cfg entries must be mappings with a 'type' key, got {cfg!r}")
    kwargs = dict(cfg)
    kind = kwargs.pop("type")
    if kind == "Pretrained":
        load_pretrained(module, **kwargs)
        return
    if kind not in _INITS:
        raise ValueError(f"unknown init_cfg type {kind!r}; use one of Pretrained, {', '.join(_INITS)}")
    layers = kwargs.pop("layer", None)
    if layers is None:
        raise ValueError(
            f"init_cfg of type {kind!r} needs a 'layer' key naming the layers, e.g. layer: Linear"
        )
    wanted = {layers} if isinstance(layers, str) else set(layers)
    bias = kwargs.pop("bias", 0.0)
    kwargs.pop("override", None)
    init_fn = _INITS[kind]
    for m in module.modules():
        if not (wanted & _class_names(m)):
            continue
        if getattr(m, "weight", None) is not None:
            init_fn(m, **kwargs)
        if getattr(m, "bias", None) is not None:
            nn.init.constant_(m.bias, bias)


def load_pretrained(
    module: nn.Module, checkpoint: str, prefix: str | None = None, map_location: str = "cpu"
) -> dict:
    """Load ``checkpoint`` into ``module``; with ``prefix``, only its ``prefix.`` keys, prefix stripped."""
    from clscore.engine.checkpoint import load_checkpoint  # the engine is optional at import time

    return load_checkpoint(module, checkpoint, map_location=map_location, strict=False, prefix=prefix)


def trunc_normal_fan_in_(layer: nn.Linear) -> None:
    """Truncated normal with ``std = sqrt(1 / fan_in)`` and zero bias (ViT's pre-logits layer)."""
    nn.init.trunc_normal_(layer.weight, std=math.sqrt(1.0 / layer.in_features))
    if layer.bias is not None:
        nn.init.zeros_(layer.bias)
