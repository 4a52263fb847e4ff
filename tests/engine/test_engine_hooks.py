"""Runner hooks in isolation: priorities, retention, the progress bar, built-in registrations."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from clscore.checkpoint import save_checkpoint
from clscore.engine.hooks import CheckpointHook, Hook, ProgressBarHook, get_priority
from clscore.plugins import build


class FakeRunner(SimpleNamespace):
    def save_checkpoint(self, path: Path, save_optimizer: bool = True, update_latest: bool = True) -> None:
        save_checkpoint(path, {"state_dict": {"w": torch.zeros(1)}})
        self.last_checkpoint = path

    def protected_checkpoints(self) -> list[Path]:
        return [p for p in (self.resumed_from, self.last_checkpoint) if p is not None]


def test_priorities():
    assert get_priority("very_high") == 10 and get_priority(55) == 55
    with pytest.raises(ValueError, match="unknown hook priority"):
        get_priority("urgent")


def test_retention_keeps_the_newest_and_never_the_resumed_from(tmp_path):
    resumed = tmp_path / "epoch_1.pth"
    save_checkpoint(resumed, {"state_dict": {}})
    runner = FakeRunner(
        work_dir=tmp_path,
        is_main=True,
        by_epoch=True,
        epoch=0,
        max_epochs=10,
        resumed_from=resumed,
        last_checkpoint=None,
    )
    hook = CheckpointHook(interval=1, max_keep_ckpts=2)
    hook.before_run(runner)
    for epoch in range(2, 6):
        runner.epoch = epoch
        hook.after_train_epoch(runner)
    assert sorted(p.name for p in tmp_path.glob("epoch_*.pth")) == [
        "epoch_1.pth",
        "epoch_4.pth",
        "epoch_5.pth",
    ]


def test_progress_bar_on_a_terminal_only():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    runner = FakeRunner(
        is_main=True,
        by_epoch=True,
        epoch=0,
        max_epochs=2,
        iters_per_epoch=4,
        inner_iter=0,
        iter=0,
        max_iters=8,
        log_record=None,
        last_loss=0.5,
        eta_seconds=lambda: 12.0,
    )
    stream = Tty()
    bar = ProgressBarHook(stream)
    bar.before_run(runner)
    runner.inner_iter = runner.iter = 4
    bar.after_train_iter(runner)
    assert "epoch 1/2 [" in stream.getvalue() and "4/4 loss 0.5000 eta 0:00:12" in stream.getvalue()
    plain = io.StringIO()
    quiet = ProgressBarHook(plain)
    quiet.before_run(runner)
    quiet.after_train_iter(runner)
    assert plain.getvalue() == ""


def test_builtin_runner_hooks_are_registered(clscore_host):
    hook = build("runner_hook", {"type": "EMAHook", "momentum": 0.001})
    assert isinstance(hook, Hook) and hook.momentum == 0.001
    assert isinstance(build("runner_hook", {"type": "ClassNumCheckHook"}), Hook)
