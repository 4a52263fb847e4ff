"""Signals sent to ``clsrun train`` as SLURM, Kubernetes, a terminal or the OOM killer would, in subprocesses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import torch
import yaml

ROOT = Path(__file__).resolve().parents[2]
MARK = "CLSCORE_TEST_RUN"


def write_config(tmp_path: Path, epochs: int) -> Path:
    cfg = {
        "_base_": [str(ROOT / "configs" / "_base_" / "datasets" / "digits.yaml")],
        "model": {
            "type": "ImageClassifier",
            "backbone": {"type": "LeNet5"},
            "neck": {"type": "GlobalAveragePooling"},
            "head": {"type": "LinearClsHead", "num_classes": 10, "in_channels": 120},
        },
        # small batches: 45 iterations per epoch on 2 ranks, so a signal sent at iteration 3 lands in
        # that epoch even when a loaded machine delays it (at 64 an epoch was 12 iterations, ~0.1 s)
        "data": {"samples_per_gpu": 16},
        "optimizer": {"type": "SGD", "lr": 0.05, "momentum": 0.9},
        "runner": {"type": "EpochBasedRunner", "max_epochs": epochs},
        "log_config": {"interval": 1},
        "evaluation": {"interval": 1, "metric": "accuracy"},
        "seed": 0,
    }
    path = tmp_path / "lenet.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


class Run:
    """``clsrun train`` in the background; every process it starts carries a marker in its environment."""

    def __init__(self, config: Path, work_dir: Path, *args: str) -> None:
        self.marker = uuid.uuid4().hex
        self.out, self.err = work_dir.with_suffix(".out"), work_dir.with_suffix(".err")
        env = {**os.environ, "CLSCORE_LOAD_PLUGINS": "", "OMP_NUM_THREADS": "1", MARK: self.marker}
        command = [sys.executable, "-m", "clscore", "train", str(config), "--work-dir", str(work_dir)]
        with self.out.open("w") as out, self.err.open("w") as err:
            self.proc = subprocess.Popen(
                [*command, "--device", "cpu", "--deterministic", *args], stdout=out, stderr=err, env=env
            )

    def wait_for(self, text: str, timeout: float = 240) -> None:
        end = time.monotonic() + timeout
        while text not in self.out.read_text():
            assert self.proc.poll() is None, f"ended before {text!r}: " + self.err.read_text()[-2000:]
            assert time.monotonic() < end, f"no {text!r} after {timeout} s"
            time.sleep(0.05)

    def finish(self, timeout: float = 240) -> int:
        return self.proc.wait(timeout)

    def processes(self, **env: str) -> list[int]:
        """The live processes of this run (``env``: only those with these variables too)."""
        wanted = {f"{MARK}={self.marker}".encode(), *(f"{k}={v}".encode() for k, v in env.items())}
        found = []
        for entry in Path("/proc").glob("[0-9]*/environ"):
            try:
                variables = set(entry.read_bytes().split(b"\0"))
                state = (entry.parent / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if wanted <= variables and state != "Z":
                found.append(int(entry.parent.name))
        return found

    def assert_no_process_left(self, timeout: float = 45) -> None:
        end = time.monotonic() + timeout
        while (left := self.processes()) and time.monotonic() < end:
            time.sleep(0.2)
        assert not left, f"orphans: {left}"


def final_weights(work_dir: Path, epochs: int) -> dict[str, torch.Tensor]:
    return torch.load(work_dir / f"epoch_{epochs}.pth", weights_only=True)["state_dict"]


def assert_same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def log_text(work_dir: Path) -> str:
    return "".join(p.read_text() for p in sorted(work_dir.glob("*.log")))


def interrupt_and_resume(tmp_path: Path, epochs: int, send, *args: str) -> tuple[Run, int]:
    """An uninterrupted run, then one that ``send(run)`` interrupts in epoch 2, then its --auto-resume."""
    config = write_config(tmp_path, epochs)
    full = Run(config, tmp_path / "full", *args)
    assert full.finish() == 0, full.err.read_text()[-3000:]
    part = Run(config, tmp_path / "part", *args)
    part.wait_for("Epoch [2][3/")
    send(part)
    code = part.finish()
    part.assert_no_process_left()
    resumed = Run(config, tmp_path / "part", *args, "--auto-resume")
    assert resumed.finish() == 0, resumed.err.read_text()[-3000:]
    assert "resumed from" in resumed.out.read_text()
    assert_same(final_weights(tmp_path / "full", epochs), final_weights(tmp_path / "part", epochs))
    return part, code


def test_sigterm_saves_mid_epoch_exits_75_and_resumes_bit_identically(tmp_path):
    part, code = interrupt_and_resume(tmp_path, 3, lambda run: run.proc.send_signal(signal.SIGTERM))
    assert code == 75, part.err.read_text()[-3000:]
    log = log_text(tmp_path / "part")
    assert "received SIGTERM at epoch 2 iteration" in log and "resume with --auto-resume" in log
    assert list((tmp_path / "part").glob("iter_*.pth"))  # the mid-epoch checkpoint
    assert "Error" not in part.err.read_text() and "Traceback" not in part.err.read_text()


def test_ctrl_c_is_logged_and_exits_130(tmp_path):
    run = Run(write_config(tmp_path, 3), tmp_path / "w")
    run.wait_for("Epoch [1][3/")
    run.proc.send_signal(signal.SIGINT)
    assert run.finish() == 130
    assert "received SIGINT at epoch 1 iteration" in log_text(tmp_path / "w")


@pytest.mark.slow
def test_sigterm_to_the_nproc_launcher_stops_every_rank_at_one_iteration(tmp_path):
    part, code = interrupt_and_resume(
        tmp_path, 2, lambda run: run.proc.send_signal(signal.SIGTERM), "--nproc", "2"
    )
    assert code == 75, part.err.read_text()[-3000:]
    assert log_text(tmp_path / "part").count("received SIGTERM at epoch 2 iteration") == 1
    assert not part.err.read_text().strip()  # nothing but rank 0's one logged line


@pytest.mark.slow
def test_sigusr1_to_one_worker_stops_both(tmp_path):
    run = Run(write_config(tmp_path, 3), tmp_path / "w", "--nproc", "2")
    run.wait_for("Epoch [1][3/")
    (rank1,) = run.processes(RANK="1")
    os.kill(rank1, signal.SIGUSR1)
    assert run.finish() == 75, run.err.read_text()[-3000:]
    assert "received SIGUSR1 at epoch" in log_text(tmp_path / "w")
    run.assert_no_process_left()


@pytest.mark.slow
def test_kill_9_of_a_worker_names_the_rank_and_the_last_checkpoint(tmp_path):
    run = Run(write_config(tmp_path, 3), tmp_path / "w", "--nproc", "2")
    run.wait_for("Epoch [2][3/")
    (rank1,) = run.processes(RANK="1")
    os.kill(rank1, signal.SIGKILL)
    assert run.finish() == 1
    err = run.err.read_text()
    assert f"Error: rank 1 (pid {rank1}) was killed by SIGKILL" in err, err[-3000:]
    assert f"the last checkpoint is {tmp_path / 'w' / 'epoch_1.pth'}; resume with --auto-resume" in err
    run.assert_no_process_left()


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killing_or_interrupting_the_launcher_leaves_no_orphans(tmp_path, sig):
    run = Run(write_config(tmp_path, 3), tmp_path / "w", "--nproc", "2")
    run.wait_for("Epoch [1][3/")
    workers = run.processes(RANK="0") + run.processes(RANK="1")
    assert len(workers) == 2
    run.proc.send_signal(sig)
    code = run.finish()
    run.assert_no_process_left()
    if sig == signal.SIGINT:  # Ctrl-C: the single-process behaviour, not click's "Aborted!"
        assert code == 130 and "Aborted" not in run.err.read_text()
        assert "received SIGINT at epoch" in log_text(tmp_path / "w")
    else:  # the workers were stopped cleanly by torchrun, which got SIGTERM when the launcher died
        assert "received SIGTERM at epoch" in log_text(tmp_path / "w")
