"""The "no augment" choice among batch augments."""

from __future__ import annotations

import torch

from clscore.models.augments.base import check_num_classes, check_prob
from clscore.models.utils.labels import to_one_hot


class Identity:
    """Leaves images as they are and makes labels one-hot, so the loss always sees ``(N, C)`` labels.

    Listed explicitly in ``train_cfg.augments`` (probabilities must then add up to 1), or added by
    :class:`BatchAugments` for the probability mass the other augments leave.
    """

    def __init__(self, num_classes: int, prob: float = 1.0) -> None:
        self.num_classes = check_num_classes(num_classes, "Identity")
        self.prob = check_prob(prob, "Identity")

    def __repr__(self) -> str:
        return f"Identity(num_classes={self.num_classes}, prob={self.prob})"

    def __call__(self, img: torch.Tensor, gt_label: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        dtype = img.dtype if img.is_floating_point() else torch.float32
        return img, to_one_hot(gt_label.to(img.device), self.num_classes).to(dtype)
