"""Generalized-mean (GeM) pooling."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from clscore.models.necks.base import PoolingNeck


class GeneralizedMeanPooling(PoolingNeck):
    """GeM pooling (Radenović et al., 2018): ``(mean(x ** p)) ** (1 / p)`` over each 2-D map.

    ``p`` is learnable and starts at the given value (``p = 1`` is average pooling, large ``p``
    approaches max pooling); inputs are clamped to at least ``eps`` first when ``clamp`` is true, so
    the fractional power stays defined. Tensor or tuple in, ``(N, C)`` vectors out.
    """

    def __init__(self, p: float = 3.0, eps: float = 1e-6, clamp: bool = True) -> None:
        super().__init__()
        if p < 1:
            raise ValueError(f"GeneralizedMeanPooling p must be >= 1, got {p}")
        self.p = nn.Parameter(torch.ones(1) * p)
        self.eps = eps
        self.clamp = clamp

    def pool(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4:
            raise ValueError(f"GeneralizedMeanPooling expects (N, C, H, W) maps, got shape {tuple(x.shape)}")
        if self.clamp:
            x = x.clamp(min=self.eps)
        return F.adaptive_avg_pool2d(x.pow(self.p), 1).pow(1.0 / self.p)
