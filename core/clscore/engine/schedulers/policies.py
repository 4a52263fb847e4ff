"""The ``lr_config.policy`` values of MMCV 0.x / mmcv 1.x, as :class:`LrPolicy` subclasses.

Formulas follow mmcv's ``lr_updater.py``; ``progress`` is the 0-based epoch (``by_epoch``) or the
0-based global iteration, ``max_progress`` the number of epochs or iterations of the run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch

from clscore.engine.schedulers.base import LrPolicy


def annealing_cos(start: float, end: float, factor: float, weight: float = 1.0) -> float:
    """Cosine from ``start`` (factor 0) to ``end`` (factor 1), the ``start - end`` span scaled by ``weight``."""
    return end + 0.5 * weight * (start - end) * (math.cos(math.pi * factor) + 1)


def annealing_linear(start: float, end: float, factor: float) -> float:
    return start + (end - start) * factor


def _target_lr(base_lr: float, min_lr: float | None, min_lr_ratio: float | None) -> float:
    return base_lr * min_lr_ratio if min_lr_ratio is not None else float(min_lr or 0.0)


def _check_one_of(min_lr: float | None, min_lr_ratio: float | None) -> None:
    if (min_lr is None) == (min_lr_ratio is None):
        raise ValueError("give exactly one of min_lr and min_lr_ratio")


class FixedLr(LrPolicy):
    """Keeps every group at its base lr (warmup still applies)."""

    def get_lr(self, base_lr: float, progress: int, max_progress: int) -> float:
        return base_lr


class StepLr(LrPolicy):
    """Multiplies the lr by ``gamma`` at each milestone in ``step`` (a list), or every ``step`` (an int)."""

    def __init__(
        self,
        step: int | Sequence[int],
        gamma: float = 0.1,
        min_lr: float | None = None,
        **kwargs: Any,
    ) -> None:
        if isinstance(step, int):
            if step <= 0:
                raise ValueError(f"step must be a positive integer, got {step}")
        else:
            step = [int(s) for s in step]
            if not all(s > 0 for s in step):
                raise ValueError(f"step milestones must be positive integers, got {step}")
        self.step = step
        self.gamma = float(gamma)
        self.min_lr = min_lr
        super().__init__(**kwargs)

    def get_lr(self, base_lr: float, progress: int, max_progress: int) -> float:
        if isinstance(self.step, int):
            exp = progress // self.step
        else:
            exp = sum(1 for s in self.step if progress >= s)
        lr = base_lr * self.gamma**exp
        return max(lr, self.min_lr) if self.min_lr is not None else lr


class ExpLr(LrPolicy):
    """``base_lr * gamma ** progress``."""

    def __init__(self, gamma: float, **kwargs: Any) -> None:
        self.gamma = float(gamma)
        super().__init__(**kwargs)

    def get_lr(self, base_lr: float, progress: int, max_progress: int) -> float:
        return base_lr * self.gamma**progress


class PolyLr(LrPolicy):
    """``(base_lr - min_lr) * (1 - progress / max_progress) ** power + min_lr``."""

    def __init__(self, power: float = 1.0, min_lr: float = 0.0, **kwargs: Any) -> None:
        self.power = float(power)
        self.min_lr = float(min_lr)
        super().__init__(**kwargs)

    def get_lr(self, base_lr: float, progress: int, max_progress: int) -> float:
        coeff = max(0.0, 1 - progress / max_progress) ** self.power
        return (base_lr - self.min_lr) * coeff + self.min_lr


class InvLr(LrPolicy):
    """``base_lr * (1 + gamma * progress) ** -power``."""

    def __init__(self, gamma: float, power: float = 1.0, **kwargs: Any) -> None:
        self.gamma = float(gamma)
        self.power = float(power)
        super().__init__(**kwargs)

    def get_lr(self, base_lr: float, progress: int, max_progress: int) -> float:
        return base_lr * (1 + self.gamma * progress) ** (-self.power)


class MinLrPolicy(LrPolicy):
    """A policy that anneals towards ``min_lr`` or ``base_lr * min_lr_ratio`` (exactly one given)."""

    def __init__(self, min_lr: float | None = None, min_lr_ratio: float | None = None, **kwargs: Any) -> None:
        _check_one_of(min_lr, min_lr_ratio)
        self.min_lr = min_lr
        self.min_lr_ratio = min_lr_ratio
        super().__init__(**kwargs)

    def target(self, base_lr: float) -> float:
        return _target_lr(base_lr, self.min_lr, self.min_lr_ratio)


class CosineAnnealingLr(MinLrPolicy):
    """Cosine decay from the base lr to ``min_lr`` (or ``base_lr * min_lr_ratio``) over the run."""

    def get_lr(self, base_lr: float, progress: int, max_progress: int) -> float:
        return annealing_cos(base_lr, self.target(base_lr), min(progress / max_progress, 1.0))


class CosineRestartLr(MinLrPolicy):
    """Cosine annealing restarted after each of ``periods``, each cycle scaled by ``restart_weights``."""

    def __init__(
        self,
        periods: Sequence[int],
        restart_weights: Sequence[float] = (1.0,),
        min_lr: float | None = None,
        min_lr_ratio: float | None = None,
        **kwargs: Any,
    ) -> None:
        self.periods = [int(p) for p in periods]
        self.restart_weights = [float(w) for w in restart_weights]
        if len(self.periods) != len(self.restart_weights):
            raise ValueError("periods and restart_weights must have the same length")
        if not all(p > 0 for p in self.periods):
            raise ValueError(f"periods must be positive, got {self.periods}")
        self.cumulative = [sum(self.periods[: i + 1]) for i in range(len(self.periods))]
        super().__init__(min_lr=min_lr, min_lr_ratio=min_lr_ratio, **kwargs)

    def get_lr(self, base_lr: float, progress: int, max_progress: int) -> float:
        target = self.target(base_lr)
        idx = next((i for i, end in enumerate(self.cumulative) if progress < end), len(self.periods) - 1)
        start = 0 if idx == 0 else self.cumulative[idx - 1]
        alpha = min((progress - start) / self.periods[idx], 1.0)
        return annealing_cos(base_lr, target, alpha, self.restart_weights[idx])


class OneCycleLr(LrPolicy):
    """The 1cycle policy (per iteration): warm up to ``max_lr``, then anneal to ``max_lr / div / final_div``.

    The base lr of each group becomes ``max_lr / div_factor``; ``total_steps`` defaults to the run's
    iterations. ``by_epoch`` is always false for this policy.
    """

    def __init__(
        self,
        max_lr: float | Sequence[float],
        total_steps: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        **kwargs: Any,
    ) -> None:
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}")
        if not 0 <= float(pct_start) <= 1:
            raise ValueError(f"pct_start must be in [0, 1], got {pct_start}")
        self.max_lr = max_lr
        self.total_steps = total_steps
        self.pct_start = float(pct_start)
        self.anneal = annealing_cos if anneal_strategy == "cos" else annealing_linear
        self.div_factor = float(div_factor)
        self.final_div_factor = float(final_div_factor)
        self.three_phase = bool(three_phase)
        kwargs["by_epoch"] = False
        super().__init__(**kwargs)
        self.phases: list[tuple[float, float, float]] = []

    def prepare(self, optimizer: torch.optim.Optimizer, max_iters: int) -> None:
        total = int(self.total_steps or max_iters)
        if total < max_iters:
            raise ValueError(
                f"OneCycle total_steps ({total}) must not be less than the run's iterations ({max_iters})"
            )
        groups = optimizer.param_groups
        max_lrs = list(self.max_lr) if isinstance(self.max_lr, Sequence) else [self.max_lr] * len(groups)
        if len(max_lrs) != len(groups):
            raise ValueError(f"OneCycle max_lr has {len(max_lrs)} values for {len(groups)} param groups")
        for group, top in zip(groups, max_lrs):
            group["initial_lr"] = group["lr"] = float(top) / self.div_factor
        pct = self.pct_start * total
        if self.three_phase:
            self.phases = [
                (pct - 1, 1.0, self.div_factor),
                (2 * pct - 2, self.div_factor, 1.0),
                (total - 1, 1.0, 1.0 / self.final_div_factor),
            ]
        else:
            self.phases = [
                (pct - 1, 1.0, self.div_factor),
                (total - 1, self.div_factor, 1.0 / self.final_div_factor),
            ]

    def get_lr(self, base_lr: float, progress: int, max_progress: int) -> float:
        start = 0.0
        for i, (end, start_ratio, end_ratio) in enumerate(self.phases):
            if progress <= end or i == len(self.phases) - 1:
                pct = (progress - start) / (end - start) if end != start else 1.0
                return self.anneal(base_lr * start_ratio, base_lr * end_ratio, pct)
            start = end
        return base_lr
