"""The Vision Transformer's head: classify the class token, optionally through a tanh layer."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import nn

from clscore.layers import InitCfg, build_activation_layer
from clscore.models.heads.cls_head import ClsHead, Feats, last_feature
from clscore.models.heads.linear_head import check_in_channels, check_num_classes


class VisionTransformerClsHead(ClsHead):
    """ViT head (Dosovitskiy et al., 2021).

    The last feature may be the class token ``(N, C)`` or a ``(patch_tokens, cls_token)`` pair, as
    MMClassification's ViT returns; the class token is used. With ``hidden_dim`` a ``pre_logits`` linear
    layer and ``act_cfg`` (tanh) come first, as in the paper's pre-training. Layers live in ``layers``
    (``layers.pre_logits``, ``layers.head``, MMClassification's state-dict names); ``head`` starts at
    zero, ``pre_logits`` at a truncated normal with ``std = sqrt(1 / in_channels)``.
    """

    def __init__(
        self,
        num_classes: int,
        in_channels: int | None = None,
        hidden_dim: int | None = None,
        act_cfg: Mapping[str, Any] | None = {"type": "Tanh"},
        loss: Mapping[str, Any] | nn.Module = {"type": "CrossEntropyLoss", "loss_weight": 1.0},  # noqa: B006
        topk: int | Sequence[int] = (1,),
        cal_acc: bool = False,
        init_cfg: InitCfg = {"type": "Constant", "layer": "Linear", "val": 0},  # noqa: B006
    ) -> None:
        super().__init__(loss=loss, topk=topk, cal_acc=cal_acc, init_cfg=init_cfg)
        check_num_classes(num_classes)
        self._num_classes = num_classes
        self.in_channels = check_in_channels(in_channels, type(self).__name__)
        self.hidden_dim = hidden_dim
        if hidden_dim is None:
            layers = [("head", nn.Linear(self.in_channels, num_classes))]
        else:
            layers = [
                ("pre_logits", nn.Linear(self.in_channels, hidden_dim)),
                ("act", build_activation_layer(act_cfg)),
                ("head", nn.Linear(hidden_dim, num_classes)),
            ]
        self.layers = nn.Sequential(OrderedDict(layers))
        self.init_weights()

    def init_weights(self) -> None:
        super().init_weights()
        if self.hidden_dim is not None:
            pre_logits = self.layers.pre_logits  # truncated normal, std = sqrt(1 / fan_in), zero bias
            nn.init.trunc_normal_(pre_logits.weight, std=math.sqrt(1.0 / pre_logits.in_features))
            nn.init.zeros_(pre_logits.bias)

    def pre_logits(self, feats: Feats) -> torch.Tensor:
        x = last_feature(feats)
        if isinstance(x, list | tuple):
            x = x[-1]  # (patch_tokens, cls_token)
        if self.hidden_dim is None:
            return x
        return self.layers.act(self.layers.pre_logits(x))

    def classify(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers.head(x)
