"""Cross-entropy in its three forms: softmax on indices, softmax on soft labels, sigmoid (multi-label)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from clscore.models.losses.base import BaseLoss
from clscore.models.utils.labels import is_soft_label, to_one_hot


def cross_entropy(
    pred: torch.Tensor, label: torch.Tensor, class_weight: torch.Tensor | None = None
) -> torch.Tensor:
    """Per-sample softmax cross-entropy for class indices ``(N,)``, each scaled by its class weight."""
    if label.dim() == 2 and label.shape[1] == 1:
        label = label.squeeze(1)
    return F.cross_entropy(pred, label.long(), weight=class_weight, reduction="none")


def soft_cross_entropy(
    pred: torch.Tensor, label: torch.Tensor, class_weight: torch.Tensor | None = None
) -> torch.Tensor:
    """Per-sample ``sum_c -label_c * log_softmax(pred)_c`` for soft labels ``(N, C)``."""
    loss = -label * F.log_softmax(pred, dim=-1)
    if class_weight is not None:
        loss = loss * class_weight
    return loss.sum(dim=-1)


def binary_cross_entropy(
    pred: torch.Tensor,
    label: torch.Tensor,
    class_weight: torch.Tensor | None = None,
    pos_weight: torch.Tensor | None = None,
) -> torch.Tensor:
    """Element-wise ``(N, C)`` sigmoid cross-entropy; ``pos_weight`` scales the positive term."""
    return F.binary_cross_entropy_with_logits(
        pred, label.to(pred.dtype), weight=class_weight, pos_weight=pos_weight, reduction="none"
    )


def per_class_tensor(
    values: Sequence[float] | None, cls_score: torch.Tensor, name: str
) -> torch.Tensor | None:
    """``values`` as a tensor on ``cls_score``'s device, checked to have one entry per class."""
    if values is None:
        return None
    tensor = cls_score.new_tensor(values)
    if tensor.shape != cls_score.shape[-1:]:
        raise ValueError(
            f"{name} has {tensor.numel()} entries but the scores have {cls_score.shape[-1]} classes"
        )
    return tensor


class CrossEntropyLoss(BaseLoss):
    """Cross-entropy loss, MMClassification-compatible.

    - default: softmax cross-entropy on class indices; with ``class_weight`` each sample's loss is
      scaled by its class's weight and the mean is still over samples (``avg_factor`` = batch size),
      not over the sum of weights as in ``torch.nn.CrossEntropyLoss``.
    - soft labels: given an ``(N, C)`` label (Mixup/CutMix mixes), or with ``use_soft=True``, the loss
      is ``sum_c -label_c * log_softmax(score)_c``; with ``use_soft`` index labels are made one-hot, so
      both paths give the same values on hard labels. No flag is needed for batch augments: the label's
      shape decides.
    - ``use_sigmoid=True``: element-wise binary cross-entropy (multi-label), with ``class_weight`` per
      class and ``pos_weight`` scaling the positive term; index labels are made one-hot.

    ``use_sigmoid`` and ``use_soft`` exclude each other; ``pos_weight`` needs ``use_sigmoid``.
    """

    def __init__(
        self,
        use_sigmoid: bool = False,
        use_soft: bool = False,
        reduction: str = "mean",
        loss_weight: float = 1.0,
        class_weight: Sequence[float] | None = None,
        pos_weight: Sequence[float] | None = None,
    ) -> None:
        super().__init__(reduction, loss_weight)
        if use_sigmoid and use_soft:
            raise ValueError("use_sigmoid and use_soft cannot both be true: pick one")
        if pos_weight is not None and not use_sigmoid:
            raise ValueError("pos_weight only applies with use_sigmoid: true")
        self.use_sigmoid = use_sigmoid
        self.use_soft = use_soft
        self.class_weight = None if class_weight is None else [float(w) for w in class_weight]
        self.pos_weight = None if pos_weight is None else [float(w) for w in pos_weight]

    def elementwise(self, cls_score: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        num_classes = cls_score.shape[-1]
        class_weight = per_class_tensor(self.class_weight, cls_score, "class_weight")
        if self.use_sigmoid:
            pos_weight = per_class_tensor(self.pos_weight, cls_score, "pos_weight")
            return binary_cross_entropy(cls_score, to_one_hot(label, num_classes), class_weight, pos_weight)
        if self.use_soft or is_soft_label(label, cls_score):
            return soft_cross_entropy(cls_score, to_one_hot(label, num_classes), class_weight)
        return cross_entropy(cls_score, label, class_weight)
