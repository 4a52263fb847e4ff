"""The shape every clscore loss shares: an unreduced loss, then weighting and reduction."""

from __future__ import annotations

import torch
from torch import nn

from clscore.models.losses.utils import check_reduction, weight_reduce_loss


class BaseLoss(nn.Module):
    """Base class: subclasses compute the unreduced loss in ``elementwise(cls_score, label)``.

    ``forward(cls_score, label, weight=None, avg_factor=None, reduction_override=None)`` multiplies it
    by the per-sample ``weight``, reduces it (``reduction_override`` wins over ``reduction``) and
    scales the result by ``loss_weight``.
    """

    def __init__(self, reduction: str = "mean", loss_weight: float = 1.0) -> None:
        super().__init__()
        self.reduction = check_reduction(reduction)
        self.loss_weight = loss_weight

    def elementwise(self, cls_score: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forward(
        self,
        cls_score: torch.Tensor,
        label: torch.Tensor,
        weight: torch.Tensor | None = None,
        avg_factor: float | None = None,
        reduction_override: str | None = None,
    ) -> torch.Tensor:
        reduction = check_reduction(reduction_override) if reduction_override else self.reduction
        if label.shape[0] != cls_score.shape[0]:
            raise ValueError(
                f"{type(self).__name__}: {cls_score.shape[0]} scores but {label.shape[0]} labels"
            )
        loss = self.elementwise(cls_score, label)
        if weight is not None and not isinstance(weight, torch.Tensor):
            weight = torch.as_tensor(weight, device=cls_score.device)
        return self.loss_weight * weight_reduce_loss(loss, weight, reduction, avg_factor)
