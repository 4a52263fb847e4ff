"""Turning config sections into engine objects: the lr policy and the runner hooks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clscore.engine.hooks import (
    CheckpointHook,
    ClassNumCheckHook,
    EvalHook,
    Hook,
    ProgressBarHook,
    TensorboardLoggerHook,
    TextLoggerHook,
)
from clscore.engine.schedulers.base import LrPolicy
from clscore.errors import ComponentError, ConfigError
from clscore.plugins import build, get_host

_HOOK_CLASSES: dict[str, type[Hook]] = {
    "TextLoggerHook": TextLoggerHook,
    "TensorboardLoggerHook": TensorboardLoggerHook,
}
#: MMCV ``optimizer_config.type`` values whose behaviour the runner provides itself.
_OPTIMIZER_HOOK_TYPES = {
    "OptimizerHook",
    "DistOptimizerHook",
    "GradientCumulativeOptimizerHook",
    "Fp16OptimizerHook",
    "GradientCumulativeFp16OptimizerHook",
}


def build_lr_policy(lr_config: Mapping[str, Any] | None) -> LrPolicy:
    """``lr_config: {policy: step, step: [30, 60], warmup: linear, ...}``; none means a fixed lr."""
    if not lr_config:
        return build("scheduler", {"type": "fixed"})
    cfg = dict(lr_config)
    policy = cfg.pop("policy", None)
    cfg.pop("type", None)
    if policy is None:
        raise ConfigError("lr_config.policy is required, e.g. lr_config: {policy: step, step: [30, 60, 90]}")
    try:
        return build("scheduler", {"type": str(policy), **cfg})
    except ComponentError as exc:
        raise ComponentError(f"lr_config: {exc}") from None


def optimizer_options(optimizer_config: Mapping[str, Any] | None) -> tuple[dict[str, Any] | None, int]:
    """``(grad_clip, cumulative_iters)`` from ``optimizer_config``."""
    cfg = dict(optimizer_config or {})
    kind = cfg.pop("type", None)
    if kind is not None and kind not in _OPTIMIZER_HOOK_TYPES:
        raise ConfigError(
            f"optimizer_config.type: {kind!r} is not supported; use one of {', '.join(sorted(_OPTIMIZER_HOOK_TYPES))}"
        )
    grad_clip = cfg.pop("grad_clip", None)
    cumulative = int(cfg.pop("cumulative_iters", 1) or 1)
    cfg.pop("loss_scale", None)  # Fp16OptimizerHook's; the fp16 key carries it here
    cfg.pop("distributed", None)
    cfg.pop("detect_anomalous_params", None)
    if cfg:
        raise ConfigError(
            f"optimizer_config: unknown key(s) {', '.join(sorted(cfg))}; known: grad_clip, cumulative_iters"
        )
    if grad_clip is not None:
        if not isinstance(grad_clip, Mapping) or "max_norm" not in grad_clip:
            raise ConfigError("optimizer_config.grad_clip needs max_norm (and optionally norm_type)")
        grad_clip = {
            "max_norm": float(grad_clip["max_norm"]),
            "norm_type": float(grad_clip.get("norm_type", 2.0)),
        }
    if cumulative < 1:
        raise ConfigError(f"optimizer_config.cumulative_iters must be >= 1, got {cumulative}")
    return grad_clip, cumulative


def _build_hook(cfg: Mapping[str, Any], where: str, **defaults: Any) -> tuple[Hook, Any]:
    """A runner hook from ``{type: Name, priority: ..., **kwargs}``; ``defaults`` fill missing kwargs it accepts."""
    from clscore.plugins import signature_of

    spec = dict(cfg)
    priority = spec.pop("priority", None)
    accepted: set[str] | None
    name = spec.get("type")
    if name in _HOOK_CLASSES:
        factory: Any = _HOOK_CLASSES[spec.pop("type")]
        accepted = set(signature_of(factory).names)  # type: ignore[union-attr]
    else:
        component = get_host().registry("runner_hook").get(str(name))
        sig = signature_of(component.target)
        accepted = None if sig is None or sig.open_kwargs else set(sig.names)
        factory = None
    for key, value in defaults.items():
        if key not in spec and (accepted is None or key in accepted):
            spec[key] = value
    try:
        hook = factory(**spec) if factory is not None else build("runner_hook", spec)
    except (TypeError, ValueError) as exc:
        raise ComponentError(f"{where}: {exc}") from None
    return hook, priority


def training_hooks(cfg: Mapping[str, Any], *, validate: bool, has_val: bool) -> list[tuple[Hook, Any]]:
    """The hooks MMClassification registers for training, plus ``custom_hooks``; ``(hook, priority)`` pairs."""
    hooks: list[tuple[Hook, Any]] = [(ClassNumCheckHook(), None), (ProgressBarHook(), None)]

    runner_cfg = cfg.get("runner") or {}
    default_interval = (
        int(runner_cfg.get("max_iters", 1)) if runner_cfg.get("type") == "IterBasedRunner" else 1
    )
    # absent: every epoch, or only at the end of an iteration-based run; null: no checkpoints
    checkpoint_cfg = cfg.get("checkpoint_config", {"interval": default_interval})
    if checkpoint_cfg is not None:
        try:
            hooks.append((CheckpointHook(**dict(checkpoint_cfg)), None))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"checkpoint_config: {exc}") from None

    if validate and has_val:
        eval_cfg = dict(cfg.get("evaluation") or {})
        for ignored in ("gpu_collect", "tmpdir", "type"):
            eval_cfg.pop(ignored, None)
        try:
            hooks.append((EvalHook(**eval_cfg), None))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"evaluation: {exc}") from None

    log_cfg = dict(cfg.get("log_config") or {})
    interval = int(log_cfg.get("interval", 10) or 10)
    log_hooks = list(log_cfg.get("hooks") or [{"type": "TextLoggerHook"}])
    if not any(h.get("type") == "TextLoggerHook" for h in log_hooks):
        log_hooks.insert(0, {"type": "TextLoggerHook"})
    for i, hook_cfg in enumerate(log_hooks):
        hooks.append(_build_hook(hook_cfg, f"log_config.hooks.{i}", interval=interval))

    for i, hook_cfg in enumerate(cfg.get("custom_hooks") or []):
        if not isinstance(hook_cfg, Mapping) or "type" not in hook_cfg:
            raise ConfigError(f"custom_hooks.{i}: each custom hook needs a 'type', got {hook_cfg!r}")
        hooks.append(_build_hook(hook_cfg, f"custom_hooks.{i}"))
    return hooks


def plugin_versions() -> dict[str, str | None]:
    """clscore and every loaded plugin distribution with its version, for checkpoint metadata."""
    from clscore._version import __version__

    versions: dict[str, str | None] = {"clscore": __version__}
    for info in get_host().plugins.values():
        if info.status == "loaded" and info.distribution and info.distribution != "clscore":
            versions[info.distribution] = info.version
    return versions
