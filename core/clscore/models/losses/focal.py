"""Sigmoid focal loss."""

from __future__ import annotations

import torch

from clscore.models.losses.base import BaseLoss
from clscore.models.losses.cross_entropy import binary_cross_entropy
from clscore.models.utils.labels import to_one_hot


class FocalLoss(BaseLoss):
    """Sigmoid focal loss (Lin et al., 2017): BCE scaled by ``α_t · (1 - p_t) ** γ``.

    Down-weights easy examples so that training focuses on hard ones. Element-wise over classes;
    index labels are made one-hot, soft labels are used as they are.
    """

    def __init__(
        self, gamma: float = 2.0, alpha: float = 0.25, reduction: str = "mean", loss_weight: float = 1.0
    ) -> None:
        super().__init__(reduction, loss_weight)
        self.gamma = gamma
        self.alpha = alpha

    def elementwise(self, cls_score: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        target = to_one_hot(label, cls_score.shape[-1]).to(cls_score.dtype)
        prob = cls_score.sigmoid()
        one_minus_pt = (1 - prob) * target + prob * (1 - target)
        focal_weight = (self.alpha * target + (1 - self.alpha) * (1 - target)) * one_minus_pt.pow(self.gamma)
        return binary_cross_entropy(cls_score, target) * focal_weight
