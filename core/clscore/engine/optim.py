"""Building the optimizer from ``optimizer:``, with MMCV's ``paramwise_cfg`` rules.

Per-parameter multipliers (MMCV ``DefaultOptimizerConstructor`` semantics):
``custom_keys`` (longest key first, then alphabetical; a key matches when it is a substring of the
full parameter name) set ``lr_mult``/``decay_mult`` and exempt the parameter from the other rules;
otherwise biases outside norm layers get ``bias_lr_mult``, norm-layer parameters get
``norm_decay_mult``, depth-wise conv parameters ``dwconv_decay_mult``, other biases
``bias_decay_mult``. Parameters with the same options share one param group.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from clscore.errors import ConfigError
from clscore.plugins import build

_NORM_TYPES = (
    nn.modules.batchnorm._BatchNorm,
    nn.modules.instancenorm._InstanceNorm,
    nn.GroupNorm,
    nn.LayerNorm,
)
_PARAMWISE_KEYS = {
    "custom_keys",
    "bias_lr_mult",
    "bias_decay_mult",
    "norm_decay_mult",
    "dwconv_decay_mult",
    "bypass_duplicate",
}


def _param_options(
    name: str, module: nn.Module, base_lr: float, base_wd: float | None, paramwise: Mapping[str, Any]
) -> dict[str, float]:
    """The lr / weight_decay of one parameter (``name`` is its full dotted name)."""
    options: dict[str, float] = {}
    custom = paramwise.get("custom_keys") or {}
    for key in sorted(sorted(custom), key=len, reverse=True):
        if key in name:
            rule = custom[key] or {}
            options["lr"] = base_lr * float(rule.get("lr_mult", 1.0))
            if base_wd is not None:
                options["weight_decay"] = base_wd * float(rule.get("decay_mult", 1.0))
            return options
    leaf = name.rsplit(".", 1)[-1]
    is_norm = isinstance(module, _NORM_TYPES)
    is_dwconv = isinstance(module, nn.Conv2d) and module.in_channels == module.groups and module.groups > 1
    if leaf == "bias" and not is_norm and "bias_lr_mult" in paramwise:
        options["lr"] = base_lr * float(paramwise["bias_lr_mult"])
    if base_wd is not None:
        if is_norm and "norm_decay_mult" in paramwise:
            options["weight_decay"] = base_wd * float(paramwise["norm_decay_mult"])
        elif is_dwconv and "dwconv_decay_mult" in paramwise:
            options["weight_decay"] = base_wd * float(paramwise["dwconv_decay_mult"])
        elif leaf == "bias" and not is_norm and not is_dwconv and "bias_decay_mult" in paramwise:
            options["weight_decay"] = base_wd * float(paramwise["bias_decay_mult"])
    return options


def param_groups(model: nn.Module, optimizer_cfg: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Param groups for ``optimizer_cfg``; one group when there is no ``paramwise_cfg``."""
    paramwise = dict(optimizer_cfg.get("paramwise_cfg") or {})
    unknown = set(paramwise) - _PARAMWISE_KEYS
    if unknown:
        raise ConfigError(
            f"optimizer.paramwise_cfg: unknown key(s) {', '.join(sorted(unknown))}; "
            f"known: {', '.join(sorted(_PARAMWISE_KEYS))}"
        )
    if not paramwise:
        return [{"params": [p for p in model.parameters()]}]
    if "lr" not in optimizer_cfg:
        raise ConfigError("optimizer.lr is required when optimizer.paramwise_cfg is set")
    base_lr = float(optimizer_cfg["lr"])
    base_wd = optimizer_cfg.get("weight_decay")
    base_wd = None if base_wd is None else float(base_wd)
    groups: dict[tuple, dict[str, Any]] = {}
    seen: set[int] = set()
    for module_name, module in model.named_modules():
        for leaf, param in module.named_parameters(recurse=False):
            if id(param) in seen:
                if paramwise.get("bypass_duplicate", False):
                    continue
                raise ConfigError(
                    f"parameter {module_name}.{leaf} is shared by several modules; "
                    "set optimizer.paramwise_cfg.bypass_duplicate: true"
                )
            seen.add(id(param))
            full = f"{module_name}.{leaf}" if module_name else leaf
            options = _param_options(full, module, base_lr, base_wd, paramwise)
            key = tuple(sorted(options.items()))
            groups.setdefault(key, {"params": [], **options})["params"].append(param)
    return list(groups.values())


def build_optimizer(model: nn.Module, optimizer_cfg: Mapping[str, Any]) -> torch.optim.Optimizer:
    """``optimizer: {type: SGD, lr: 0.1, momentum: 0.9, weight_decay: 1e-4, paramwise_cfg: ...}``."""
    if not isinstance(optimizer_cfg, Mapping) or "type" not in optimizer_cfg:
        raise ConfigError("optimizer: needs a mapping with a 'type', e.g. {type: SGD, lr: 0.1}")
    cfg = {k: v for k, v in optimizer_cfg.items() if k != "paramwise_cfg"}
    return build("optimizer", cfg, param_groups(model, optimizer_cfg))
