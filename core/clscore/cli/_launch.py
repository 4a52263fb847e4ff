"""``--nproc N``: run the current command again on N processes under torchrun, on this machine.

The launcher owns its torchrun: torchrun runs in its own session and gets SIGTERM when the launcher
dies; SIGTERM, SIGUSR1 and Ctrl-C sent to the launcher are forwarded to the workers (which save and
stop, engine/signals.py); a worker that dies is named with its rank, signal and the last checkpoint.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import click

from clscore.engine.signals import (
    EXIT_INTERRUPTED,
    EXIT_RESUMABLE,
    STOP_SIGNALS,
    die_with_parent,
    exit_code,
    signal_name,
)

_SKIPPED = {"nproc", "launcher"}
_LAUNCHER_NOISE = re.compile(r"^(Traceback \(most recent call last\)|[EW]\d{4} .*torch/distributed/elastic)")
# torchrun's ChildFailedError report: "  rank      : 1 (local_rank: 1)", "  exitcode  : -9 (pid: 4321)"
_RANK_LINE = re.compile(r"^\s*rank\s*:\s*(\d+)")
_RANK_PREFIX = re.compile(r"^\[rank(\d+)\]:")
_EXIT_LINE = re.compile(r"^\s*exitcode\s*:\s*(-?\d+)\s*\(pid:\s*(\d+)\)")


def distributed_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--nproc N`` (start torchrun here) and ``--launcher none|pytorch`` (join a torchrun job)."""
    fn = click.option(
        "--launcher",
        type=click.Choice(["none", "pytorch"]),
        default="none",
        show_default=True,
        help="pytorch: join the torchrun job this process belongs to.",
    )(fn)
    return click.option(
        "--nproc",
        type=click.IntRange(min=1),
        default=1,
        show_default=True,
        help="Processes on this machine (starts torchrun).",
    )(fn)


def command_line(ctx: click.Context) -> list[str]:
    """The arguments that reproduce ``ctx``'s command from its parsed parameters (without ``--nproc``)."""
    assert ctx.command.name is not None
    args: list[str] = [ctx.command.name]
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        if param.name in _SKIPPED or value is None:
            continue
        if isinstance(param, click.Argument):
            args += [str(v) for v in value] if isinstance(value, tuple | list) else [str(value)]
        elif isinstance(param, click.Option):
            flag = max(param.opts, key=len)
            if param.is_flag:
                args += [flag] if value else []
            elif param.multiple:
                for item in value:
                    args += [flag, str(item)]
            else:
                args += [flag, str(value)]
    return args


def torchrun_command(ctx: click.Context, nproc: int) -> list[str]:
    """``ctx``'s command on ``nproc`` processes under ``torch.distributed.run`` with ``--launcher pytorch``."""
    root = ctx.find_root().params
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}"]
    command += ["-m", "clscore"]
    command += ["--debug"] if root.get("debug") else []
    command += ["--strict-plugins"] if root.get("strict_plugins") else []
    return [*command, *command_line(ctx), "--launcher", "pytorch"]


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux ``/proc``; empty elsewhere)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields and int(fields[1]) == pid:
            found.append(int(entry.parent.name))
    return found


class _Forwarder:
    """Passes the stop signals the launcher receives to torchrun's workers (they save and stop, and a
    second Ctrl-C aborts them), or to torchrun itself while it has no workers yet."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.received = 0
        in_main = threading.current_thread() is threading.main_thread()
        self.previous = {sig: signal.signal(sig, self._forward) for sig in STOP_SIGNALS} if in_main else {}

    def _forward(self, signum: int, frame: FrameType | None) -> None:
        self.received = self.received or signum
        workers = _children(self.proc.pid)
        for pid in workers or [self.proc.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum if workers else signal.SIGTERM)

    def restore(self) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)


def _root_cause(lines: list[str]) -> dict[str, int] | None:
    """The first failed worker of torchrun's ChildFailedError report: rank, exit code (< 0: signal), pid."""
    failure: dict[str, int] = {}
    for line in lines[next((i for i, x in enumerate(lines) if x.startswith("Root Cause")), len(lines)) :]:
        if match := _RANK_LINE.match(line):
            failure["rank"] = int(match.group(1))
        elif (match := _EXIT_LINE.match(line)) and "rank" in failure:
            return {**failure, "exitcode": int(match.group(1)), "pid": int(match.group(2))}
    return None


def _how(exitcode: int) -> str:
    return f"was killed by {signal_name(-exitcode)}" if exitcode < 0 else f"exited with status {exitcode}"


class _Stderr:
    """torchrun's stderr, passed on without its launcher traceback, repeated errors and the other ranks'
    tracebacks (torch's ``[rankN]:`` lines, kept back and shown only for a rank that failed by itself)."""

    def __init__(self, debug: bool) -> None:
        self.debug = debug
        self.quiet = False
        self.seen: set[str] = set()
        self.report: list[str] = []
        self.ranks: dict[int, deque[str]] = {}

    def write(self, line: str) -> None:
        self.quiet = self.quiet or bool(_LAUNCHER_NOISE.match(line))
        if self.quiet:
            self.report.append(line)
        rank = _RANK_PREFIX.match(line)
        if rank and not self.debug:
            self.ranks.setdefault(int(rank.group(1)), deque(maxlen=200)).append(line)
            return
        if not self.debug and (self.quiet or (line.startswith("Error: ") and line in self.seen)):
            return
        self.seen.add(line)
        sys.stderr.write(line)

    def exit_status(self, code: int, stopped_by: int, last_checkpoint: Callable[[], Path | None]) -> int:
        """The launcher's exit status, after one line naming the worker that failed first (if one did)."""
        failure = _root_cause(self.report)
        if failure is None:
            return exit_code(stopped_by) if stopped_by else code
        if failure["exitcode"] in (EXIT_RESUMABLE, EXIT_INTERRUPTED):
            return failure["exitcode"]  # a clean stop: rank 0 logged where it saved
        if stopped_by and failure["exitcode"] == -stopped_by:  # before the workers handle signals
            click.echo(f"stopped by {signal_name(stopped_by)} before training started", err=True)
            return exit_code(stopped_by)
        if failure["exitcode"] > 0:
            sys.stderr.writelines(self.ranks.get(failure["rank"], ()))
        saved = last_checkpoint()
        kept = f"the last checkpoint is {saved}; resume with --auto-resume" if saved else "nothing was saved"
        click.echo(
            f"Error: rank {failure['rank']} (pid {failure['pid']}) {_how(failure['exitcode'])}; torchrun "
            f"stopped the other processes; {kept}",
            err=True,
        )
        return failure["exitcode"] if failure["exitcode"] > 0 else 1


def run_torchrun(
    ctx: click.Context, nproc: int, last_checkpoint: Callable[[], Path | None] = lambda: None
) -> int:
    """Run torchrun in its own session, forward stop signals, and name a worker that fails.

    torchrun gets SIGTERM when this process dies (even by SIGKILL), and stops its workers;
    ``last_checkpoint`` names the checkpoint to resume from when a worker fails.
    """
    command = torchrun_command(ctx, nproc)
    env = dict(os.environ)
    env.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // nproc)))
    stderr = _Stderr(bool(ctx.find_root().params.get("debug")))
    launcher = os.getpid()
    with subprocess.Popen(
        command,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
        start_new_session=True,  # a terminal's Ctrl-C reaches this launcher only; it forwards it
        preexec_fn=lambda: die_with_parent(signal.SIGTERM, launcher),
    ) as proc:
        forwarder = _Forwarder(proc)
        try:
            assert proc.stderr is not None
            for line in proc.stderr:
                stderr.write(line)
            code = proc.wait()
        finally:
            forwarder.restore()
    return stderr.exit_status(code, forwarder.received, last_checkpoint)
