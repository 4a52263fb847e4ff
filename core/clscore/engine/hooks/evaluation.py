"""Evaluation on ``data.val`` during training (``evaluation:``), with the best checkpoint kept."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clscore.engine.hooks.base import Hook

if TYPE_CHECKING:
    from clscore.engine.runner import Runner


class EvalHook(Hook):
    """Evaluates every ``interval`` epochs (iterations for iteration-based runs) from ``start`` on.

    ``metric`` / ``metric_options`` choose the metric components (default accuracy, top-1/top-5
    a k above the class count is clipped by the metric). ``save_best`` (a metric name or ``auto``) keeps
    ``best_<metric>_epoch_N.pth``; ``rule`` is ``greater`` (default) or ``less``.
    """

    priority = "LOW"

    def __init__(
        self,
        interval: int = 1,
        by_epoch: bool | None = None,
        start: int | None = None,
        metric: str | Sequence[str] = "accuracy",
        metric_options: Mapping[str, Any] | None = None,
        save_best: str | bool | None = None,
        rule: str | None = None,
    ) -> None:
        if int(interval) <= 0:
            raise ValueError(f"evaluation.interval must be a positive integer, got {interval}")
        if rule not in (None, "greater", "less"):
            raise ValueError(f"evaluation.rule must be 'greater' or 'less', got {rule!r}")
        self.interval = int(interval)
        self.by_epoch = by_epoch
        self.start = start
        self.metric = metric
        self.metric_options = metric_options
        self.save_best = save_best
        self.rule = rule
        self.best_score: float | None = None
        self.best_key: str | None = None
        self.best_checkpoint: str | None = None
        self.metrics: list[Any] | None = None

    def before_run(self, runner: Runner) -> None:
        if self.by_epoch is None:
            self.by_epoch = runner.by_epoch
        from clscore.engine.evaluate import build_metrics

        self.metrics = build_metrics(self.metric, self.metric_options, runner.num_classes)

    def _due(self, progress: int) -> bool:
        if self.start is not None and progress < self.start:
            return False
        offset = 0 if self.start is None else self.start
        return (progress - offset) % self.interval == 0

    def after_train_epoch(self, runner: Runner) -> None:
        if self.by_epoch and self._due(runner.epoch):
            self._evaluate(runner)

    def after_train_iter(self, runner: Runner) -> None:
        if not self.by_epoch and self._due(runner.iter):
            self._evaluate(runner)

    def _evaluate(self, runner: Runner) -> None:
        results = runner.evaluate(self.metrics or [])
        if self.save_best:
            self._update_best(runner, results)

    def _greater(self, key: str) -> bool:
        if self.rule is not None:
            return self.rule == "greater"
        return "loss" not in key.lower()

    def _update_best(self, runner: Runner, results: Mapping[str, Any]) -> None:
        from clscore.engine.evaluate import best_key

        key = best_key(self.save_best, results)
        if key is None:
            return
        score = float(results[key])
        if math.isnan(score):
            return
        improved = self.best_score is None or (
            score > self.best_score if self._greater(key) else score < self.best_score
        )
        if not improved:
            return
        unit = f"epoch_{runner.epoch}" if self.by_epoch else f"iter_{runner.iter}"
        path = runner.work_dir / f"best_{key.replace('/', '_')}_{unit}.pth"
        previous = self.best_checkpoint
        self.best_score, self.best_key, self.best_checkpoint = score, key, str(path)
        runner.save_checkpoint(path, update_latest=False)
        if runner.is_main:
            runner.logger.info("new best %s: %.4f, saved %s", key, score, path.name)
            if previous and Path(previous) != path:
                with contextlib.suppress(OSError):
                    Path(previous).unlink()

    def state_dict(self) -> dict[str, Any]:
        return {
            "best_score": self.best_score,
            "best_key": self.best_key,
            "best_checkpoint": self.best_checkpoint,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best_score = state.get("best_score")
        self.best_key = state.get("best_key")
        self.best_checkpoint = state.get("best_checkpoint")
