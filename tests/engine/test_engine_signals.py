"""SIGTERM, SIGUSR1 and Ctrl-C in the training loop: finish the iteration, save, log one line, stop."""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch

from clscore import train
from clscore.engine.hooks.base import Hook
from clscore.engine.signals import EXIT_INTERRUPTED, EXIT_RESUMABLE, StopRequest
from clscore.errors import TrainingStopped
from clscore.hookspecs import hookimpl
from clscore.plugins import PluginHost
from clscore.testing import TINY_DATA_PLUGIN, isolated_host, use_host


class SendSignal(Hook):
    """Sends ``signals`` to this process after iteration ``at`` (as SLURM or a terminal would)."""

    def __init__(self, at: int, signals: list[str]) -> None:
        self.at, self.signals = at, signals

    def after_train_iter(self, runner: Any) -> None:
        if runner.iter == self.at:
            for name in self.signals:
                os.kill(os.getpid(), getattr(signal, name))


class SignalPlugin:
    name = "signaltest"

    @hookimpl
    def register_runner_hooks(self, registry: Any) -> None:
        registry.add("SendSignal", SendSignal, summary="Test hook: send signals to this process.")


@pytest.fixture
def signal_host() -> Iterator[PluginHost]:
    with use_host(isolated_host(TINY_DATA_PLUGIN, SignalPlugin())) as host:
        yield host


@pytest.fixture(autouse=True)
def _restore_handlers() -> Iterator[None]:
    """A stop leaves SIGTERM/SIGUSR1 handled (flag only) until the process ends; not across tests."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGUSR1, signal.SIGINT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def run(cfg: dict, work_dir: Path, **kwargs: Any) -> dict:
    return train(cfg, work_dir=work_dir, device="cpu", deterministic=True, **kwargs)


def interrupted(cfg: dict, work_dir: Path, at: int, *signals: str) -> TrainingStopped:
    hooks = [{"type": "SendSignal", "at": at, "signals": list(signals)}]
    with pytest.raises(TrainingStopped) as info:
        run(dict(cfg, custom_hooks=hooks), work_dir)
    return info.value


def log_text(work_dir: Path) -> str:
    return next(work_dir.glob("*.log")).read_text()


def weights(path: Path) -> dict[str, torch.Tensor]:
    return torch.load(path, weights_only=True)["state_dict"]


def test_sigterm_mid_epoch_saves_and_auto_resume_is_bit_identical(signal_host, tiny_cfg, tmp_path):
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    full = run(tiny_cfg, tmp_path / "full")
    assert signal.getsignal(signal.SIGTERM) is before[signal.SIGTERM]  # restored after a run
    stop = interrupted(tiny_cfg, tmp_path / "part", 4, "SIGTERM")
    # after a stop a late SIGTERM only sets the flag again, so the process still ends with 75
    assert signal.getsignal(signal.SIGINT) is before[signal.SIGINT]
    assert signal.getsignal(signal.SIGTERM) is not before[signal.SIGTERM]
    assert stop.exit_code == EXIT_RESUMABLE
    saved = tmp_path / "part" / "iter_4.pth"
    line = f"received SIGTERM at epoch 2 iteration 1/3 (iteration 4 of 9); saved {saved}"
    assert line in str(stop) and line in log_text(tmp_path / "part")
    assert (tmp_path / "part" / "latest").read_text().strip() == "iter_4.pth"
    meta = torch.load(saved, weights_only=True)["meta"]
    assert (meta["epoch"], meta["iter"]) == (1, 4)
    assert not (tmp_path / "part" / "epoch_2.pth").exists()

    result = run(tiny_cfg, tmp_path / "part", auto_resume=True)
    assert result["iter"] == 9
    a, b = weights(Path(full["checkpoint"])), weights(Path(result["checkpoint"]))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_sigusr1_on_an_epoch_boundary_keeps_the_epoch_checkpoint(signal_host, tiny_cfg, tmp_path):
    stop = interrupted(tiny_cfg, tmp_path, 3, "SIGUSR1")
    assert stop.exit_code == EXIT_RESUMABLE
    assert (
        f"received SIGUSR1 at epoch 1 iteration 3/3 (iteration 3 of 9); saved {tmp_path / 'epoch_1.pth'}"
        in (log_text(tmp_path))
    )
    assert not list(tmp_path.glob("iter_*.pth"))  # the epoch's own checkpoint is the resume point
    assert '"mode": "val"' in next(tmp_path.glob("*.log.json")).read_text()  # epoch 1 was evaluated


def test_ctrl_c_saves_and_exits_130(signal_host, tiny_cfg, tmp_path):
    stop = interrupted(tiny_cfg, tmp_path, 5, "SIGINT")
    assert stop.exit_code == EXIT_INTERRUPTED
    assert "received SIGINT at epoch 2 iteration 2/3" in log_text(tmp_path)
    assert (tmp_path / "iter_5.pth").exists()


def test_second_ctrl_c_aborts_without_saving(signal_host, tiny_cfg, tmp_path):
    stop = interrupted(tiny_cfg, tmp_path, 5, "SIGINT", "SIGINT")
    assert stop.exit_code == EXIT_INTERRUPTED
    line = "interrupted a second time (Ctrl-C) at epoch 2 iteration 2/3 (iteration 5 of 9): stopped without saving"
    assert line in log_text(tmp_path)
    assert f"the last checkpoint is {tmp_path / 'epoch_1.pth'}" in log_text(tmp_path)
    assert not list(tmp_path.glob("iter_*.pth"))
    shutil.rmtree(tmp_path)


def test_stop_request_agrees_on_the_first_signal_and_is_sticky():
    stop = StopRequest()
    assert stop.agreed() == 0
    stop._handle(signal.SIGUSR1, None)
    stop._handle(signal.SIGTERM, None)
    assert stop.agreed() == signal.SIGUSR1
    with pytest.raises(KeyboardInterrupt):
        stop._handle(signal.SIGINT, None)
