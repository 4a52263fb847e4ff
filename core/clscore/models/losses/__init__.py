"""Classification losses: ``loss(cls_score, label, weight=None, avg_factor=None, reduction_override=None)``.

Every loss accepts class indices ``(N,)`` and soft labels ``(N, C)`` (the mixes that Mixup/CutMix
produce), multiplies by ``loss_weight``, and reduces with :func:`weight_reduce_loss`.
"""

from clscore.models.losses.asymmetric import AsymmetricLoss
from clscore.models.losses.cross_entropy import CrossEntropyLoss
from clscore.models.losses.focal import FocalLoss
from clscore.models.losses.label_smooth import LabelSmoothLoss
from clscore.models.losses.seesaw import SeesawLoss
from clscore.models.losses.utils import reduce_loss, weight_reduce_loss

__all__ = [
    "AsymmetricLoss",
    "CrossEntropyLoss",
    "FocalLoss",
    "LabelSmoothLoss",
    "SeesawLoss",
    "reduce_loss",
    "weight_reduce_loss",
]
