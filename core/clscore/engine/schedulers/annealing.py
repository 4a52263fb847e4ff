"""Annealing lr policies of mmcv 1.7 (flat-cosine, linear, cyclic) and MMClassification 0.25 (cosine cooldown).

Same conventions as :mod:`clscore.engine.schedulers.policies`: ``progress`` is the 0-based epoch
(``by_epoch``) or global iteration, ``max_progress`` the number of epochs or iterations of the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from clscore.engine.schedulers.base import LrPolicy
from clscore.engine.schedulers.policies import MinLrPolicy, annealing_cos, annealing_linear


class FlatCosineAnnealingLr(MinLrPolicy):
    """Base lr for the first ``start_percent`` of the run, then cosine decay to the minimum.

    The flat part ends at ``round(max_progress * start_percent)`` epochs (or iterations).
    """

    def __init__(
        self,
        start_percent: float = 0.75,
        min_lr: float | None = None,
        min_lr_ratio: float | None = None,
        **kwargs: Any,
    ) -> None:
        if (
            isinstance(start_percent, bool)
            or not isinstance(start_percent, (int, float))
            or not 0 <= start_percent <= 1
        ):
            raise ValueError(
                f"start_percent must be a number between 0 and 1 (e.g. 0.75), got {start_percent!r}"
            )
        self.start_percent = float(start_percent)
        super().__init__(min_lr=min_lr, min_lr_ratio=min_lr_ratio, **kwargs)

    def get_lr(self, base_lr: float, progress: int, max_progress: int) -> float:
        start = round(max_progress * self.start_percent)
        if progress < start:
            return base_lr
        return annealing_cos(base_lr, self.target(base_lr), (progress - start) / (max_progress - start))


class CosineAnnealingCooldownLr(MinLrPolicy):
    """Cosine decay to the minimum over all but the last ``cool_down_time`` epochs (or iterations).

    Progress beyond ``max_progress - cool_down_time`` holds ``minimum * cool_down_ratio`` (the whole run
    does, when it is no longer than ``cool_down_time``).
    """

    def __init__(
        self,
        min_lr: float | None = None,
        min_lr_ratio: float | None = None,
        cool_down_ratio: float = 0.1,
        cool_down_time: int = 10,
        **kwargs: Any,
    ) -> None:
        self.cool_down_ratio = float(cool_down_ratio)
        self.cool_down_time = int(cool_down_time)
        super().__init__(min_lr=min_lr, min_lr_ratio=min_lr_ratio, **kwargs)

    def get_lr(self, base_lr: float, progress: int, max_progress: int) -> float:
        target = self.target(base_lr)
        anneal_span = max_progress - self.cool_down_time
        if progress > anneal_span or anneal_span <= 0:
            return target * self.cool_down_ratio
        return annealing_cos(base_lr, target, progress / anneal_span)


class LinearAnnealingLr(MinLrPolicy):
    """Linear decay from the base lr to the minimum over the run."""

    def get_lr(self, base_lr: float, progress: int, max_progress: int) -> float:
        return annealing_linear(base_lr, self.target(base_lr), progress / max_progress)


class CyclicLr(LrPolicy):
    """Cyclical lr (Smith, 2017) with cosine or linear ramps, per iteration only.

    The run is split into ``cyclic_times`` cycles of ``max_iters // cyclic_times`` iterations; each rises
    from the base lr to ``base_lr * target_ratio[0]`` during the first ``step_ratio_up`` of the cycle,
    then falls to ``base_lr * target_ratio[1]``. ``gamma`` < 1 shrinks the peak of each later cycle
    towards the base lr by ``gamma ** cycle``. A single float ``target_ratio`` r means ``(r, r / 1e5)``.
    """

    def __init__(
        self,
        by_epoch: bool = False,
        target_ratio: float | Sequence[float] = (10, 1e-4),
        cyclic_times: int = 1,
        step_ratio_up: float = 0.4,
        anneal_strategy: str = "cos",
        gamma: float = 1.0,
        **kwargs: Any,
    ) -> None:
        if by_epoch:
            raise ValueError("Cyclic changes the lr per iteration only; set by_epoch: false")
        if isinstance(target_ratio, (int, float)):
            ratios = (float(target_ratio), float(target_ratio) / 1e5)
        elif len(target_ratio) == 1:
            ratios = (float(target_ratio[0]), float(target_ratio[0]) / 1e5)
        elif len(target_ratio) == 2:
            ratios = (float(target_ratio[0]), float(target_ratio[1]))
        else:
            raise ValueError(
                f"target_ratio must be a float or a list of one or two floats, got {target_ratio!r}"
            )
        if not 0 <= float(step_ratio_up) < 1:
            raise ValueError(f"step_ratio_up must be in [0, 1), got {step_ratio_up}")
        if not 0 < float(gamma) <= 1:
            raise ValueError(f"gamma must be in (0, 1], got {gamma}")
        if int(cyclic_times) <= 0:
            raise ValueError(f"cyclic_times must be a positive integer, got {cyclic_times}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}")
        self.target_ratio = ratios
        self.cyclic_times = int(cyclic_times)
        self.step_ratio_up = float(step_ratio_up)
        self.gamma = float(gamma)
        self.anneal = annealing_cos if anneal_strategy == "cos" else annealing_linear
        super().__init__(by_epoch=False, **kwargs)
        self.cycle_len = 0
        self.up_len = 0

    def prepare(self, optimizer: torch.optim.Optimizer, max_iters: int) -> None:
        self.cycle_len = int(max_iters) // self.cyclic_times
        if self.cycle_len <= 0:
            raise ValueError(
                f"Cyclic needs at least cyclic_times ({self.cyclic_times}) iterations, the run has {max_iters}"
            )
        self.up_len = int(self.step_ratio_up * self.cycle_len)

    def get_lr(self, base_lr: float, progress: int, max_progress: int) -> float:
        cycle, pos = divmod(progress, self.cycle_len)
        scale = self.gamma**cycle
        high, low = self.target_ratio
        if pos < self.up_len:
            return self.anneal(base_lr, base_lr * (1 - scale + high * scale), pos / self.up_len)
        if self.up_len == 0:
            # mmcv scales the phase that starts at iteration 0 of a cycle at its end; with no rising
            # phase that is the falling one, so its start stays at the full peak.
            start, end = high, 1 - scale + low * scale
        else:
            start, end = 1 - scale + high * scale, low
        return self.anneal(
            base_lr * start, base_lr * end, (pos - self.up_len) / (self.cycle_len - self.up_len)
        )
