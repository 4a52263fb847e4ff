"""A full disk while saving: one line naming the file, the space needed and free, and the intact
previous checkpoint; checked up front where the state dict's size says it cannot fit."""

from __future__ import annotations

import contextlib
import errno
import shutil
import subprocess
from collections import namedtuple

import pytest
import torch

from clscore.checkpoint import _files as ckpt
from clscore.checkpoint import read_checkpoint, read_latest, save_checkpoint, write_latest
from clscore.errors import CheckpointError, DiskFullError

MESSAGE = r"disk full while writing .*epoch_2\.pth \([<\d.]+ MB needed, [<\d.?]+ MB free\); the previous checkpoint .*epoch_1\.pth is intact"


def _first(tmp_path) -> None:
    save_checkpoint(tmp_path / "epoch_1.pth", {"state_dict": {"w": torch.ones(2)}})
    write_latest(tmp_path, "epoch_1.pth")


def _assert_untouched(tmp_path) -> None:
    assert not (tmp_path / "epoch_2.pth").exists()
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []
    assert read_latest(tmp_path) == tmp_path / "epoch_1.pth"
    assert torch.equal(read_checkpoint(tmp_path / "epoch_1.pth")["state_dict"]["w"], torch.ones(2))


def test_enospc_wrapped_by_the_zip_writer_is_one_line(tmp_path, monkeypatch):
    _first(tmp_path)

    def zip_writer(obj, fh):  # what torch's PyTorchStreamWriter does when the file write fails
        fh.write(b"partial")
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError:
            raise RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos 64 vs 0") from None

    monkeypatch.setattr(ckpt.torch, "save", zip_writer)
    with pytest.raises(DiskFullError, match=MESSAGE) as info:
        save_checkpoint(tmp_path / "epoch_2.pth", {"state_dict": {"w": torch.zeros(2)}})
    assert "\n" not in str(info.value) and info.value.exit_code == 74
    monkeypatch.undo()
    _assert_untouched(tmp_path)


def test_other_write_errors_stay_checkpoint_errors(tmp_path, monkeypatch):
    def broken(obj, fh):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(ckpt.torch, "save", broken)
    with pytest.raises(
        CheckpointError, match=r"cannot write checkpoint .*x\.pth: Input/output error"
    ) as info:
        save_checkpoint(tmp_path / "x.pth", {"state_dict": {"w": torch.zeros(2)}})
    assert not isinstance(info.value, DiskFullError)


def test_free_space_is_checked_before_writing(tmp_path, monkeypatch):
    _first(tmp_path)
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(ckpt.shutil, "disk_usage", lambda _: usage(10**9, 10**9 - 1000, 1000))
    monkeypatch.setattr(ckpt.torch, "save", lambda obj, fh: pytest.fail("wrote although it cannot fit"))
    big = {"state_dict": {"w": torch.zeros(1024)}}  # 4 KiB of tensors, 1000 bytes free
    with pytest.raises(DiskFullError, match=MESSAGE):
        save_checkpoint(tmp_path / "epoch_2.pth", big)
    monkeypatch.undo()
    _assert_untouched(tmp_path)


@contextlib.contextmanager
def small_tmpfs(folder, size="1m"):
    folder.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_real_full_tmpfs(tmp_path, monkeypatch):
    """The real zip writer running out of space (the free-space check turned off to reach it)."""
    with small_tmpfs(tmp_path / "disk") as disk:
        save_checkpoint(disk / "epoch_1.pth", {"state_dict": {"w": torch.ones(2)}})
        write_latest(disk, "epoch_1.pth")
        monkeypatch.setattr(ckpt, "_free_bytes", lambda folder: None)
        with pytest.raises(DiskFullError, match=r"disk full while writing .*epoch_2\.pth \(2\.0 MB needed"):
            save_checkpoint(disk / "epoch_2.pth", {"state_dict": {"w": torch.zeros(512 * 1024)}})
        monkeypatch.undo()
        _assert_untouched(disk)
        with pytest.raises(DiskFullError, match=r"\(2\.0 MB needed, 1\.0 MB free\)"):  # found before writing
            save_checkpoint(disk / "epoch_2.pth", {"state_dict": {"w": torch.zeros(512 * 1024)}})
