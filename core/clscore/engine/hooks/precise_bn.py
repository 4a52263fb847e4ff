"""Precise BatchNorm statistics (Wu & Johnson 2021; MMClassification's ``PreciseBNHook``)."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from clscore import dist
from clscore.checkpoint import unwrap_model
from clscore.engine.hooks.base import Hook

if TYPE_CHECKING:
    from clscore.engine.runner import Runner


class _Moments:
    """Per-channel sums of one BN layer's inputs (float64), to give the exact population mean/var."""

    def __init__(self) -> None:
        self.count = 0.0
        self.total: torch.Tensor | None = None
        self.squares: torch.Tensor | None = None

    def __call__(self, _module: nn.Module, inputs: tuple[torch.Tensor, ...]) -> None:
        x = inputs[0].detach().double()
        dims = [d for d in range(x.dim()) if d != 1]
        total, squares = x.sum(dims), (x * x).sum(dims)
        self.total = total if self.total is None else self.total + total
        self.squares = squares if self.squares is None else self.squares + squares
        self.count += x.numel() / x.shape[1]


class PreciseBNHook(Hook):
    """Recompute BN running statistics over ``num_samples`` training samples every ``interval`` epochs.

    The momentum averages BN keeps during training lag behind the weights; after each ``interval``-th
    epoch (before evaluation: priority ABOVE_NORMAL) the model runs in train mode without gradients on
    ``num_samples // (batch size × world size)`` training batches, and every BN layer that is training
    gets the true mean and (unbiased) variance of its inputs over those samples, summed over all ranks.
    """

    priority = "ABOVE_NORMAL"

    def __init__(self, num_samples: int = 8192, interval: int = 1) -> None:
        if int(num_samples) <= 0 or int(interval) <= 0:
            raise ValueError("PreciseBNHook num_samples and interval must be positive")
        self.num_samples = int(num_samples)
        self.interval = int(interval)

    def after_train_epoch(self, runner: Runner) -> None:
        if self.every_n_epochs(runner, self.interval):
            self.update(runner)

    @torch.no_grad()
    def update(self, runner: Runner) -> None:
        model = unwrap_model(runner.model)
        loader = runner.train_loader
        per_step = int(loader.batch_size or 1) * runner.dist_info.world_size
        batches = min(max(1, self.num_samples // per_step), len(loader))
        was_training = model.training
        model.train()
        layers = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.training]
        layers = [m for m in layers if m.track_running_stats]
        if not layers:
            model.train(was_training)
            return
        # the runner's own input step (uint8 batches normalised on the device), as for training
        prepare = getattr(runner, "train_input", None) or runner.precision.prepare_input
        moments = [_Moments() for _ in layers]
        handles = [m.register_forward_pre_hook(s) for m, s in zip(layers, moments)]
        try:
            for batch in itertools.islice(iter(loader), batches):
                img = prepare(batch["img"].to(runner.device, non_blocking=True))
                with runner.precision.autocast():
                    model(img)
        finally:
            for handle in handles:
                handle.remove()
            model.train(was_training)
        for layer, stats in zip(layers, moments):
            _assign(layer, stats)
        runner.logger.info(
            "PreciseBN: recomputed the statistics of %d BN layers over %d batches of %d samples",
            len(layers),
            batches,
            per_step,
        )


def _assign(layer: nn.modules.batchnorm._BatchNorm, stats: _Moments) -> None:
    """The layer's running mean and unbiased variance from the (all-ranks) sums of its inputs."""
    assert stats.total is not None and stats.squares is not None
    packed = torch.cat([stats.total, stats.squares, stats.total.new_tensor([stats.count])])
    if dist.is_dist():
        torch.distributed.all_reduce(packed, op=torch.distributed.ReduceOp.SUM)
    channels = stats.total.numel()
    total, squares, count = packed[:channels], packed[channels : 2 * channels], packed[-1]
    mean = total / count
    var = (squares / count - mean * mean).clamp_min(0) * (count / max(count - 1, 1))
    running_mean: Any = layer.running_mean
    running_var: Any = layer.running_var
    running_mean.copy_(mean.to(running_mean.dtype))
    running_var.copy_(var.to(running_var.dtype))


__all__ = ["PreciseBNHook"]
