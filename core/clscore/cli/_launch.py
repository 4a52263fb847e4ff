"""``--nproc N``: run the current command again on N processes under torchrun, on this machine."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import click

_SKIPPED = {"nproc", "launcher"}
_LAUNCHER_NOISE = re.compile(r"^(Traceback \(most recent call last\)|[EW]\d{4} .*torch/distributed/elastic)")


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


def run_torchrun(ctx: click.Context, nproc: int) -> int:
    """Run torchrun; without ``--debug`` its launcher traceback and repeated errors are dropped."""
    command = torchrun_command(ctx, nproc)
    env = dict(os.environ)
    env.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // nproc)))
    if ctx.find_root().params.get("debug"):
        return subprocess.call(command, env=env)
    seen: set[str] = set()
    quiet = False
    with subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True, bufsize=1) as proc:
        assert proc.stderr is not None
        for line in proc.stderr:
            quiet = quiet or bool(_LAUNCHER_NOISE.match(line))
            if quiet or (line.startswith("Error: ") and line in seen):
                continue
            seen.add(line)
            sys.stderr.write(line)
        return proc.wait()
