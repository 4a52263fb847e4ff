"""Global average pooling."""

from __future__ import annotations

import torch
from torch import nn

from clscore.models.necks.base import PoolingNeck

_POOLS = {1: nn.AdaptiveAvgPool1d, 2: nn.AdaptiveAvgPool2d, 3: nn.AdaptiveAvgPool3d}


class GlobalAveragePooling(PoolingNeck):
    """Averages each feature map over its spatial dimensions: ``(N, C, *spatial) -> (N, C)``.

    ``dim`` is the number of spatial dimensions (1, 2 or 3). A tensor in gives a tensor out; a tuple
    of maps (several backbone stages) gives a tuple of vectors. Channels are kept, so the head's
    ``in_channels`` is the backbone's.
    """

    def __init__(self, dim: int = 2) -> None:
        super().__init__()
        if dim not in _POOLS:
            raise ValueError(f"GlobalAveragePooling dim must be 1, 2 or 3 (spatial dimensions), got {dim!r}")
        self.dim = dim
        self.gap = _POOLS[dim](1)

    def pool(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != self.dim + 2:
            raise ValueError(
                f"GlobalAveragePooling(dim={self.dim}) expects {self.dim + 2}-D maps (N, C, ...), "
                f"got shape {tuple(x.shape)}; set neck.dim to {x.dim() - 2}"
            )
        return self.gap(x)
