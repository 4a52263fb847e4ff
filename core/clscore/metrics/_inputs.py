"""Turning what an evaluation loop collected into checked tensors, and threshold bookkeeping."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

Thrs = float | Sequence[float] | None


def as_tensor(value: Any, name: str) -> torch.Tensor:
    """A CPU tensor from a tensor, numpy array or (nested) list."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, np.ndarray | list | tuple):
        return torch.as_tensor(np.asarray(value))
    raise TypeError(f"{name} must be a tensor, a numpy array or a list, got {type(value).__name__}")


def _scores(scores: Any) -> torch.Tensor:
    scores = as_tensor(scores, "scores").float()
    if scores.dim() != 2:
        raise ValueError(f"scores must have shape (N, num_classes), got {tuple(scores.shape)}")
    if scores.shape[0] == 0:
        raise ValueError("there are no samples to evaluate (scores is empty)")
    return scores


def single_label_inputs(scores: Any, targets: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """``scores`` ``(N, C)`` float and ``targets`` ``(N,)`` class indices in ``[0, C)``."""
    scores = _scores(scores)
    targets = as_tensor(targets, "targets").reshape(-1).long()
    if targets.shape[0] != scores.shape[0]:
        raise ValueError(f"{scores.shape[0]} scores but {targets.shape[0]} targets")
    num_classes = scores.shape[1]
    if int(targets.min()) < 0 or int(targets.max()) >= num_classes:
        raise ValueError(f"targets must be class indices in [0, {num_classes}), got {targets.tolist()[:10]}…")
    return scores, targets


def multi_label_inputs(scores: Any, targets: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """``scores`` and ``targets`` both ``(N, C)``; targets are 1 (present), 0 (absent), -1 (difficult)."""
    scores = _scores(scores)
    targets = as_tensor(targets, "targets").long()
    if targets.shape != scores.shape:
        raise ValueError(
            f"multi-label targets must have the scores' shape {tuple(scores.shape)}, got {tuple(targets.shape)}"
        )
    return scores, targets


def thr_items(thrs: Thrs) -> list[tuple[float | None, str]]:
    """``(threshold, key suffix)`` pairs: one unsuffixed entry for a single threshold, ``_thr_0.50``
    style suffixes (MMClassification's) for a list."""
    if thrs is None or isinstance(thrs, int | float):
        return [(None if thrs is None else float(thrs), "")]
    return [(float(t), f"_thr_{float(t):.2f}") for t in thrs]


def above(scores: torch.Tensor, thr: float | None) -> torch.Tensor:
    """Which scores pass the threshold (strictly greater); all of them when ``thr`` is ``None``."""
    if thr is None:
        return torch.ones_like(scores, dtype=torch.bool)
    return scores > thr
