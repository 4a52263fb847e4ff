from __future__ import annotations

import itertools
import sys

import click

from clscore.cli import cli
from clscore.cli._launch import torchrun_command


def test_torchrun_command_repeats_the_command_without_nproc():
    ctx = click.Context(cli, info_name="clsrun")
    ctx.params = {"debug": True, "strict_plugins": False}
    sub = click.Context(cli.get_command(ctx, "train"), parent=ctx)
    sub.params = {
        "config": "c.yaml",
        "work_dir": "w",
        "seed": 3,
        "device": "cpu",
        "auto_resume": True,
        "deterministic": False,
        "cfg_options": ("a.b=1", "c=[1, 2]"),
        "load_from": None,
        "nproc": 2,
        "launcher": "none",
    }
    command = torchrun_command(sub, 2)
    assert command[:5] == [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node=2",
    ]
    tail = command[command.index("clscore") + 1 :]
    assert tail[:3] == ["--debug", "train", "c.yaml"]
    assert tail[-2:] == ["--launcher", "pytorch"]
    pairs = list(itertools.pairwise(tail))
    for pair in [
        ("--work-dir", "w"),
        ("--seed", "3"),
        ("--device", "cpu"),
        ("--cfg-options", "a.b=1"),
        ("--cfg-options", "c=[1, 2]"),
    ]:
        assert pair in pairs
    assert "--auto-resume" in tail and "--deterministic" not in tail
    assert "--nproc" not in tail and "--load-from" not in tail
