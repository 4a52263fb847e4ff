"""The Python side of ``clsrun``: training (``clscore.apis.train``), and using a trained model: inference,
export and analysis (``clsrun test/infer/export/analyze``).

Names are imported lazily so that ``import clscore.apis`` does not import torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clscore._lazy import lazy_exports

if TYPE_CHECKING:
    from clscore.apis._config import load_config
    from clscore.apis.inference import Inferencer
    from clscore.apis.train import train_model
    from clscore.apis.trained import TrainedModel, load_trained_model, resolve_checkpoint

__all__ = [
    "Inferencer",
    "TrainedModel",
    "load_config",
    "load_trained_model",
    "resolve_checkpoint",
    "train_model",
]

_LAZY = {
    "Inferencer": "clscore.apis.inference",
    "load_config": "clscore.apis._config",
    "train_model": "clscore.apis.train",
    "TrainedModel": "clscore.apis.trained",
    "load_trained_model": "clscore.apis.trained",
    "resolve_checkpoint": "clscore.apis.trained",
}


__getattr__ = lazy_exports(__name__, globals(), _LAZY)
