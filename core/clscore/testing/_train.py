"""``run_one_step``: build a config's model, data and optimizer and take a few training steps.

It uses the same building blocks as the runner (``build_model``, the dataset registry, the
optimizer builder, the loader's collate) without the runner itself, so a plugin's test takes
about a second instead of starting a whole training.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Any


def run_one_step(cfg: Mapping[str, Any], *, steps: int = 1, seed: int = 0) -> dict[str, float]:
    """Validate ``cfg``, then train ``steps`` iterations on ``data.train``; return the last losses.

    Raises ``AssertionError`` when a loss is not finite, or when no gradient reached the backbone
    (a backbone that detaches its output, or whose parameters are all frozen, trains nothing).
    """
    import torch
    from torch.utils.data import DataLoader

    from clscore import build_model
    from clscore.config import validate
    from clscore.data.builder import collate
    from clscore.engine.optim import build_optimizer
    from clscore.plugins import build

    validate(cfg)
    torch.manual_seed(seed)
    model = build_model(cfg["model"])
    model.train()
    dataset = build("dataset", cfg["data"]["train"])
    loader = DataLoader(dataset, batch_size=int(cfg["data"]["samples_per_gpu"]), collate_fn=collate)
    optimizer = build_optimizer(model, cfg["optimizer"])
    losses: Mapping[str, Any] = {}
    for batch in itertools.islice(itertools.cycle(loader), steps):
        optimizer.zero_grad()
        losses = model.loss(batch["img"], batch["gt_label"])
        total = sum(
            value for key, value in losses.items() if "loss" in key and isinstance(value, torch.Tensor)
        )
        if not isinstance(total, torch.Tensor):
            raise AssertionError(f"model.loss returned no loss tensor: {dict(losses)!r}")
        total.backward()
        _check_backbone_gradients(model)
        optimizer.step()
    result = {
        key: float(value.detach())
        for key, value in losses.items()
        if isinstance(value, torch.Tensor) and value.numel() == 1
    }
    bad = {key: value for key, value in result.items() if not math.isfinite(value)}
    if bad:
        raise AssertionError(f"non-finite losses after {steps} step(s): {bad}")
    return result


def assert_training_lowers_loss(
    cfg: Mapping[str, Any], *, steps: int = 4, factor: float = 0.9, seed: int = 0
) -> tuple[float, float]:
    """Train ``steps`` iterations on ``cfg``'s data and fail unless the loss fell below ``factor`` × the first.

    Use it with a tiny dataset that fits in one batch: every step sees the same images, so a model whose
    forward, loss and gradients work fits them, and a broken one (no gradient, a detached output, a
    wrong label order) does not. Returns ``(first, last)`` losses.
    """
    first = run_one_step(cfg, steps=1, seed=seed)["loss"]
    last = run_one_step(cfg, steps=steps, seed=seed)["loss"]
    if not last < factor * first:
        raise AssertionError(
            f"the loss did not fall below {factor} × its first value in {steps} steps: {first:.4f} -> {last:.4f}"
        )
    return first, last


def _check_backbone_gradients(model: Any) -> None:
    backbone = getattr(model, "backbone", None)
    if backbone is None:
        return
    trainable = [p for p in backbone.parameters() if p.requires_grad]
    if trainable and all(p.grad is None or not bool(p.grad.abs().sum() > 0) for p in trainable):
        raise AssertionError(
            f"no gradient reached the backbone {type(backbone).__name__}: does its forward detach "
            "its output, or return features that the loss does not depend on?"
        )
