from __future__ import annotations

import itertools
import os
import signal
import sys

import click
import pytest

from clscore.cli import cli
from clscore.cli._launch import _children, _root_cause, _Stderr, torchrun_command


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


# torchrun's report when rank 1 was killed and rank 0 then failed (abridged from torch 2.x)
REPORT = """Traceback (most recent call last):
torch.distributed.elastic.multiprocessing.errors.ChildFailedError:
============================================================
clscore FAILED
------------------------------------------------------------
Failures:
[1]:
  time      : 2026-12-02_22:14:59
  rank      : 0 (local_rank: 0)
  exitcode  : 1 (pid: 5990)
------------------------------------------------------------
Root Cause (first observed failure):
[0]:
  time      : 2026-12-02_22:14:59
  rank      : 1 (local_rank: 1)
  exitcode  : -9 (pid: 5991)  (SIGKILL)
  traceback : Signal 9 (SIGKILL) received by PID 5991
============================================================
""".splitlines(keepends=True)


def test_root_cause_is_read_from_its_own_section():
    assert _root_cause(REPORT) == {"rank": 1, "exitcode": -9, "pid": 5991}
    assert _root_cause(REPORT[:10]) is None


def _stderr_with(lines: list[str], debug: bool = False) -> _Stderr:
    stderr = _Stderr(debug)
    for line in lines:
        stderr.write(line)
    return stderr


def test_a_killed_worker_is_named_with_the_last_checkpoint(capsys, tmp_path):
    noise = ["[rank0]: Traceback (most recent call last):\n", "[rank0]: RuntimeError: Connection reset\n"]
    stderr = _stderr_with(["Error: config line\n", *noise, *REPORT])
    assert stderr.exit_status(1, 0, lambda: tmp_path / "epoch_1.pth") == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "Error: config line",
        f"Error: rank 1 (pid 5991) was killed by SIGKILL; torchrun stopped the other processes; "
        f"the last checkpoint is {tmp_path / 'epoch_1.pth'}; resume with --auto-resume",
    ]


def test_a_failing_worker_shows_its_own_traceback_and_status(capsys):
    report = [line.replace("-9 (pid: 5991)  (SIGKILL)", "3 (pid: 5991)") for line in REPORT]
    stderr = _stderr_with(["[rank1]: ValueError: a bug\n", "[rank0]: other rank noise\n", *report])
    assert stderr.exit_status(1, 0, lambda: None) == 3
    err = capsys.readouterr().err
    assert "[rank1]: ValueError: a bug" in err and "rank0" not in err
    assert (
        "rank 1 (pid 5991) exited with status 3; torchrun stopped the other processes; nothing was saved"
        in err
    )


@pytest.mark.parametrize("code", [75, 130])
def test_a_clean_stop_of_the_workers_is_silent_and_keeps_their_code(capsys, code):
    report = [line.replace("-9 (pid: 5991)  (SIGKILL)", f"{code} (pid: 5991)") for line in REPORT]
    assert _stderr_with(report).exit_status(1, signal.SIGTERM, lambda: None) == code
    assert capsys.readouterr().err == ""


def test_a_stop_signal_that_killed_the_workers_before_training_is_a_stop(capsys):
    report = [line.replace("-9 (pid: 5991)  (SIGKILL)", "-15 (pid: 5991)") for line in REPORT]
    assert _stderr_with(report).exit_status(1, signal.SIGTERM, lambda: None) == 75
    assert capsys.readouterr().err == "stopped by SIGTERM before training started\n"


def test_a_signal_before_the_workers_report_maps_to_its_exit_code():
    assert _stderr_with([]).exit_status(1, signal.SIGINT, lambda: None) == 130
    assert _stderr_with([]).exit_status(1, signal.SIGUSR1, lambda: None) == 75
    assert _stderr_with([]).exit_status(0, 0, lambda: None) == 0


def test_children_lists_the_processes_a_parent_started():
    import subprocess

    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as child:
        try:
            assert child.pid in _children(os.getpid())
        finally:
            child.kill()
