"""What every pooling neck shares: a tensor in gives a tensor out, a tuple in gives a tuple out."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

Feats = torch.Tensor | tuple[torch.Tensor, ...]


class PoolingNeck(nn.Module):
    """Base for necks that reduce each ``(N, C, ...)`` map to ``(N, C)``; subclasses define ``pool``."""

    def pool(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forward(self, inputs: Feats) -> Feats:
        if isinstance(inputs, torch.Tensor):
            return self.pool(inputs).flatten(1)  # flatten, not squeeze: a batch of one stays (1, C)
        if isinstance(inputs, Sequence) and all(isinstance(x, torch.Tensor) for x in inputs):
            return tuple(self.pool(x).flatten(1) for x in inputs)
        raise TypeError(
            f"{type(self).__name__} takes a tensor or a tuple of tensors, got {type(inputs).__name__}"
        )
