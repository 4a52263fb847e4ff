"""Parameters and FLOPs of a model, per top-level module (backbone, neck, head, ...).

FLOPs come from :class:`torch.utils.flop_counter.FlopCounterMode`, which counts a multiply-add as
2 FLOPs and covers matmuls and convolutions (the bulk of a classifier's cost; element-wise ops,
pooling and normalisation are not counted). MMClassification's published "FLOPs" count
multiply-accumulates, so compare them with ``macs`` (= FLOPs / 2): ResNet-50 at 224 is 4.12 G MACs.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode


@dataclass
class ModuleCost:
    name: str
    params: int
    flops: int

    @property
    def macs(self) -> int:
        return self.flops // 2


def model_complexity(model: nn.Module, shape: tuple[int, int], in_channels: int = 3) -> list[ModuleCost]:
    """One row per direct child of ``model``, then ``other`` (if anything is left over) and ``total``."""
    model = model.eval()
    img = torch.zeros(1, in_channels, *shape)
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(img)
    counts = {name: sum(ops.values()) for name, ops in counter.get_flop_counts().items()}
    total_flops = int(counter.get_total_flops())
    root = type(model).__name__
    rows = []
    for name, child in model.named_children():
        params = sum(p.numel() for p in child.parameters())
        rows.append(ModuleCost(name, params, int(counts.get(f"{root}.{name}", 0))))
    total_params = sum(p.numel() for p in model.parameters())
    other_params = total_params - sum(r.params for r in rows)
    other_flops = total_flops - sum(r.flops for r in rows)
    if other_params or other_flops:
        rows.append(ModuleCost("other", other_params, other_flops))
    rows.append(ModuleCost("total", total_params, total_flops))
    return rows


def human(value: float) -> str:
    """``25557032`` -> ``25.56 M``."""
    for unit, scale in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.2f} {unit}"
    return f"{value:.0f}  "


def format_complexity(rows: list[ModuleCost], shape: tuple[int, int]) -> str:
    """A plain-text table of ``rows``."""
    header = ("module", "params", "", "FLOPs", "MACs")
    lines = [(r.name, f"{r.params:,}", human(r.params), human(r.flops), human(r.macs)) for r in rows]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *lines)]

    def fmt(cells: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    rule = "  ".join("-" * w for w in widths)
    body = [fmt(line) for line in lines]
    return "\n".join([f"input (1, 3, {shape[0]}, {shape[1]})", fmt(header), rule, *body[:-1], rule, body[-1]])
