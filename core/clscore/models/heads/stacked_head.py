"""Several fully connected layers (an MLP) before the classifier."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

import torch
from torch import nn

from clscore.layers import InitCfg, build_activation_layer, build_norm_layer
from clscore.models.heads.cls_head import ClsHead, Feats
from clscore.models.heads.linear_head import check_in_channels, check_num_classes, vector_feature


class LinearBlock(nn.Module):
    """``fc`` → optional ``norm`` → optional ``act`` → optional ``dropout`` (MMClassification's names)."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        dropout_rate: float = 0.0,
        norm_cfg: Mapping[str, Any] | None = None,
        act_cfg: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.fc = nn.Linear(in_channels, out_channels)
        self.norm = build_norm_layer(norm_cfg, out_channels, dims=1) if norm_cfg is not None else None
        self.act = build_activation_layer(act_cfg) if act_cfg is not None else None
        self.dropout = nn.Dropout(p=dropout_rate) if dropout_rate > 0 else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.fc(x)
        for layer in (self.norm, self.act, self.dropout):
            if layer is not None:
                x = layer(x)
        return x


class StackedLinearClsHead(ClsHead):
    """An MLP head: one :class:`LinearBlock` per ``mid_channels`` entry, then a plain linear classifier.

    Hidden blocks apply ``norm_cfg`` (e.g. ``{type: BN1d}``), ``act_cfg`` (``None`` for none) and
    dropout; ``pre_logits`` is the last hidden block's output. ``loss``, ``topk`` and ``cal_acc`` are as
    in :class:`ClsHead`.
    """

    def __init__(
        self,
        num_classes: int,
        in_channels: int | None = None,
        *,
        mid_channels: Sequence[int],
        dropout_rate: float = 0.0,
        norm_cfg: Mapping[str, Any] | None = None,
        act_cfg: Mapping[str, Any] | None = {"type": "ReLU"},
        loss: Mapping[str, Any] | nn.Module = {"type": "CrossEntropyLoss", "loss_weight": 1.0},  # noqa: B006
        topk: int | Sequence[int] = (1,),
        cal_acc: bool = False,
        init_cfg: InitCfg = {"type": "Normal", "layer": "Linear", "std": 0.01},  # noqa: B006
    ) -> None:
        super().__init__(loss=loss, topk=topk, cal_acc=cal_acc, init_cfg=init_cfg)
        check_num_classes(num_classes)
        if isinstance(mid_channels, int) or not isinstance(mid_channels, Sequence):
            raise ValueError(f"mid_channels must be a list of hidden sizes, got {mid_channels!r}")
        self._num_classes = num_classes
        self.in_channels = check_in_channels(in_channels, type(self).__name__)
        self.mid_channels = list(mid_channels)
        sizes = [self.in_channels, *self.mid_channels]
        blocks = [
            LinearBlock(c_in, c_out, dropout_rate, norm_cfg, act_cfg) for c_in, c_out in pairwise(sizes)
        ]
        blocks.append(LinearBlock(sizes[-1], num_classes))
        self.layers = nn.ModuleList(blocks)
        self.init_weights()

    def pre_logits(self, feats: Feats) -> torch.Tensor:
        x = vector_feature(feats, type(self).__name__)
        for layer in self.layers[:-1]:
            x = layer(x)
        return x

    def classify(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers[-1](x)
