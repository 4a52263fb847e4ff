"""The ``latest`` pointer when it cannot be followed, and unreadable checkpoints moved aside."""

from __future__ import annotations

import logging
import os

import pytest
import torch

from clscore.checkpoint import (
    checkpoint_candidates,
    find_resume_checkpoint,
    read_latest,
    save_checkpoint,
    search_resume,
    write_latest,
)
from clscore.errors import CheckpointError


@pytest.fixture
def work_dir(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    for epoch in (1, 2):
        save_checkpoint(folder / f"epoch_{epoch}.pth", {"state_dict": {"w": torch.full((1,), epoch)}})
        os.utime(folder / f"epoch_{epoch}.pth", (epoch, epoch))
    write_latest(folder, "epoch_2.pth")
    return folder


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"\xff\xfe\x00\x81 binary \x00", "does not hold a checkpoint name"),
        (b"", "does not hold a checkpoint name"),
        (b"../../../../etc/passwd\n", "outside the work dir"),
        (b"/etc/passwd\n", "outside the work dir"),
        (b"epoch_7.pth\n", "does not exist; checkpoints there: epoch_2.pth, epoch_1.pth"),
    ],
)
def test_a_pointer_that_cannot_be_followed_falls_back(work_dir, caplog, content, why):
    (work_dir / "latest").write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="clscore"):
        assert read_latest(work_dir) is None
        assert [p.name for p in checkpoint_candidates(work_dir)] == ["epoch_2.pth", "epoch_1.pth"]
        found = find_resume_checkpoint(work_dir)
    assert found is not None and found[0].name == "epoch_2.pth"
    assert why in caplog.text


def test_a_pointer_outside_the_work_dir_is_refused_even_to_a_real_checkpoint(work_dir, tmp_path):
    save_checkpoint(tmp_path / "elsewhere.pth", {"state_dict": {"w": torch.zeros(1)}})
    (work_dir / "latest").write_text("../elsewhere.pth\n")
    assert read_latest(work_dir) is None
    assert tmp_path / "elsewhere.pth" not in checkpoint_candidates(work_dir)


def test_clsrun_test_on_a_binary_pointer_is_a_clear_error(work_dir):
    from clscore.apis.trained import resolve_checkpoint

    (work_dir / "latest").write_bytes(b"\x80\x81\x82")
    with pytest.raises(CheckpointError, match="does not hold a checkpoint name"):
        resolve_checkpoint(work_dir / "latest")
    (work_dir / "latest").write_text("epoch_9.pth\n")
    with pytest.raises(CheckpointError, match=r"checkpoints there: epoch_2\.pth, epoch_1\.pth"):
        resolve_checkpoint(work_dir / "latest")


def test_unreadable_checkpoints_are_moved_aside(work_dir, caplog):
    (work_dir / "epoch_2.pth").write_bytes(b"PK\x03\x04 truncated")
    (work_dir / "corrupt").mkdir()
    (work_dir / "corrupt" / "epoch_2.pth").write_bytes(b"an older casualty")
    with caplog.at_level(logging.WARNING, logger="clscore"):
        search = search_resume(work_dir, move_corrupt=True)
    assert search.found is not None and search.found[0].name == "epoch_1.pth"
    assert [p.name for p in search.skipped] == ["epoch_2.pth"]
    assert not (work_dir / "epoch_2.pth").exists()
    assert (work_dir / "corrupt" / "epoch_2.pth").read_bytes() == b"an older casualty"
    assert (work_dir / "corrupt" / "epoch_2.pth.1").read_bytes() == b"PK\x03\x04 truncated"
    assert "moved the unreadable checkpoint epoch_2.pth" in caplog.text
    # without move_corrupt (clsrun test, find_resume_checkpoint) nothing moves
    (work_dir / "epoch_1.pth").write_bytes(b"")
    assert search_resume(work_dir).found is None and (work_dir / "epoch_1.pth").exists()
