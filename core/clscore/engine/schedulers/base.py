"""The shared part of every lr policy: ``by_epoch`` progress and warmup, driven per iteration.

A policy (what ``lr_config`` builds) is plain configuration: it says which lr a parameter group with
base lr ``base_lr`` has at a given iteration. :meth:`LrPolicy.bind` attaches it to an optimizer as a
``torch.optim.lr_scheduler.LRScheduler`` whose ``step()`` is called after every optimizer step, so the
lr at iteration ``i`` (0-based, global) is exactly MMCV's ``LrUpdaterHook`` value for ``runner.iter == i``.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch.optim.lr_scheduler import LRScheduler

WARMUP_TYPES = ("constant", "linear", "exp")


class LrPolicy:
    """Base class of the ``lr_config`` policies; subclasses implement :meth:`get_lr`.

    ``by_epoch``: the policy's progress is the epoch (0-based) rather than the iteration.
    ``warmup`` (constant / linear / exp, any case) scales the scheduled lr during the first
    ``warmup_iters`` iterations (epochs when ``warmup_by_epoch``), starting at ``warmup_ratio``.
    """

    def __init__(
        self,
        by_epoch: bool = True,
        warmup: str | None = None,
        warmup_iters: int = 0,
        warmup_ratio: float = 0.1,
        warmup_by_epoch: bool = False,
    ) -> None:
        if warmup is not None:
            warmup = str(warmup).lower()
            if warmup not in WARMUP_TYPES:
                raise ValueError(f"warmup must be one of {', '.join(WARMUP_TYPES)} or null, got {warmup!r}")
            if int(warmup_iters) <= 0:
                raise ValueError(
                    f"warmup_iters must be a positive integer when warmup is set, got {warmup_iters}"
                )
            if not 0 < float(warmup_ratio) <= 1.0:
                raise ValueError(f"warmup_ratio must be in (0, 1], got {warmup_ratio}")
        self.by_epoch = bool(by_epoch)
        self.warmup = warmup
        self.warmup_iters = int(warmup_iters)
        self.warmup_ratio = float(warmup_ratio)
        self.warmup_by_epoch = bool(warmup_by_epoch)

    # -- what subclasses provide --------------------------------------------------------------------
    def get_lr(self, base_lr: float, progress: int, max_progress: int) -> float:
        """The scheduled (post-warmup) lr at ``progress`` (epoch or iteration) out of ``max_progress``."""
        raise NotImplementedError

    def prepare(self, optimizer: torch.optim.Optimizer, max_iters: int) -> None:
        """Adjust the optimizer before the scheduler reads its base lrs (OneCycle sets them)."""

    # -- shared ------------------------------------------------------------------------------------------
    def warmup_factor(self, it: int, warmup_iters: int) -> float:
        if self.warmup is None or it >= warmup_iters:
            return 1.0
        if self.warmup == "constant":
            return self.warmup_ratio
        if self.warmup == "linear":
            return 1 - (1 - it / warmup_iters) * (1 - self.warmup_ratio)
        return self.warmup_ratio ** (1 - it / warmup_iters)

    def bind(
        self,
        optimizer: torch.optim.Optimizer,
        *,
        iters_per_epoch: int,
        max_iters: int,
        max_epochs: int | None = None,
    ) -> PolicyScheduler:
        """A torch scheduler applying this policy to ``optimizer``; ``step()`` it once per iteration."""
        return PolicyScheduler(
            optimizer, self, iters_per_epoch=iters_per_epoch, max_iters=max_iters, max_epochs=max_epochs
        )


class PolicyScheduler(LRScheduler):
    """``LRScheduler`` whose ``last_epoch`` counts iterations; the lr comes from an :class:`LrPolicy`."""

    def __init__(
        self,
        optimizer: torch.optim.Optimizer,
        policy: LrPolicy,
        *,
        iters_per_epoch: int,
        max_iters: int,
        max_epochs: int | None = None,
    ) -> None:
        self.policy = policy
        self.iters_per_epoch = max(1, int(iters_per_epoch))
        self.max_iters = int(max_iters)
        self.max_epochs = (
            int(max_epochs) if max_epochs is not None else math.ceil(self.max_iters / self.iters_per_epoch)
        )
        warmup = policy.warmup_iters
        self.warmup_iters = warmup * self.iters_per_epoch if policy.warmup_by_epoch else warmup
        policy.prepare(optimizer, self.max_iters)
        super().__init__(optimizer)

    def lr_at(self, it: int, base_lr: float) -> float:
        """The lr of a group with base lr ``base_lr`` at global iteration ``it`` (0-based)."""
        if self.policy.by_epoch:
            progress, max_progress = it // self.iters_per_epoch, self.max_epochs
        else:
            progress, max_progress = it, self.max_iters
        regular = self.policy.get_lr(base_lr, progress, max_progress)
        return regular * self.policy.warmup_factor(it, self.warmup_iters)

    def get_lr(self) -> list[float]:  # type: ignore[override]
        return [self.lr_at(self.last_epoch, float(base)) for base in self.base_lrs]

    def state_dict(self) -> dict[str, Any]:
        """Counters and lrs only (plain data, so checkpoints load with ``weights_only=True``)."""
        return {
            "last_epoch": self.last_epoch,
            "base_lrs": [float(b) for b in self.base_lrs],
            "_step_count": self._step_count,
            "_last_lr": [float(v) for v in self._last_lr],
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        for key in ("last_epoch", "base_lrs", "_step_count", "_last_lr"):
            if key in state_dict:
                setattr(self, key, state_dict[key])
