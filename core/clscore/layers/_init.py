"""Weight initialisation from MMCV-style ``init_cfg`` dicts, parsed in one place for every model.

An entry is ``{type: Kaiming | Normal | TruncNormal | Uniform | Xavier | Constant, layer: NAMES,
...}`` (``layer`` is a class name or a list of them, matched against a module's class and its
bases, e.g. ``Linear``, ``Conv2d``, ``_BatchNorm``), optionally with ``bias`` (or ``bias_prob``, the
prior probability a sigmoid bias starts at) and ``override`` (``{name: child, ...}``: initialise the
whole named child, inheriting the entry's type and values unless it gives its own), or
``{type: Pretrained, checkpoint: FILE, prefix: backbone}``. A list applies its entries in order.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from torch import nn

from clscore.layers._names import unknown_type
from clscore.layers._pretrained import PRETRAINED_KEYS, load_pretrained, remote_checkpoint_message

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
    init = nn.init.xavier_uniform_ if distribution == "uniform" else nn.init.xavier_normal_
    init(m.weight, gain=gain)


def _kaiming(
    m: nn.Module,
    a: float = 0.0,
    mode: str = "fan_out",
    nonlinearity: str = "relu",
    distribution: str = "normal",
) -> None:
    init = nn.init.kaiming_uniform_ if distribution == "uniform" else nn.init.kaiming_normal_
    init(m.weight, a=a, mode=mode, nonlinearity=nonlinearity)


_INITS: dict[str, Callable[..., None]] = {
    "Normal": _normal,
    "TruncNormal": _trunc_normal,
    "Uniform": _uniform,
    "Constant": _constant,
    "Xavier": _xavier,
    "Kaiming": _kaiming,
}
INIT_TYPES: tuple[str, ...] = ("Pretrained", *_INITS)
_COMMON_KEYS = {"type", "layer", "bias", "bias_prob", "override"}


def _params(kind: str) -> dict[str, inspect.Parameter]:
    return dict(list(inspect.signature(_INITS[kind]).parameters.items())[1:])


def _check_keys(cfg: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(cfg) - allowed)
    if unknown:
        raise ValueError(f"{where}: no key(s) {unknown}; it takes {', '.join(sorted(allowed - {'type'}))}")


def _as_list(value: Any) -> list[Any]:
    return [value] if isinstance(value, Mapping) else list(value or [])


def _check_entry(cfg: Any, owner: str, whole_module: bool = False) -> dict[str, Any]:
    """``cfg`` checked, with each ``override`` resolved to a complete entry of its own."""
    if not isinstance(cfg, Mapping) or "type" not in cfg:
        raise ValueError(f"{owner}: each init_cfg entry must be a mapping with a 'type' key, got {cfg!r}")
    kind = cfg["type"]
    where = f"{owner}: init_cfg {kind}"
    if kind == "Pretrained" and not whole_module:
        _check_keys(cfg, PRETRAINED_KEYS, where)
        checkpoint = cfg.get("checkpoint")
        if not checkpoint or not isinstance(checkpoint, str):
            raise ValueError(f"{where} needs 'checkpoint: /path/to/file.pth', got {checkpoint!r}")
        remote = remote_checkpoint_message(checkpoint)
        if remote:
            raise ValueError(f"{owner}: {remote}")
        return dict(cfg)
    if kind not in _INITS:
        raise ValueError(f"{owner}: {unknown_type('init_cfg', kind, _INITS if whole_module else INIT_TYPES)}")
    params = _params(kind)
    _check_keys(cfg, _COMMON_KEYS | set(params), where)
    required = [n for n, p in params.items() if p.default is inspect.Parameter.empty and n not in cfg]
    if required:
        raise ValueError(f"{where} needs {', '.join(required)}")
    if not whole_module and cfg.get("layer") is None and cfg.get("override") is None:
        raise ValueError(f"{where} needs a 'layer' key naming the layers to initialise, e.g. layer: Conv2d")
    checked = dict(cfg)
    overrides = []
    for override in _as_list(cfg.get("override")):
        if not isinstance(override, Mapping) or not override.get("name"):
            raise ValueError(f"{where}: each override needs the 'name' of a child module, got {override!r}")
        own = {k: v for k, v in override.items() if k != "name"}
        if "type" not in own:  # MMCV: an override without a type inherits the entry's settings
            own = {**{k: v for k, v in cfg.items() if k not in ("layer", "override")}, **own}
        name = override["name"]
        overrides.append(
            {"name": name, **_check_entry(own, f"{owner}: override {name!r}", whole_module=True)}
        )
    checked["override"] = overrides
    return checked


def parse_init_cfg(init_cfg: InitCfg, owner: str = "model") -> list[dict[str, Any]]:
    """The entries of ``init_cfg`` as a list, each checked (``ValueError`` naming ``owner`` if not).

    Components call it in ``__init__`` so a mistake is reported before any weight is touched.
    """
    return [_check_entry(entry, owner) for entry in _as_list(init_cfg)]


def loads_pretrained(init_cfg: InitCfg) -> bool:
    """Whether ``init_cfg`` loads a checkpoint (then e.g. ``zero_init_residual`` is skipped)."""
    return any(entry["type"] == "Pretrained" for entry in parse_init_cfg(init_cfg))


def with_pretrained(pretrained: str | None, init_cfg: InitCfg, owner: str = "model") -> InitCfg:
    """``init_cfg`` with MMClassification's older ``pretrained: FILE`` argument folded in."""
    if pretrained is None:
        return init_cfg
    if init_cfg is not None:
        raise ValueError(
            f"{owner}: give one pretrained checkpoint, either 'pretrained' or init_cfg, not both"
        )
    return {"type": "Pretrained", "checkpoint": pretrained}


def _class_names(module: nn.Module) -> set[str]:
    return {klass.__name__ for klass in type(module).__mro__}


def _init_module(m: nn.Module, kind: str, kwargs: Mapping[str, Any], bias: float) -> None:
    if getattr(m, "weight", None) is not None:
        _INITS[kind](m, **kwargs)
    if getattr(m, "bias", None) is not None:
        nn.init.constant_(m.bias, bias)


def _bias(cfg: Mapping[str, Any]) -> float:
    prob = cfg.get("bias_prob")
    if prob is None:
        return float(cfg.get("bias", 0.0))
    return float(-math.log((1 - prob) / prob))


def _apply(module: nn.Module, cfg: Mapping[str, Any]) -> None:
    kind = cfg["type"]
    if kind == "Pretrained":
        load_pretrained(
            module, cfg["checkpoint"], prefix=cfg.get("prefix"), map_location=cfg.get("map_location", "cpu")
        )
        return
    kwargs = {k: v for k, v in cfg.items() if k in _params(kind)}
    layers = cfg.get("layer")
    if layers is not None:
        wanted = {layers} if isinstance(layers, str) else set(layers)
        for m in module.modules():
            if wanted & _class_names(m):
                _init_module(m, kind, kwargs, _bias(cfg))
    for override in cfg.get("override", ()):
        child = getattr(module, override["name"], None)
        if not isinstance(child, nn.Module):
            raise ValueError(
                f"init_cfg override: {type(module).__name__} has no child module {override['name']!r}"
            )
        own_kwargs = {k: v for k, v in override.items() if k in _params(override["type"])}
        for m in child.modules():
            _init_module(m, override["type"], own_kwargs, _bias(override))


def initialize(module: nn.Module, init_cfg: InitCfg, default: InitCfg = None) -> None:
    """Apply ``init_cfg`` to ``module``, entry by entry (``None``: leave the weights as they are).

    ``default`` is the component's own initialisation: used when ``init_cfg`` is ``None``, and
    applied first when ``init_cfg`` only loads pretrained weights (so layers the file lacks are
    initialised the same way every time); any other ``init_cfg`` replaces it, as in MMCV.
    """
    entries = parse_init_cfg(init_cfg, type(module).__name__)
    if not entries or all(entry["type"] == "Pretrained" for entry in entries):
        entries = parse_init_cfg(default, type(module).__name__) + entries
    for entry in entries:
        _apply(module, entry)
