"""Using a trained model: inference, export and analysis (the Python side of ``clsrun test/infer/export/analyze``).

Names are imported lazily so that ``import clscore.apis`` does not import torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clscore._lazy import lazy_exports

if TYPE_CHECKING:
    from clscore.apis.inference import Inferencer
    from clscore.apis.trained import TrainedModel, load_trained_model, resolve_checkpoint

__all__ = ["Inferencer", "TrainedModel", "load_trained_model", "resolve_checkpoint"]

_LAZY = {
    "Inferencer": "clscore.apis.inference",
    "TrainedModel": "clscore.apis.trained",
    "load_trained_model": "clscore.apis.trained",
    "resolve_checkpoint": "clscore.apis.trained",
}


__getattr__ = lazy_exports(__name__, globals(), _LAZY)
