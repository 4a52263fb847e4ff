"""Stopping a run cleanly on SIGTERM, SLURM's SIGUSR1 and Ctrl-C (SIGINT).

A handler only records the signal; the runner asks :meth:`StopRequest.agreed` after every iteration,
which under DDP all-reduces one int over a CPU (gloo) group so that every rank stops after the same
iteration without waiting for the GPU. The runner then saves a checkpoint and raises
:class:`~clscore.errors.TrainingStopped`. A second Ctrl-C raises ``KeyboardInterrupt`` at once.

Forked DataLoader workers inherit these handlers, so a signal sent to the whole process group (a
terminal's Ctrl-C, SLURM signalling every process of a step) only sets a flag in them and they keep
serving batches until the main process shuts them down.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

from clscore.errors import TrainingStopped

if TYPE_CHECKING:
    from clscore.engine.runner import Runner

#: Exit status of a run stopped by SIGTERM or SIGUSR1 after saving: sysexits' EX_TEMPFAIL, "try again".
EXIT_RESUMABLE = 75
#: Exit status of a run stopped by Ctrl-C (128 + SIGINT), saved or not.
EXIT_INTERRUPTED = 130
#: The signals that ask for a clean stop.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGUSR1, signal.SIGINT)

_PR_SET_PDEATHSIG = 1


def exit_code(signum: int) -> int:
    """The exit status of a run stopped by ``signum``."""
    return EXIT_INTERRUPTED if signum == signal.SIGINT else EXIT_RESUMABLE


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


class StopRequest:
    """The signal this process received (``signum``, 0 for none) and the one all ranks agreed on."""

    def __init__(self) -> None:
        self.signum = 0
        self._agreed = 0
        self._group: Any = None
        self._distributed = False

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if signum == signal.SIGINT and self.signum:
            raise KeyboardInterrupt  # a second Ctrl-C: abort now, without saving
        self.signum = self.signum or signum

    @contextlib.contextmanager
    def installed(self) -> Iterator[StopRequest]:
        """Handle the stop signals inside the block (main thread only) and restore the old handlers after."""
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = {sig: signal.signal(sig, self._handle) for sig in STOP_SIGNALS}
        try:
            self._join_group()
            yield self
        finally:
            for sig, handler in previous.items():
                # after a stop, a late SIGTERM (torchrun stopping the ranks that are still exiting) must not
                # turn the clean stop into "killed by SIGTERM": it keeps only setting the flag
                if not (self.signum and sig != signal.SIGINT):
                    signal.signal(sig, handler)

    def _join_group(self) -> None:
        import torch.distributed as tdist

        self._distributed = tdist.is_available() and tdist.is_initialized() and tdist.get_world_size() > 1
        if self._distributed and tdist.get_backend() != "gloo":
            # a CPU group: the flag is reduced without synchronising with the GPU
            self._group = tdist.new_group(backend="gloo")

    def agreed(self) -> int:
        """The stop signal once any rank received one (the same value on every rank), else 0.

        Every rank must call this at the same points of the loop: it is a collective under DDP.
        """
        if self._agreed or not self._distributed:
            self._agreed = self._agreed or self.signum
            return self._agreed
        import torch
        import torch.distributed as tdist

        flag = torch.tensor([self.signum], dtype=torch.int64)
        tdist.all_reduce(flag, op=tdist.ReduceOp.MAX, group=self._group)
        self._agreed = int(flag.item())
        return self._agreed


def _position(runner: Runner) -> str:
    overall = f"iteration {runner.iter} of {runner.max_iters}"
    if not runner.by_epoch:
        return overall
    ipe, inner = runner.iters_per_epoch, runner.inner_iter
    if 0 < inner < ipe:
        epoch = runner.epoch + 1
    else:  # on an epoch boundary
        epoch, inner = (runner.epoch, ipe) if runner.epoch else (1, 0)
    return f"epoch {epoch} iteration {inner}/{ipe} ({overall})"


def stop_run(runner: Runner) -> NoReturn:
    """Save where ``runner`` stands unless a checkpoint of this iteration exists, log one line, raise."""
    signum = runner.stop.agreed()
    saved: Path | None = runner.last_checkpoint
    if runner.iter > 0 and runner.saved_iter != runner.iter:
        saved = runner.work_dir / f"iter_{runner.iter}.pth"
        runner.save_checkpoint(saved)
    kept = f"saved {saved}" if saved is not None else "nothing trained yet, nothing saved"
    message = f"received {signal_name(signum)} at {_position(runner)}; {kept}; resume with --auto-resume"
    runner.logger.warning(message)
    raise TrainingStopped(message, exit_code=exit_code(signum), every_rank=True)


def abort_run(runner: Runner) -> NoReturn:
    """A second Ctrl-C (or one that no handler caught): log one line and stop without saving."""
    again = "a second time " if runner.stop.signum else ""
    last = runner.last_checkpoint or "none"
    message = (
        f"interrupted {again}(Ctrl-C) at {_position(runner)}: stopped without saving; "
        f"the last checkpoint is {last}; resume with --auto-resume"
    )
    runner.logger.warning(message)
    raise TrainingStopped(message, exit_code=EXIT_INTERRUPTED)


def watch_parent(signum: int = signal.SIGTERM, interval: float = 1.0) -> threading.Thread:
    """Send ``signum`` to this process once its parent has died (checked every ``interval`` seconds).

    For torchrun workers: their agent may start them from a thread that ends, which rules out
    ``PR_SET_PDEATHSIG`` (it fires when the creating thread ends); a worker whose agent was killed
    would otherwise train on as an orphan.
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os.kill(os.getpid(), signum)

    thread = threading.Thread(target=watch, name="clscore-watch-parent", daemon=True)
    thread.start()
    return thread


def die_with_parent(signum: int = signal.SIGTERM, parent: int | None = None) -> None:
    """Ask Linux to send ``signum`` to this process when its parent (pid ``parent``) dies; no-op elsewhere.

    A torchrun worker whose agent was killed, or an agent whose ``clsrun --nproc`` launcher was, would
    otherwise go on training and writing checkpoints as an orphan. Safe in a ``preexec_fn``.
    """
    if os.uname().sysname != "Linux":
        return
    parent = os.getppid() if parent is None else parent
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0) != 0:
            return
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os.kill(os.getpid(), signum)


__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_RESUMABLE",
    "STOP_SIGNALS",
    "StopRequest",
    "abort_run",
    "die_with_parent",
    "exit_code",
    "signal_name",
    "stop_run",
    "watch_parent",
]
