"""Evaluation on ``data.val`` during training (``evaluation:``), with the best checkpoint kept."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clscore.checkpoint import is_inside, remove_file
from clscore.engine.hooks.base import Hook
from clscore.errors import CheckpointError

if TYPE_CHECKING:
    from clscore.engine.runner import Runner


class EvalHook(Hook):
    """Evaluates every ``interval`` epochs (iterations for iteration-based runs) from ``start`` on.

    ``metric`` / ``metric_options`` choose the metric components (default accuracy, top-1/top-5
    a k above the class count is clipped by the metric). ``save_best`` (a metric name or ``auto``) keeps
    ``best_<metric>_epoch_N.pth``; ``rule`` is ``greater`` (default) or ``less``. Checkpoints record the
    best file relative to the work dir, so a copied work dir resumes with its own copy; a best
    checkpoint that cannot be written (disk full) is warned about and training goes on.
    """

    priority = "LOW"

    def __init__(
        self,
        interval: int = 1,
        by_epoch: bool | None = None,
        start: int | None = None,
        metric: str | Sequence[str] | None = None,
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
        self._work_dir: Path | None = None

    def before_run(self, runner: Runner) -> None:
        if self.by_epoch is None:
            self.by_epoch = runner.by_epoch
        self._work_dir = runner.work_dir
        self.best_checkpoint = self._in_work_dir(self.best_checkpoint)
        from clscore.evaluation import build_metrics

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
        from clscore.evaluation import best_key

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
        kept = self.best_score, self.best_key, self.best_checkpoint
        self.best_score, self.best_key, self.best_checkpoint = score, key, str(path)
        try:
            runner.save_checkpoint(path, update_latest=False)
        except CheckpointError as exc:  # the best checkpoint is a copy: training goes on without it
            self.best_score, self.best_key, self.best_checkpoint = kept
            runner.logger.warning(
                "%s: %.4f would be the new best %s, but saving it failed: %s", unit, score, key, exc
            )
            return
        if runner.is_main:
            runner.logger.info("new best %s: %.4f, saved %s", key, score, path.name)
            if kept[2] and Path(kept[2]) != path:
                remove_file(kept[2], runner.work_dir)

    def _in_work_dir(self, stored: str | None) -> str | None:
        """A best-checkpoint path from a checkpoint, in this run's work dir: relative names are joined to
        it, and an absolute path into another work dir (an older checkpoint, a copied work dir) becomes
        the file of that name here."""
        if not stored or self._work_dir is None:
            return stored
        path = Path(stored)
        if not path.is_absolute():
            return str(self._work_dir / path)
        return str(path if is_inside(path, self._work_dir) else self._work_dir / path.name)

    def state_dict(self) -> dict[str, Any]:
        best = self.best_checkpoint
        if best and self._work_dir is not None and is_inside(best, self._work_dir):
            best = os.path.relpath(best, self._work_dir)
        return {"best_score": self.best_score, "best_key": self.best_key, "best_checkpoint": best}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best_score = state.get("best_score")
        self.best_key = state.get("best_key")
        self.best_checkpoint = self._in_work_dir(state.get("best_checkpoint"))
