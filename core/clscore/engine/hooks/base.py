"""The runner-hook base class (MMCV-style method names) and hook priorities.

Counters a hook sees: ``runner.iter`` and ``runner.inner_iter`` count *completed* iterations (in the
run / in the current epoch), ``runner.epoch`` counts completed epochs; so in ``after_train_epoch``
of the first epoch ``runner.epoch == 1``, and in ``after_train_iter`` of the first iteration
``runner.iter == 1``. A hook whose :meth:`state_dict` returns a dict has it saved in checkpoints
and given back to :meth:`load_state_dict` on resume.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clscore.engine.runner import Runner

PRIORITIES = {
    "HIGHEST": 0,
    "VERY_HIGH": 10,
    "HIGH": 30,
    "ABOVE_NORMAL": 40,
    "NORMAL": 50,
    "BELOW_NORMAL": 60,
    "LOW": 70,
    "VERY_LOW": 90,
    "LOWEST": 100,
}


def get_priority(priority: int | str) -> int:
    """A priority as a number (lower runs first); names as in MMCV (``HIGH``, ``NORMAL``, ...)."""
    if isinstance(priority, bool):
        raise ValueError(f"invalid hook priority {priority!r}")
    if isinstance(priority, int):
        if not 0 <= priority <= 100:
            raise ValueError(f"hook priority must be between 0 and 100, got {priority}")
        return priority
    name = str(priority).upper()
    if name not in PRIORITIES:
        raise ValueError(
            f"unknown hook priority {priority!r}; use a number or one of {', '.join(PRIORITIES)}"
        )
    return PRIORITIES[name]


def overrides(hook: Any, stage: str) -> bool:
    """Whether ``hook`` does anything at ``stage``: the runner skips the base class's no-ops each iteration."""
    return stage in vars(hook) or getattr(type(hook), stage, None) is not getattr(Hook, stage, None)


class Hook:
    """Base class of runner hooks: override the stages you need; each receives the runner."""

    priority: int | str = "NORMAL"

    def before_run(self, runner: Runner) -> None:
        pass

    def after_run(self, runner: Runner) -> None:
        pass

    def before_train_epoch(self, runner: Runner) -> None:
        pass

    def after_train_epoch(self, runner: Runner) -> None:
        pass

    def before_train_iter(self, runner: Runner) -> None:
        pass

    def after_train_iter(self, runner: Runner) -> None:
        pass

    def before_val_epoch(self, runner: Runner) -> None:
        pass

    def after_val_epoch(self, runner: Runner) -> None:
        """Called after an evaluation; the metrics are in ``runner.log_record``."""

    # -- checkpointed state -------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any] | None:
        return None

    def load_state_dict(self, state: dict[str, Any]) -> None:
        pass

    # -- helpers --------------------------------------------------------------------------------------
    @staticmethod
    def every_n_epochs(runner: Runner, n: int) -> bool:
        return n > 0 and runner.epoch % n == 0

    @staticmethod
    def every_n_iters(runner: Runner, n: int) -> bool:
        return n > 0 and runner.iter % n == 0

    @staticmethod
    def is_last_epoch(runner: Runner) -> bool:
        return runner.max_epochs is not None and runner.epoch >= runner.max_epochs

    @staticmethod
    def is_last_iter(runner: Runner) -> bool:
        return runner.iter >= runner.max_iters
