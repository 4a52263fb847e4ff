"""Parameter and FLOP counts per top-level module."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from clscore.apis.complexity import format_complexity, human, model_complexity


class Tiny(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.backbone = nn.Conv2d(3, 4, 3, bias=False)  # 108 params
        self.head = nn.Linear(4, 2)  # 10 params

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.backbone(x).mean(dim=(2, 3)))


def test_counts_by_hand():
    rows = {r.name: r for r in model_complexity(Tiny(), (10, 10))}
    # conv: 8x8 outputs x 4 channels x 27 multiply-adds; linear: 4 x 2 multiply-adds
    assert rows["backbone"].macs == 8 * 8 * 4 * 27 and rows["backbone"].flops == 2 * 8 * 8 * 4 * 27
    assert rows["head"].macs == 8 and rows["head"].params == 10
    assert rows["total"].params == 118 and rows["total"].flops == rows["backbone"].flops + rows["head"].flops
    assert "other" not in rows


def test_resnet18_matches_the_published_figures():
    pytest.importorskip("clscore_resnet")
    from clscore.models.builder import build_model

    model = build_model(
        {
            "backbone": {"type": "ResNet", "depth": 18},
            "neck": {"type": "GlobalAveragePooling"},
            "head": {"type": "LinearClsHead", "num_classes": 1000, "in_channels": 512},
        }
    )
    rows = {r.name: r for r in model_complexity(model, (224, 224))}
    assert rows["total"].params == 11_689_512  # 11.69 M in MMClassification's model zoo
    assert rows["total"].macs / 1e9 == pytest.approx(1.82, rel=0.01)  # their "FLOPs" are MACs
    assert rows["neck"].params == 0 and rows["head"].params == 513_000
    table = format_complexity(list(rows.values()), (224, 224))
    assert "11.69 M" in table and "input (1, 3, 224, 224)" in table


def test_human():
    assert human(25_557_032) == "25.56 M" and human(4.1e9) == "4.10 G" and human(12).strip() == "12"
