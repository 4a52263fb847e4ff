"""The core's own components, registered through the same hooks as any plugin's.

Each area owns one module here whose hook implementations register lazy ``"module:attr"``
factories, so loading the built-ins imports no torch.
"""

from clscore.builtins.data import register_datasets, register_transforms
from clscore.builtins.engine import register_optimizers, register_runner_hooks, register_schedulers
from clscore.builtins.metrics import register_metrics
from clscore.builtins.models import (
    register_backbones,
    register_batch_augments,
    register_heads,
    register_losses,
    register_models,
    register_necks,
)

__all__ = [
    "register_backbones",
    "register_batch_augments",
    "register_datasets",
    "register_heads",
    "register_losses",
    "register_metrics",
    "register_models",
    "register_necks",
    "register_optimizers",
    "register_runner_hooks",
    "register_schedulers",
    "register_transforms",
]
