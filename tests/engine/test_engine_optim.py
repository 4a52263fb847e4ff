"""Optimizer building: any torch.optim class by name, and MMCV's paramwise_cfg rules."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from clscore.engine.optim import build_optimizer
from clscore.errors import ConfigError


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Conv2d(3, 8, 3, bias=True), nn.BatchNorm2d(8), nn.Conv2d(8, 8, 3, groups=8)
        )
        self.head = nn.Module()
        self.head.fc = nn.Linear(8, 2)


def options_of(optimizer: torch.optim.Optimizer, model: nn.Module) -> dict[str, tuple[float, float]]:
    names = {id(p): n for n, p in model.named_parameters()}
    return {names[id(p)]: (g["lr"], g["weight_decay"]) for g in optimizer.param_groups for p in g["params"]}


def test_any_torch_optimizer_by_name(clscore_host):
    model = Net()
    opt = build_optimizer(model, {"type": "AdamW", "lr": 1e-3, "weight_decay": 0.05, "betas": [0.9, 0.99]})
    assert isinstance(opt, torch.optim.AdamW) and tuple(opt.param_groups[0]["betas"]) == (0.9, 0.99)
    assert len(opt.param_groups) == 1 and len(opt.param_groups[0]["params"]) == len(list(model.parameters()))


def test_paramwise_rules(clscore_host):
    model = Net()
    cfg = {
        "type": "SGD",
        "lr": 0.1,
        "momentum": 0.9,
        "weight_decay": 1e-4,
        "paramwise_cfg": {
            "norm_decay_mult": 0.0,
            "bias_decay_mult": 0.5,
            "bias_lr_mult": 2.0,
            "dwconv_decay_mult": 0.1,
            "custom_keys": {"head": {"lr_mult": 10.0}, "head.fc.bias": {"lr_mult": 3.0, "decay_mult": 0.0}},
        },
    }
    opts = options_of(build_optimizer(model, cfg), model)
    assert opts["backbone.0.weight"] == pytest.approx((0.1, 1e-4))
    assert opts["backbone.0.bias"] == pytest.approx((0.2, 0.5e-4))  # bias lr and decay mults
    assert opts["backbone.1.weight"] == pytest.approx((0.1, 0.0))  # norm: decay 0, lr unchanged
    assert opts["backbone.1.bias"] == pytest.approx((0.1, 0.0))  # norm bias: no bias_lr_mult
    assert opts["backbone.2.weight"] == pytest.approx((0.1, 1e-5))  # depth-wise conv
    assert opts["head.fc.weight"] == pytest.approx((1.0, 1e-4))  # custom key 'head'
    assert opts["head.fc.bias"] == pytest.approx((0.3, 0.0))  # the longer key wins


def test_unknown_paramwise_key(clscore_host):
    with pytest.raises(ConfigError, match="paramwise_cfg: unknown key"):
        build_optimizer(Net(), {"type": "SGD", "lr": 0.1, "paramwise_cfg": {"norm_decay": 0}})
