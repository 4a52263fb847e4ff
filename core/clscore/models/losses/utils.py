"""Reduction shared by every loss, with MMClassification's ``avg_factor`` semantics."""

from __future__ import annotations

import torch

REDUCTIONS = ("none", "mean", "sum")


def check_reduction(reduction: str) -> str:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {', '.join(map(repr, REDUCTIONS))}, got {reduction!r}")
    return reduction


def reduce_loss(loss: torch.Tensor, reduction: str) -> torch.Tensor:
    check_reduction(reduction)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def weight_reduce_loss(
    loss: torch.Tensor,
    weight: torch.Tensor | None = None,
    reduction: str = "mean",
    avg_factor: float | None = None,
) -> torch.Tensor:
    """Multiply ``loss`` by a per-sample ``weight``, then reduce it.

    With ``avg_factor`` and ``reduction='mean'`` the loss is ``sum / avg_factor`` (heads pass the batch
    size), so class weights scale a sample's loss without renormalising by their sum, unlike
    ``torch.nn.CrossEntropyLoss(weight=...)``. ``avg_factor`` with ``reduction='sum'`` is an error.
    ``weight`` has one entry per sample and is broadcast over any class dimension of ``loss``.
    """
    if weight is not None:
        weight = weight.to(loss.dtype)
        if weight.dim() == 1 and loss.dim() > 1:
            weight = weight.reshape(-1, *([1] * (loss.dim() - 1)))
        loss = loss * weight
    if avg_factor is None:
        return reduce_loss(loss, reduction)
    check_reduction(reduction)
    if reduction == "mean":
        return loss.sum() / avg_factor
    if reduction == "sum":
        raise ValueError('avg_factor cannot be used with reduction="sum"')
    return loss
