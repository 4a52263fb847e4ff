"""Asymmetric loss for multi-label classification."""

from __future__ import annotations

import torch

from clscore.models.losses.base import BaseLoss
from clscore.models.utils.labels import to_one_hot


class AsymmetricLoss(BaseLoss):
    """Asymmetric loss (Ridnik et al., 2021), for multi-label data with many negatives per image.

    Positives are focused with ``gamma_pos``, negatives with ``gamma_neg``; ``clip`` shifts negative
    probabilities down (``p - clip``, floored at 0) so that easy negatives contribute nothing.
    ``use_sigmoid=False`` uses a softmax over classes instead of per-class sigmoids. ``eps`` keeps the
    logarithm finite.
    """

    def __init__(
        self,
        gamma_pos: float = 0.0,
        gamma_neg: float = 4.0,
        clip: float = 0.05,
        reduction: str = "mean",
        loss_weight: float = 1.0,
        use_sigmoid: bool = True,
        eps: float = 1e-8,
    ) -> None:
        super().__init__(reduction, loss_weight)
        self.gamma_pos = gamma_pos
        self.gamma_neg = gamma_neg
        self.clip = clip
        self.use_sigmoid = use_sigmoid
        self.eps = eps

    def elementwise(self, cls_score: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        target = to_one_hot(label, cls_score.shape[-1]).to(cls_score.dtype)
        prob = cls_score.sigmoid() if self.use_sigmoid else cls_score.softmax(dim=-1)
        neg_prob = 1 - prob
        if self.clip and self.clip > 0:
            neg_prob = (neg_prob + self.clip).clamp(max=1)
        pt = neg_prob * (1 - target) + prob * target
        gamma = self.gamma_pos * target + self.gamma_neg * (1 - target)
        return -torch.log(pt.clamp(min=self.eps)) * (1 - pt).pow(gamma)
