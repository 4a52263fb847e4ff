"""Label smoothing as its own loss (MMClassification has no ``label_smoothing`` on CrossEntropyLoss)."""

from __future__ import annotations

from typing import Literal

import torch

from clscore.models.losses.base import BaseLoss
from clscore.models.losses.cross_entropy import binary_cross_entropy, soft_cross_entropy
from clscore.models.utils.labels import to_one_hot

_MODES = ("original", "classy_vision", "multi_label")


class LabelSmoothLoss(BaseLoss):
    """Cross-entropy against smoothed targets.

    Modes, with ``ε = label_smooth_val`` and ``K`` classes:

    - ``original``: target ``(1 - ε)·y + ε/K``, softmax cross-entropy (what
      ``torch.nn.functional.cross_entropy(label_smoothing=ε)`` and timm compute);
    - ``classy_vision``: the same with ``ε / (1 + ε)`` in place of ``ε``;
    - ``multi_label``: sigmoid cross-entropy against ``1 - ε`` for positives and ``ε`` for negatives.

    ``y`` is the one-hot of index labels, or the given ``(N, K)`` soft labels (Mixup/CutMix), which are
    smoothed the same way. ``num_classes`` is checked against the scores when given, inferred otherwise.
    """

    def __init__(
        self,
        label_smooth_val: float,
        num_classes: int | None = None,
        mode: Literal["original", "classy_vision", "multi_label"] = "original",
        reduction: str = "mean",
        loss_weight: float = 1.0,
    ) -> None:
        super().__init__(reduction, loss_weight)
        if isinstance(label_smooth_val, bool) or not 0 <= label_smooth_val < 1:
            raise ValueError(f"label_smooth_val must be a number in [0, 1), got {label_smooth_val!r}")
        if mode not in _MODES:
            raise ValueError(f"mode must be one of {', '.join(map(repr, _MODES))}, got {mode!r}")
        self.label_smooth_val = float(label_smooth_val)
        self.num_classes = num_classes
        self.mode = mode
        self.smooth_val = self.label_smooth_val
        if mode == "classy_vision":
            self.smooth_val = self.label_smooth_val / (1 + self.label_smooth_val)

    def smooth_label(self, label: torch.Tensor, num_classes: int) -> torch.Tensor:
        """The smoothed ``(N, num_classes)`` targets for index or soft ``label``."""
        one_hot = to_one_hot(label, num_classes)
        eps = self.smooth_val
        if self.mode == "multi_label":
            return one_hot * (1 - 2 * eps) + eps
        return one_hot * (1 - eps) + eps / num_classes

    def elementwise(self, cls_score: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        num_classes = cls_score.shape[-1]
        if self.num_classes is not None and self.num_classes != num_classes:
            raise ValueError(
                f"LabelSmoothLoss num_classes={self.num_classes} but the scores have {num_classes} classes"
            )
        target = self.smooth_label(label, num_classes)
        if self.mode == "multi_label":
            return binary_cross_entropy(cls_score, target)
        return soft_cross_entropy(cls_score, target)
