"""Learning-rate policies (``lr_config``) and the torch scheduler that applies them per iteration."""

from __future__ import annotations

from clscore.engine.schedulers.base import LrPolicy, PolicyScheduler
from clscore.engine.schedulers.policies import (
    CosineAnnealingLr,
    CosineRestartLr,
    ExpLr,
    FixedLr,
    InvLr,
    OneCycleLr,
    PolyLr,
    StepLr,
)

__all__ = [
    "CosineAnnealingLr",
    "CosineRestartLr",
    "ExpLr",
    "FixedLr",
    "InvLr",
    "LrPolicy",
    "OneCycleLr",
    "PolicyScheduler",
    "PolyLr",
    "StepLr",
]
