"""Stochastic depth (Huang et al., 2016): drop a sample's whole residual branch while training."""

from __future__ import annotations

import torch
from torch import nn


def drop_path(x: torch.Tensor, drop_prob: float = 0.0, training: bool = False) -> torch.Tensor:
    """Zero each sample of ``x`` with probability ``drop_prob`` and scale the rest by ``1 / keep``.

    The expectation is unchanged, so evaluation (``training=False``) uses ``x`` as it is.
    """
    if not 0.0 <= drop_prob < 1.0:
        raise ValueError(f"drop path rate must be in [0, 1), got {drop_prob}")
    if not training or drop_prob == 0.0:
        return x
    keep = 1.0 - drop_prob
    mask = x.new_empty((x.shape[0],) + (1,) * (x.ndim - 1)).bernoulli_(keep)
    return x * mask / keep


class DropPath(nn.Module):
    """:func:`drop_path` as a module; an identity in ``eval()`` mode."""

    def __init__(self, drop_prob: float = 0.0) -> None:
        super().__init__()
        if not 0.0 <= drop_prob < 1.0:
            raise ValueError(f"drop path rate must be in [0, 1), got {drop_prob}")
        self.drop_prob = drop_prob

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return drop_path(x, self.drop_prob, self.training)

    def extra_repr(self) -> str:
        return f"drop_prob={self.drop_prob:.3f}"
