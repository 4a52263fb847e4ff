"""Batch augments (``model.train_cfg.augments``): ``(img, gt_label) -> (img, soft_label)`` on a batch."""

from clscore.models.augments.base import MixAugment
from clscore.models.augments.batch_augments import BatchAugments
from clscore.models.augments.cutmix import CutMix
from clscore.models.augments.identity import Identity
from clscore.models.augments.mixup import Mixup

__all__ = ["BatchAugments", "CutMix", "Identity", "MixAugment", "Mixup"]
