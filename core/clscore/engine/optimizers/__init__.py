"""Optimizers that ``torch.optim`` lacks but MMClassification recipes name (``optimizer.type``)."""

from __future__ import annotations

from clscore.engine.optimizers.lamb import Lamb

__all__ = ["Lamb"]
