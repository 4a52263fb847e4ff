"""Mixup."""

from __future__ import annotations

import torch

from clscore.models.augments.base import MixAugment


class Mixup(MixAugment):
    """Mixup (Zhang et al., 2018): each image becomes ``lam · img + (1 - lam) · partner``.

    ``lam ~ Beta(alpha, alpha)`` per batch; labels are mixed with the same ratio. ``prob`` is the
    weight of this augment when several are listed in ``train_cfg.augments``.
    """

    def __call__(self, img: torch.Tensor, gt_label: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        img, one_hot, index, lam = self.mix(img, gt_label, self.sample_lam())
        mixed = lam * img + (1 - lam) * img[index]
        return mixed, self.mix_labels(one_hot, index, lam)
