"""Activation layers from an MMCV-style ``act_cfg``: ``{type: ReLU, inplace: true}``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from torch import nn

from clscore.layers._names import unknown_type

ActCfg = Mapping[str, Any]

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
    "Softplus": nn.Softplus,
    "Mish": nn.Mish,
}
ACTIVATION_TYPES: tuple[str, ...] = tuple(_ACTIVATIONS)


def build_activation_layer(cfg: ActCfg | None) -> nn.Module:
    """An activation module from ``{type: ReLU, ...}``; ``None`` means none (an identity).

    The other keys are the layer's own (``inplace``, ``negative_slope``…). ``Swish`` is SiLU,
    ``HSwish``/``HSigmoid`` are the hard variants, as in MMCV.
    """
    if cfg is None:
        return nn.Identity()
    if not isinstance(cfg, Mapping) or "type" not in cfg:
        raise ValueError(f"act_cfg must be a mapping with a 'type' key, got {cfg!r}")
    kwargs = dict(cfg)
    name = kwargs.pop("type")
    factory = _ACTIVATIONS.get(name)
    if factory is None:
        raise unknown_type("act_cfg", name, ACTIVATION_TYPES)
    try:
        return factory(**kwargs)
    except TypeError as exc:
        raise ValueError(f"act_cfg {dict(cfg)!r}: {exc}") from exc
