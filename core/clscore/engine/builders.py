"""Every config section the engine reads, turned into engine objects in one place.

``runner`` (type and length), ``log_config`` (interval and logger hooks), ``optimizer`` /
``optimizer_config``, ``lr_config``, the precision keys, ``checkpoint_config``, ``evaluation`` and
``custom_hooks``: each is interpreted by exactly one function here; :func:`build_runner` puts them
together around a model and its loaders.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader

from clscore.dist import DistInfo
from clscore.engine.hooks import CheckpointHook, ClassNumCheckHook, EvalHook, Hook, ProgressBarHook
from clscore.engine.optim import build_optimizer
from clscore.engine.precision import build_precision
from clscore.engine.runner import Runner
from clscore.engine.schedulers.base import LrPolicy
from clscore.errors import ComponentError, ConfigError
from clscore.plugins import build, get_host

RUNNER_TYPES = ("EpochBasedRunner", "IterBasedRunner")
DEFAULT_LOG_INTERVAL = 10
#: Logger hooks of ``log_config.hooks`` that are always the core's own, built directly.
_CORE_LOG_HOOKS = ("TextLoggerHook", "TensorboardLoggerHook")
#: MMCV ``optimizer_config.type`` values whose behaviour the runner provides itself.
_OPTIMIZER_HOOK_TYPES = {
    "OptimizerHook",
    "DistOptimizerHook",
    "GradientCumulativeOptimizerHook",
    "Fp16OptimizerHook",
    "GradientCumulativeFp16OptimizerHook",
}


def runner_type(runner_cfg: Mapping[str, Any] | None) -> str:
    """``runner.type``: ``EpochBasedRunner`` (the default) or ``IterBasedRunner``."""
    kind = (runner_cfg or {}).get("type", "EpochBasedRunner")
    if kind not in RUNNER_TYPES:
        raise ConfigError(f"runner.type: unknown runner {kind!r}; use EpochBasedRunner or IterBasedRunner")
    return str(kind)


def runner_limits(
    runner_cfg: Mapping[str, Any] | None, total_epochs: Any = None
) -> tuple[int | None, int | None]:
    """``(max_epochs, max_iters)`` from ``runner:`` (or the old ``total_epochs`` key)."""
    cfg = dict(runner_cfg or {})
    if runner_type(cfg) == "IterBasedRunner":
        if "max_iters" not in cfg:
            raise ConfigError("runner.max_iters is required for IterBasedRunner")
        return None, int(cfg["max_iters"])
    max_epochs = cfg.get("max_epochs", total_epochs)
    if max_epochs is None:
        raise ConfigError(
            "runner.max_epochs is required for EpochBasedRunner (e.g. runner: {type: EpochBasedRunner, max_epochs: 100})"
        )
    if int(max_epochs) <= 0 or math.isnan(float(max_epochs)):
        raise ConfigError(f"runner.max_epochs must be a positive integer, got {max_epochs}")
    return int(max_epochs), None


def log_interval(cfg: Mapping[str, Any]) -> int:
    """``log_config.interval``: log every that many iterations (10 when absent or not positive)."""
    interval = (cfg.get("log_config") or {}).get("interval")
    value = int(interval) if interval is not None else DEFAULT_LOG_INTERVAL
    return value if value > 0 else DEFAULT_LOG_INTERVAL


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
    spec = dict(cfg)
    priority = spec.pop("priority", None)
    name = str(spec.get("type"))
    core = name in _CORE_LOG_HOOKS
    component = get_host().registry("runner_hook").get(f"clscore:{name}" if core else name)
    for key, value in defaults.items():
        if key not in spec and component.accepts(key):
            spec[key] = value
    try:
        if core:
            spec.pop("type")
            return component.load()(**spec), priority
        return build("runner_hook", spec), priority
    except (TypeError, ValueError) as exc:
        raise ComponentError(f"{where}: {exc}") from None


def training_hooks(cfg: Mapping[str, Any], *, validate: bool, has_val: bool) -> list[tuple[Hook, Any]]:
    """The hooks MMClassification registers for training, plus ``custom_hooks``; ``(hook, priority)`` pairs."""
    hooks: list[tuple[Hook, Any]] = [(ClassNumCheckHook(), None), (ProgressBarHook(), None)]

    _, max_iters = runner_limits(cfg.get("runner"), cfg.get("total_epochs"))
    # absent: every epoch, or only at the end of an iteration-based run; null: no checkpoints
    checkpoint_cfg = cfg.get("checkpoint_config", {"interval": max_iters or 1})
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

    log_hooks = list((cfg.get("log_config") or {}).get("hooks") or [{"type": "TextLoggerHook"}])
    if not any(h.get("type") == "TextLoggerHook" for h in log_hooks):
        log_hooks.insert(0, {"type": "TextLoggerHook"})
    for i, hook_cfg in enumerate(log_hooks):
        hooks.append(_build_hook(hook_cfg, f"log_config.hooks.{i}", interval=log_interval(cfg)))

    for i, hook_cfg in enumerate(cfg.get("custom_hooks") or []):
        if not isinstance(hook_cfg, Mapping) or "type" not in hook_cfg:
            raise ConfigError(f"custom_hooks.{i}: each custom hook needs a 'type', got {hook_cfg!r}")
        hooks.append(_build_hook(hook_cfg, f"custom_hooks.{i}"))
    return hooks


def build_runner(
    cfg: Mapping[str, Any],
    model: nn.Module,
    train_loader: DataLoader,
    val_loader: DataLoader | None,
    *,
    dist_info: DistInfo,
    work_dir: Path,
    logger: logging.Logger,
    seed: int,
    meta: Mapping[str, Any] | None = None,
    timestamp: str | None = None,
    validate: bool = True,
) -> Runner:
    """The runner for ``model`` (already on its device), with its optimizer, lr schedule, precision and hooks."""
    precision = build_precision(cfg, dist_info.device)
    if precision.channels_last:
        model = model.to(memory_format=torch.channels_last)
    optimizer = build_optimizer(model, cfg["optimizer"])
    max_epochs, max_iters = runner_limits(cfg.get("runner"), cfg.get("total_epochs"))
    grad_clip, cumulative = optimizer_options(cfg.get("optimizer_config"))
    policy = build_lr_policy(cfg.get("lr_config"))
    iters_per_epoch = len(train_loader)
    total_iters = max_epochs * iters_per_epoch if max_epochs is not None else int(max_iters)  # type: ignore[arg-type]
    scheduler = policy.bind(
        optimizer, iters_per_epoch=iters_per_epoch, max_iters=total_iters, max_epochs=max_epochs
    )
    runner = Runner(
        model=model,
        optimizer=optimizer,
        scheduler=scheduler,
        train_loader=train_loader,
        val_loader=val_loader,
        work_dir=work_dir,
        logger=logger,
        dist_info=dist_info,
        precision=precision,
        seed=seed,
        max_epochs=max_epochs,
        max_iters=max_iters,
        grad_clip=grad_clip,
        cumulative_iters=cumulative,
        log_interval=log_interval(cfg),
        find_unused_parameters=bool(cfg.get("find_unused_parameters", False)),
        compile=cfg.get("compile", False),
        nan_policy=str(cfg.get("nan_policy") or "stop"),
        meta=meta,
        timestamp=timestamp,
    )
    for hook, priority in training_hooks(cfg, validate=validate, has_val=val_loader is not None):
        runner.register_hook(hook, priority)
    return runner
