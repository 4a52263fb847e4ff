"""Multi-label heads: one independent sigmoid score per class."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from clscore.layers import InitCfg
from clscore.models.heads.cls_head import ClsHead
from clscore.models.heads.linear_head import LinearHeadMixin
from clscore.models.utils.labels import to_one_hot


class MultiLabelClsHead(ClsHead):
    """Multi-label head without layers: sigmoid scores, binary cross-entropy by default.

    ``gt_label`` is ``(N, C)`` with 1 for present, 0 for absent and -1 for "difficult" classes; as in
    MMClassification the loss uses ``|label|``, i.e. difficult classes count as present. Class indices
    ``(N,)`` are accepted too (one label per image). The loss is averaged over images
    (``avg_factor`` = batch size), summed over classes.
    """

    multi_label = True

    def __init__(
        self,
        loss: Mapping[str, Any] | nn.Module = {"type": "CrossEntropyLoss", "use_sigmoid": True},  # noqa: B006
        init_cfg: InitCfg = None,
    ) -> None:
        super().__init__(loss=loss, init_cfg=init_cfg)

    def activate(self, cls_score: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(cls_score)

    def prepare_label(self, gt_label: torch.Tensor, cls_score: torch.Tensor) -> torch.Tensor:
        return to_one_hot(gt_label, cls_score.shape[-1]).abs().to(cls_score.dtype)


class MultiLabelLinearClsHead(LinearHeadMixin, MultiLabelClsHead):
    """Multi-label linear head: ``fc(features)`` with sigmoid scores; ``fc`` starts as N(0, 0.01)."""

    def __init__(
        self,
        num_classes: int,
        in_channels: int | None = None,
        loss: Mapping[str, Any] | nn.Module = {"type": "CrossEntropyLoss", "use_sigmoid": True},  # noqa: B006
        init_cfg: InitCfg = {"type": "Normal", "layer": "Linear", "std": 0.01},  # noqa: B006
    ) -> None:
        MultiLabelClsHead.__init__(self, loss=loss, init_cfg=init_cfg)
        self._make_fc(num_classes, in_channels)
        self.init_weights()
