"""Index labels versus one-hot / mixed ("soft") labels, shared by losses, heads and batch augments."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def is_soft_label(label: torch.Tensor, cls_score: torch.Tensor) -> bool:
    """Whether ``label`` is one row of class scores per sample, as Mixup/CutMix produce.

    Index labels are ``(N,)`` (or ``(N, 1)``, MMClassification's old layout); soft labels have the
    same shape as the scores (with a single class, ``(N, 1)`` is read as a score per sample).
    """
    return label.dim() == cls_score.dim() and label.shape == cls_score.shape


def _is_column(label: torch.Tensor) -> bool:
    return label.dim() == 2 and label.shape[1] == 1


def to_one_hot(label: torch.Tensor, num_classes: int) -> torch.Tensor:
    """``(N,)`` or ``(N, 1)`` class indices to ``(N, num_classes)`` floats; soft labels pass through.

    An index outside ``[0, num_classes)`` raises ``ValueError`` naming it, rather than torch's
    generic message.
    """
    if label.dim() == 2 and label.shape[1] == num_classes:
        return label.float()
    if _is_column(label):
        label = label.squeeze(1)
    if label.dim() != 1:
        raise ValueError(
            f"expected class indices of shape (N,) or labels of shape (N, {num_classes}), "
            f"got shape {tuple(label.shape)}"
        )
    label = label.long()
    if label.numel() and (int(label.min()) < 0 or int(label.max()) >= num_classes):
        bad = int(label.max()) if int(label.max()) >= num_classes else int(label.min())
        raise ValueError(f"class index {bad} is out of range for num_classes={num_classes}")
    return F.one_hot(label, num_classes).float()
