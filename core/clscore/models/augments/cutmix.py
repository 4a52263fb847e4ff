"""CutMix."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from clscore.models.augments.base import MixAugment


def _randint(low: int, high: int) -> int:
    """A uniform integer in ``[low, high)``; ``low`` when the range is empty."""
    return low if high <= low else int(torch.randint(low, high, (1,)))


class CutMix(MixAugment):
    """CutMix (Yun et al., 2019): paste a box from the partner image into each image.

    The box covers a fraction ``1 - lam`` of the image, ``lam ~ Beta(alpha, alpha)``, centred at a
    uniform random point and clipped at the borders. With ``cutmix_minmax = (min, max)`` its height and
    width are instead drawn uniformly between ``min`` and ``max`` times the image's. Because clipping
    (or ``cutmix_minmax``) changes the pasted area, ``correct_lam`` recomputes ``lam`` from the actual
    box for the label mix; it is always done with ``cutmix_minmax``. The input batch is not modified.
    """

    def __init__(
        self,
        alpha: float,
        num_classes: int,
        prob: float = 1.0,
        cutmix_minmax: Sequence[float] | None = None,
        correct_lam: bool = True,
    ) -> None:
        super().__init__(alpha, num_classes, prob)
        if cutmix_minmax is not None:
            if len(cutmix_minmax) != 2 or not 0 < cutmix_minmax[0] < cutmix_minmax[1] <= 1:
                raise ValueError(
                    f"cutmix_minmax must be [min, max] with 0 < min < max <= 1, got {cutmix_minmax!r}"
                )
            cutmix_minmax = (float(cutmix_minmax[0]), float(cutmix_minmax[1]))
        self.cutmix_minmax = cutmix_minmax
        self.correct_lam = correct_lam

    def rand_bbox(self, height: int, width: int, lam: float) -> tuple[int, int, int, int]:
        """``(y1, y2, x1, x2)`` of the box to paste."""
        if self.cutmix_minmax is not None:
            low, high = self.cutmix_minmax
            cut_h = _randint(int(height * low), int(height * high))
            cut_w = _randint(int(width * low), int(width * high))
            y1 = _randint(0, height - cut_h + 1)
            x1 = _randint(0, width - cut_w + 1)
            return y1, y1 + cut_h, x1, x1 + cut_w
        ratio = math.sqrt(1.0 - lam)
        cut_h, cut_w = int(height * ratio), int(width * ratio)
        cy, cx = _randint(0, height), _randint(0, width)
        y1, y2 = max(cy - cut_h // 2, 0), min(cy + cut_h // 2, height)
        x1, x2 = max(cx - cut_w // 2, 0), min(cx + cut_w // 2, width)
        return y1, y2, x1, x2

    def __call__(self, img: torch.Tensor, gt_label: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        img, one_hot, index, lam = self.mix(img, gt_label, self.sample_lam())
        height, width = img.shape[-2:]
        y1, y2, x1, x2 = self.rand_bbox(height, width, lam)
        if self.correct_lam or self.cutmix_minmax is not None:
            lam = 1.0 - (y2 - y1) * (x2 - x1) / float(height * width)
        mixed = img.clone()
        mixed[:, :, y1:y2, x1:x2] = img[index, :, y1:y2, x1:x2]
        return mixed, self.mix_labels(one_hot, index, lam)
