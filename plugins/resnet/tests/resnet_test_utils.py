"""Helpers shared by the ResNet tests."""

from __future__ import annotations

import torch
from torch import nn


def randomize_norms(model: nn.Module, seed: int = 0) -> nn.Module:
    """Give every BN layer non-trivial statistics and affine parameters, so a wrong mapping shows."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.normal_(0.0, 0.1, generator=gen)
                m.running_var.uniform_(0.5, 1.5, generator=gen)
                m.weight.uniform_(0.5, 1.5, generator=gen)
                m.bias.normal_(0.0, 0.1, generator=gen)
    return model


def is_frozen(module: nn.Module) -> bool:
    return all(not p.requires_grad for p in module.parameters())


def norms_in_eval(module: nn.Module) -> bool:
    return all(not m.training for m in module.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm))
