"""Exponential moving average of the weights (MMCV ``EMAHook`` semantics)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch

from clscore.engine.hooks.base import Hook

if TYPE_CHECKING:
    from clscore.engine.runner import Runner


class EMAHook(Hook):
    """Keeps ``ema = (1 - m) * ema + m * param`` every ``interval`` iterations.

    ``m = min(momentum, (1 + step) / (warm_up + step))`` with ``step`` the 0-based iteration, so early
    steps follow the weights closely. With ``evaluate_on_ema`` the model is evaluated on the averaged
    weights (swapped in for the evaluation only). The averages are saved in checkpoints and restored
    on resume; ``resume_from`` loads them from another checkpoint.
    """

    priority = "ABOVE_NORMAL"

    def __init__(
        self,
        momentum: float = 0.0002,
        interval: int = 1,
        warm_up: int = 100,
        resume_from: str | None = None,
        evaluate_on_ema: bool = True,
    ) -> None:
        if not 0 < float(momentum) < 1:
            raise ValueError(f"EMAHook momentum must be in (0, 1), got {momentum}")
        if int(interval) <= 0 or int(warm_up) < 0:
            raise ValueError("EMAHook interval must be positive and warm_up non-negative")
        self.momentum = float(momentum)
        self.interval = int(interval)
        self.warm_up = int(warm_up)
        self.resume_from = resume_from
        self.evaluate_on_ema = bool(evaluate_on_ema)
        self.params: dict[str, torch.nn.Parameter] = {}
        self.ema: dict[str, torch.Tensor] = {}
        self._pending: dict[str, torch.Tensor] | None = None
        self._swapped = False

    def before_run(self, runner: Runner) -> None:
        self.params = dict(runner.model.named_parameters())
        self.ema = {name: p.detach().clone() for name, p in self.params.items()}
        if self.resume_from:
            from clscore.checkpoint import read_checkpoint

            state = (read_checkpoint(self.resume_from).get("hooks") or {}).get(type(self).__name__)
            if state:
                self.load_state_dict(state)
        if self._pending is not None:
            self._apply(self._pending)
            self._pending = None

    @torch.no_grad()
    def after_train_iter(self, runner: Runner) -> None:
        step = runner.iter - 1
        if step % self.interval != 0:
            return
        m = (
            self.momentum
            if self.warm_up + step == 0
            else min(self.momentum, (1 + step) / (self.warm_up + step))
        )
        for name, param in self.params.items():
            self.ema[name].mul_(1 - m).add_(param.detach(), alpha=m)

    @torch.no_grad()
    def _swap(self) -> None:
        for name, param in self.params.items():
            tmp = param.detach().clone()
            param.copy_(self.ema[name])
            self.ema[name].copy_(tmp)
        self._swapped = not self._swapped

    def before_val_epoch(self, runner: Runner) -> None:
        if self.evaluate_on_ema and not self._swapped:
            self._swap()

    def after_val_epoch(self, runner: Runner) -> None:
        if self._swapped:
            self._swap()

    def state_dict(self) -> dict[str, Any]:
        return {"ema": {name: t.detach().cpu() for name, t in self.ema.items()}}

    def _apply(self, ema: dict[str, torch.Tensor]) -> None:
        for name, value in ema.items():
            if name in self.ema:
                self.ema[name].copy_(value.to(self.ema[name].device))

    def load_state_dict(self, state: dict[str, Any]) -> None:
        ema = state.get("ema") or {}
        if self.ema:
            self._apply(ema)
        else:  # resumed before ``before_run`` built the buffers
            self._pending = dict(ema)
