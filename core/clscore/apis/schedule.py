"""The learning rate at every iteration of a run, computed without training.

The engine's own pieces are used (optimizer builder, ``lr_config`` policy, ``PolicyScheduler``), on
a one-parameter stand-in model, so the values are exactly those the runner would apply.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from clscore.errors import ConfigError


def iterations_per_epoch(
    cfg: Mapping[str, Any], *, dataset_size: int | None = None, world_size: int = 1
) -> int:
    """``ceil(len(train set) / (samples_per_gpu * world_size))``; the train set is built unless its size is given."""
    from clscore.data.builder import build_dataset, loader_options

    data = cfg.get("data") or {}
    if dataset_size is None:
        dataset_size = len(build_dataset(data.get("train"), split="train"))

    options = loader_options(data, "train")
    per_step = int(options["samples_per_gpu"]) * max(1, int(world_size))
    if options.get("drop_last"):
        return max(1, dataset_size // per_step)
    return max(1, math.ceil(dataset_size / per_step))


def lr_schedule(cfg: Mapping[str, Any], iters_per_epoch: int) -> tuple[list[float], int | None]:
    """The lr used at each iteration (0-based) and the number of epochs (``None`` for iteration-based runs)."""
    from clscore.engine.builders import build_lr_policy, runner_limits
    from clscore.engine.optim import build_optimizer

    if not cfg.get("optimizer"):
        raise ConfigError("the config has no 'optimizer' section, so it has no learning rate to draw")
    plain = cfg.to_dict() if hasattr(cfg, "to_dict") else dict(cfg)
    max_epochs, max_iters = runner_limits(plain.get("runner"), plain.get("total_epochs"))
    total = max_epochs * iters_per_epoch if max_epochs is not None else int(max_iters or 0)
    stand_in = nn.Linear(1, 1, bias=False)
    optimizer = build_optimizer(stand_in, plain["optimizer"])
    scheduler = build_lr_policy(plain.get("lr_config")).bind(
        optimizer, iters_per_epoch=iters_per_epoch, max_iters=total, max_epochs=max_epochs
    )
    lrs = []
    for _ in range(total):
        lrs.append(float(optimizer.param_groups[0]["lr"]))
        optimizer.zero_grad(set_to_none=True)
        with torch.no_grad():
            optimizer.step()
        scheduler.step()
    return lrs, max_epochs
