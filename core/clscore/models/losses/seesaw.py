"""Seesaw loss (Wang et al., "Seesaw Loss for Long-Tailed Instance Segmentation", CVPR 2021).

For a sample of class ``i``, the softmax term of every other class ``j`` is scaled by
``S_ij = M_ij * C_ij`` before the cross-entropy:

- mitigation ``M_ij = (N_j / N_i) ** p`` when class ``j`` has been seen fewer times than ``i``
  (else 1), so frequent classes stop pushing rare ones down; ``N`` counts the training labels seen
  so far (this batch included), kept in the ``cum_samples`` buffer and saved with the model;
- compensation ``C_ij = (sigma_j / sigma_i) ** q`` when the model scores ``j`` above ``i`` (else 1),
  restoring the penalty on misclassifications; ``sigma_i`` is floored at ``eps``.

Equivalently the logits of the other classes are shifted by ``log S_ij``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from clscore.models.losses.base import BaseLoss
from clscore.models.utils.labels import is_soft_label, to_one_hot


class SeesawLoss(BaseLoss):
    """Seesaw loss for long-tailed single-label data, MMClassification-compatible (softmax only).

    ``num_classes`` must equal the head's; class counts accumulate in the ``cum_samples`` buffer over
    every call, like MMClassification's. Labels must be class indices (not Mixup/CutMix mixes).
    """

    def __init__(
        self,
        use_sigmoid: bool = False,
        p: float = 0.8,
        q: float = 2.0,
        num_classes: int = 1000,
        eps: float = 1e-2,
        reduction: str = "mean",
        loss_weight: float = 1.0,
    ) -> None:
        super().__init__(reduction, loss_weight)
        if use_sigmoid:
            raise ValueError("SeesawLoss supports softmax only: set use_sigmoid to false")
        if int(num_classes) <= 0:
            raise ValueError(f"num_classes must be a positive integer, got {num_classes}")
        self.use_sigmoid = False
        self.p = float(p)
        self.q = float(q)
        self.num_classes = int(num_classes)
        self.eps = float(eps)
        self.register_buffer("cum_samples", torch.zeros(self.num_classes, dtype=torch.float))

    def elementwise(self, cls_score: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        if cls_score.shape[-1] != self.num_classes:
            raise ValueError(
                f"SeesawLoss has num_classes={self.num_classes} but the scores have {cls_score.shape[-1]} "
                "classes; set the loss's num_classes to the head's"
            )
        if is_soft_label(label, cls_score):
            raise ValueError(
                "SeesawLoss needs class indices, not the mixed labels of Mixup/CutMix; "
                "remove model.train_cfg.augments or use CrossEntropyLoss"
            )
        one_hot = to_one_hot(label, self.num_classes)  # also checks the index range
        label = label.reshape(-1).long()
        self.cum_samples += torch.bincount(label, minlength=self.num_classes).to(self.cum_samples)
        log_factor = self._log_seesaw_factor(cls_score.detach(), label)
        adjusted = cls_score + (log_factor * (1 - one_hot)).to(cls_score.dtype)
        return F.cross_entropy(adjusted, label, reduction="none")

    def _log_seesaw_factor(self, cls_score: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        """``log(M_ij * C_ij)`` for each sample (row, class ``i`` = its label) and class ``j``."""
        factor = torch.ones_like(cls_score, dtype=torch.float)
        if self.p > 0:
            counts = self.cum_samples.clamp(min=1)
            ratio = counts[None, :] / counts[:, None]  # [i, j] = N_j / N_i
            mitigation = torch.where(ratio < 1.0, ratio.pow(self.p), torch.ones_like(ratio))
            factor = factor * mitigation[label]
        if self.q > 0:
            scores = F.softmax(cls_score.float(), dim=1)
            own = scores.gather(1, label[:, None]).clamp(min=self.eps)
            ratio = scores / own
            factor = factor * torch.where(ratio > 1.0, ratio.pow(self.q), torch.ones_like(ratio))
        return factor.log()
