"""The thread policy of ``clsrun train``: threads per process from the cores, OpenMP threads that
spin briefly, then sleep."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from clscore.cli import _threads
from clscore.cli._threads import thread_policy


@pytest.fixture
def cores(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)


def test_defaults_split_the_available_cores_and_spin_briefly_then_sleep(cores):
    env: dict[str, str] = {}
    assert thread_policy(nproc=1, environ=env) == {
        "OMP_NUM_THREADS": "8",
        "OMP_WAIT_POLICY": "PASSIVE",
        "GOMP_SPINCOUNT": "1000",
    }
    env = {}
    thread_policy(nproc=3, environ=env)
    assert env["OMP_NUM_THREADS"] == "2"
    env = {}
    thread_policy(nproc=16, environ=env)
    assert env["OMP_NUM_THREADS"] == "1"


@pytest.mark.parametrize("waiting", [{"OMP_WAIT_POLICY": "ACTIVE"}, {"GOMP_SPINCOUNT": "INFINITE"}])
def test_the_users_variables_win(cores, waiting):
    env = {"OMP_NUM_THREADS": "3", **waiting}
    assert thread_policy(nproc=2, environ=env) == {}
    assert env == {"OMP_NUM_THREADS": "3", **waiting}


def test_threads_option_wins_over_everything(cores):
    env = {"OMP_NUM_THREADS": "3"}
    thread_policy(nproc=2, threads=5, environ=env)
    assert env == {"OMP_NUM_THREADS": "5", "OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": "1000"}


def test_without_affinity_the_cpu_count_is_used(monkeypatch):
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert _threads.available_cores() == 6


def test_clsrun_train_sets_them_before_torch_starts(tmp_path):
    """In a fresh process, torch sees the thread count clsrun chose (and the user's --threads)."""
    code = (
        "import os, sys; from clscore.cli._threads import apply_thread_policy; apply_thread_policy(1, 1);"
        "import torch; print(os.environ['OMP_WAIT_POLICY'], os.environ['GOMP_SPINCOUNT'], torch.get_num_threads())"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMP_", "GOMP_"))}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.split() == ["PASSIVE", "1000", "1"]
