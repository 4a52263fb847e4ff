"""Training logs: text lines, a JSON-lines file, TensorBoard (optional), a progress bar on terminals.

The runner averages the logged values every ``log_config.interval`` iterations (and at each epoch
end) into ``runner.log_record``; these hooks only format and write it, on rank 0.
"""

from __future__ import annotations

import datetime
import json
import shutil
import sys
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from clscore.engine.hooks.base import Hook

if TYPE_CHECKING:
    from clscore.engine.runner import Runner

_FIXED_KEYS = ("mode", "epoch", "iter", "lr", "memory", "data_time", "time")


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}" if abs(value) >= 1e-3 or value == 0 else f"{value:.3e}"
    return str(value)


def _env_meta(runner: Runner) -> dict[str, Any]:
    """The first line of the JSON log: environment, seed, config."""
    import torch

    return {
        "env_info": {
            "torch": torch.__version__,
            "device": str(runner.device),
            "world_size": runner.dist_info.world_size,
            "precision": runner.precision.name,
        },
        "seed": runner.seed,
        "exp_name": runner.meta.get("exp_name"),
        "versions": runner.meta.get("versions"),
        "config": runner.meta.get("config"),
    }


def _eta(runner: Runner) -> str:
    seconds = runner.eta_seconds()
    return str(datetime.timedelta(seconds=int(seconds))) if seconds is not None else "?"


class TextLoggerHook(Hook):
    """``Epoch [e][i/n]  lr: ..., eta: ..., time: ..., loss: ...`` lines and ``<time>.log.json``.

    The JSON file starts with one line of environment/meta, then one object per log line:
    ``mode`` (train/val), ``epoch``, ``iter``, ``lr``, ``memory``, ``data_time``, ``time``, the losses,
    and for ``mode: val`` the metrics (``accuracy_top-1``, ...).
    """

    priority = "VERY_LOW"

    def __init__(self, interval: int = 10, by_epoch: bool = True, json_log: bool = True) -> None:
        self.interval = int(interval)
        self.by_epoch = by_epoch
        self.json_log = json_log
        self._json: IO[str] | None = None
        self.json_path: Path | None = None

    def before_run(self, runner: Runner) -> None:
        if not runner.is_main or not self.json_log:
            return
        self.json_path = runner.work_dir / f"{runner.timestamp}.log.json"
        self._json = open(self.json_path, "a", encoding="utf-8")  # noqa: SIM115 - closed in after_run
        self._write_json(_env_meta(runner))

    def _write_json(self, record: dict[str, Any]) -> None:
        if self._json is not None:
            self._json.write(json.dumps(record, default=str) + "\n")
            self._json.flush()

    def _position(self, runner: Runner, record: dict[str, Any]) -> str:
        if record["mode"] == "val":
            return (
                f"Epoch(val) [{record['epoch']}][{record['iter']}]"
                if runner.by_epoch
                else f"Iter(val) [{record['iter']}]"
            )
        if runner.by_epoch:
            return f"Epoch [{record['epoch']}][{record['iter']}/{runner.iters_per_epoch}]"
        return f"Iter [{record['iter']}/{runner.max_iters}]"

    def _emit(self, runner: Runner) -> None:
        record = runner.log_record
        if not runner.is_main or record is None:
            return
        parts = []
        if record["mode"] == "train":
            parts.append(f"lr: {record['lr']:.3e}")
            parts.append(f"eta: {_eta(runner)}")
            parts.extend(f"{k}: {record[k]:.3f}" for k in ("time", "data_time") if k in record)
            if "memory" in record:
                parts.append(f"memory: {record['memory']}")
        parts.extend(f"{k}: {_fmt(v)}" for k, v in record.items() if k not in _FIXED_KEYS and _is_scalar(v))
        runner.logger.info("%s\t%s", self._position(runner, record), ", ".join(parts))
        self._write_json(record)

    def after_train_iter(self, runner: Runner) -> None:
        self._emit(runner)

    def after_val_epoch(self, runner: Runner) -> None:
        self._emit(runner)

    def after_run(self, runner: Runner) -> None:
        if self._json is not None:
            self._json.close()
            self._json = None


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class TensorboardLoggerHook(Hook):
    """Writes the logged scalars to TensorBoard (``pip install tensorboard``) under ``<work_dir>/tf_logs``."""

    priority = "VERY_LOW"

    def __init__(self, interval: int = 10, log_dir: str | None = None, by_epoch: bool = True) -> None:
        self.interval = int(interval)
        self.log_dir = log_dir
        self.by_epoch = by_epoch
        self.writer: Any = None

    def before_run(self, runner: Runner) -> None:
        if not runner.is_main:
            return
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            runner.logger.warning(
                "TensorboardLoggerHook: tensorboard is not installed; pip install tensorboard"
            )
            return
        self.writer = SummaryWriter(self.log_dir or str(runner.work_dir / "tf_logs"))

    def _emit(self, runner: Runner) -> None:
        record = runner.log_record
        if self.writer is None or record is None:
            return
        mode = record["mode"]
        for key, value in record.items():
            if key not in ("mode", "epoch", "iter") and _is_scalar(value):
                self.writer.add_scalar(f"{mode}/{key}", value, runner.iter)

    def after_train_iter(self, runner: Runner) -> None:
        self._emit(runner)

    def after_val_epoch(self, runner: Runner) -> None:
        self._emit(runner)

    def after_run(self, runner: Runner) -> None:
        if self.writer is not None:
            self.writer.close()


class ProgressBarHook(Hook):
    """A one-line progress bar with ETA on a terminal (stderr); nothing when output is redirected."""

    priority = 80  # after evaluation, before the text logger: it clears its line before a log line

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        self._last = 0.0
        self.active = False

    def before_run(self, runner: Runner) -> None:
        self.active = runner.is_main and hasattr(self.stream, "isatty") and self.stream.isatty()

    def after_train_iter(self, runner: Runner) -> None:
        if self.active and runner.log_record is not None:
            self._clear()
            self._last = 0.0
            return
        now = time.monotonic()
        if not self.active or (now - self._last < 0.1 and runner.inner_iter < runner.iters_per_epoch):
            return
        self._last = now
        total = runner.iters_per_epoch if runner.by_epoch else runner.max_iters
        done = runner.inner_iter if runner.by_epoch else runner.iter
        width = max(10, min(40, shutil.get_terminal_size((80, 20)).columns - 60))
        filled = int(width * done / max(total, 1))
        where = f"epoch {runner.epoch + 1}/{runner.max_epochs}" if runner.by_epoch else "iter"
        loss = runner.last_loss
        loss_text = f" loss {loss:.4f}" if loss is not None else ""
        line = (
            f"\r{where} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}{loss_text} eta {_eta(runner)}"
        )
        self.stream.write(line + "\033[K")
        self.stream.flush()

    def _clear(self) -> None:
        if self.active:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def after_train_epoch(self, runner: Runner) -> None:
        self._clear()

    def before_val_epoch(self, runner: Runner) -> None:
        self._clear()

    def after_run(self, runner: Runner) -> None:
        self._clear()
