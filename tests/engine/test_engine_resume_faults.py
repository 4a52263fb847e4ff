"""Training runs meeting a full disk, a busy work dir and unreadable checkpoints (``clsrun train``)."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from clscore import train
from clscore.checkpoint import WorkDirLock
from clscore.cli import cli
from clscore.engine import state
from clscore.errors import DiskFullError, WorkDirLockedError


def run(cfg, work_dir, **kwargs):
    return train(cfg, work_dir=work_dir, device="cpu", deterministic=True, **kwargs)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def write_cfg(tmp_path: Path, cfg: dict) -> str:
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return str(path)


def test_a_busy_work_dir_is_refused_unless_forced(tiny_host, tiny_cfg, tmp_path):
    tiny_cfg["runner"]["max_epochs"] = 1
    (tmp_path / "run").mkdir()
    other = WorkDirLock(tmp_path / "run").acquire()  # another training
    try:
        result = invoke("train", write_cfg(tmp_path, tiny_cfg), "--work-dir", str(tmp_path / "run"))
        assert result.exit_code == 73, result.output
        assert "in use by another training (pid" in result.output and "--force-work-dir" in result.output
        assert not (tmp_path / "run" / "epoch_1.pth").exists()
        with pytest.raises(WorkDirLockedError):
            run(tiny_cfg, tmp_path / "run")
        forced = invoke(
            "train", write_cfg(tmp_path, tiny_cfg), "--work-dir", str(tmp_path / "run"), "--force-work-dir"
        )
        assert forced.exit_code == 0, forced.output
        assert "--force-work-dir: training into" in forced.output
    finally:
        other.release()
    run(tiny_cfg, tmp_path / "run")  # the lock of a finished run does not stay behind
    run(tiny_cfg, tmp_path / "run")


def test_a_failing_best_checkpoint_warns_and_training_goes_on(
    tiny_host, tiny_cfg, tmp_path, monkeypatch, caplog
):
    tiny_cfg["evaluation"] = {"interval": 1, "save_best": "auto"}
    real_save = state.save_checkpoint

    def no_room_for_best(path, checkpoint):
        if Path(path).name.startswith("best_"):
            raise DiskFullError(f"disk full while writing {path} (0.4 MB needed, 0.1 MB free)")
        return real_save(path, checkpoint)

    monkeypatch.setattr(state, "save_checkpoint", no_room_for_best)
    with caplog.at_level(logging.WARNING, logger="clscore"):
        result = run(tiny_cfg, tmp_path)
    assert result["epoch"] == 3 and (tmp_path / "epoch_3.pth").exists()
    assert "would be the new best accuracy_top-1, but saving it failed: disk full" in caplog.text
    assert result["best"] is None and not list(tmp_path.glob("best_*.pth"))


def test_disk_full_during_training_is_one_line_with_its_exit_code(tiny_host, tiny_cfg, tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        tiny_cfg["evaluation"] = {"interval": 1, "save_best": "auto"}
        result = invoke("train", write_cfg(tmp_path, tiny_cfg), "--work-dir", str(disk), "--device", "cpu")
        assert result.exit_code == 74, result.output
        assert "Traceback" not in result.output
        errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
        assert (
            len(errors) == 1
            and "disk full while writing" in errors[0]
            and "MB free); the previous" in errors[0]
        )
        log = next(disk.glob("*.log")).read_text()
        assert "ERROR - disk full while writing" in log
        assert (disk / "latest").read_text().strip() == "epoch_1.pth"
        assert state.read_checkpoint(disk / "epoch_1.pth")["meta"]["epoch"] == 1
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_auto_resume_after_only_corrupt_checkpoints_warns_and_keeps_them(
    tiny_host, tiny_cfg, tmp_path, caplog
):
    tiny_cfg["runner"]["max_epochs"] = 1
    run(tiny_cfg, tmp_path)
    (tmp_path / "epoch_1.pth").write_bytes(b"PK\x03\x04 cut")
    with caplog.at_level(logging.INFO, logger="clscore"):
        result = run(tiny_cfg, tmp_path, auto_resume=True)
    assert result["iter"] == 3
    warned = [r for r in caplog.records if "no usable checkpoint" in r.getMessage()]
    assert warned and warned[0].levelno == logging.WARNING and "1 unreadable" in warned[0].getMessage()
    assert (tmp_path / "corrupt" / "epoch_1.pth").read_bytes() == b"PK\x03\x04 cut"
    assert state.read_checkpoint(tmp_path / "epoch_1.pth")["meta"]["epoch"] == 1  # the new one
