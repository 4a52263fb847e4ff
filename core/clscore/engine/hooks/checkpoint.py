"""Periodic checkpoints (``checkpoint_config``) with safe retention."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from clscore.checkpoint import remove_file
from clscore.engine.hooks.base import Hook

if TYPE_CHECKING:
    from clscore.engine.runner import Runner


class CheckpointHook(Hook):
    """Saves ``epoch_N.pth`` / ``iter_N.pth`` every ``interval`` epochs (iterations) and moves ``latest``.

    ``max_keep_ckpts > 0`` keeps that many periodic checkpoints; older ones are deleted only after
    the new one is completely written, and never the best or the resumed-from checkpoint.
    ``save_last`` also saves at the end of training when the interval does not land there.
    ``format: safetensors`` also exports the weights as ``epoch_N.safetensors`` (the ``.pth`` stays,
    for resuming).

    Its priority (75) puts it after the evaluation hook (LOW, 70), unlike MMCV's NORMAL: a checkpoint
    then holds its own epoch's evaluation (the best score so far) and every hook's state after the
    stage, so resuming from it forgets nothing.
    """

    priority = 75

    def __init__(
        self,
        interval: int = 1,
        by_epoch: bool | None = None,
        save_optimizer: bool = True,
        max_keep_ckpts: int = -1,
        save_last: bool = True,
        out_dir: str | None = None,
        format: str = "pth",
    ) -> None:
        if format not in ("pth", "safetensors"):
            raise ValueError(f"checkpoint_config.format must be 'pth' or 'safetensors', got {format!r}")
        self.format = format
        if int(interval) <= 0:
            raise ValueError(f"checkpoint_config.interval must be a positive integer, got {interval}")
        self.interval = int(interval)
        self.by_epoch = by_epoch
        self.save_optimizer = bool(save_optimizer)
        self.max_keep_ckpts = int(max_keep_ckpts)
        self.save_last = bool(save_last)
        self.out_dir = out_dir

    def before_run(self, runner: Runner) -> None:
        if self.by_epoch is None:
            self.by_epoch = runner.by_epoch

    def _folder(self, runner: Runner) -> Path:
        return Path(self.out_dir) if self.out_dir else runner.work_dir

    def after_train_epoch(self, runner: Runner) -> None:
        if self.by_epoch and (
            self.every_n_epochs(runner, self.interval) or (self.save_last and self.is_last_epoch(runner))
        ):
            self._save(runner, f"epoch_{runner.epoch}.pth")

    def after_train_iter(self, runner: Runner) -> None:
        if not self.by_epoch and (
            self.every_n_iters(runner, self.interval) or (self.save_last and self.is_last_iter(runner))
        ):
            self._save(runner, f"iter_{runner.iter}.pth")

    def _save(self, runner: Runner, name: str) -> None:
        folder = self._folder(runner)
        runner.save_checkpoint(folder / name, save_optimizer=self.save_optimizer)
        if self.format == "safetensors":
            runner.export_weights(folder / name.replace(".pth", ".safetensors"))
        if self.max_keep_ckpts > 0 and runner.is_main:
            self._prune(runner, folder, "epoch" if self.by_epoch else "iter")

    def _prune(self, runner: Runner, folder: Path, kind: str) -> None:
        pattern = re.compile(rf"^{kind}_(\d+)\.pth$")
        found = sorted(
            (int(m.group(1)), p)
            for p in folder.iterdir()
            if (m := pattern.match(p.name)) and not p.is_symlink()
        )
        protected = {p.resolve() for p in runner.protected_checkpoints()}
        for _, path in found[: max(0, len(found) - self.max_keep_ckpts)]:
            if path.resolve() not in protected:
                remove_file(path, folder)
