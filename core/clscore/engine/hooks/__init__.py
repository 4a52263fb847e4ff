"""Runner hooks: the base class and the built-in hooks (checkpoints, evaluation, logs, EMA, checks).

``from clscore.engine.hooks import Hook`` imports no torch, so a plugin module can define its own
hooks at import time; the built-in hooks load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clscore._lazy import lazy_exports
from clscore.engine.hooks.base import PRIORITIES, Hook, get_priority

if TYPE_CHECKING:
    from clscore.engine.hooks.checkpoint import CheckpointHook
    from clscore.engine.hooks.checks import ClassNumCheckHook
    from clscore.engine.hooks.ema import EMAHook
    from clscore.engine.hooks.evaluation import EvalHook
    from clscore.engine.hooks.logger import ProgressBarHook, TensorboardLoggerHook, TextLoggerHook
    from clscore.engine.hooks.precise_bn import PreciseBNHook

_LAZY = {
    "CheckpointHook": "checkpoint",
    "ClassNumCheckHook": "checks",
    "EMAHook": "ema",
    "EvalHook": "evaluation",
    "PreciseBNHook": "precise_bn",
    "ProgressBarHook": "logger",
    "TensorboardLoggerHook": "logger",
    "TextLoggerHook": "logger",
}

__all__ = [
    "PRIORITIES",
    "CheckpointHook",
    "ClassNumCheckHook",
    "EMAHook",
    "EvalHook",
    "Hook",
    "PreciseBNHook",
    "ProgressBarHook",
    "TensorboardLoggerHook",
    "TextLoggerHook",
    "get_priority",
]


__getattr__ = lazy_exports(__name__, globals(), _LAZY)
