"""One fully connected layer on pooled features."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import nn

from clscore.layers import InitCfg
from clscore.models.heads.cls_head import ClsHead, Feats, last_feature


def check_num_classes(num_classes: int) -> None:
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes <= 0:
        raise ValueError(f"num_classes={num_classes} must be a positive integer")


def check_in_channels(in_channels: int | None, head: str) -> int:
    if in_channels is None:
        raise ValueError(
            f"{head} needs in_channels (the feature size it receives): set it in the head config; "
            "inside a model it is filled in from the backbone's out_channels when the backbone declares them"
        )
    return in_channels


def vector_feature(feats: Feats, head: str) -> torch.Tensor:
    """The last feature, which a linear head needs as ``(N, C)`` vectors, not maps."""
    x = last_feature(feats)
    if x.dim() != 2:
        raise ValueError(
            f"{head} expects pooled features (N, C), got shape {tuple(x.shape)}; "
            "add a neck such as GlobalAveragePooling to the model"
        )
    return x


class LinearHeadMixin:
    """The ``fc`` classifier layer shared by the single- and multi-label linear heads."""

    fc: nn.Linear

    def _make_fc(self, num_classes: int, in_channels: int | None) -> None:
        check_num_classes(num_classes)
        self.in_channels = check_in_channels(in_channels, type(self).__name__)
        self._num_classes = num_classes
        self.fc = nn.Linear(self.in_channels, num_classes)

    def pre_logits(self, feats: Feats) -> torch.Tensor:
        return vector_feature(feats, type(self).__name__)

    def classify(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x)


class LinearClsHead(LinearHeadMixin, ClsHead):
    """Linear classifier head: ``fc(features)``, softmax scores.

    ``fc`` (state-dict keys ``head.fc.weight``/``head.fc.bias``) starts as N(0, 0.01) weights and zero
    bias unless ``init_cfg`` says otherwise. ``in_channels`` may be left out inside an
    ``ImageClassifier`` whose backbone declares ``out_channels``. ``loss``, ``topk`` and ``cal_acc`` are
    as in :class:`ClsHead`.
    """

    def __init__(
        self,
        num_classes: int,
        in_channels: int | None = None,
        loss: Mapping[str, Any] | nn.Module = {"type": "CrossEntropyLoss", "loss_weight": 1.0},  # noqa: B006
        topk: int | Sequence[int] = (1,),
        cal_acc: bool = False,
        init_cfg: InitCfg = {"type": "Normal", "layer": "Linear", "std": 0.01},  # noqa: B006
    ) -> None:
        ClsHead.__init__(self, loss=loss, topk=topk, cal_acc=cal_acc, init_cfg=init_cfg)
        self._make_fc(num_classes, in_channels)
        self.init_weights()
