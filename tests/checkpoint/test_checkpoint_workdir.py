"""The delete guard (never outside the folder a run writes) and the work-dir lock."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from clscore.checkpoint import LOCK_FILE, WorkDirLock, cleanup_temp_files, is_inside, remove_file
from clscore.errors import WorkDirLockedError


def test_remove_file_never_leaves_its_folder(tmp_path, caplog):
    inside, outside = tmp_path / "run" / "a.pth", tmp_path / "other" / "a.pth"
    for path in (inside, outside):
        path.parent.mkdir()
        path.write_bytes(b"x")
    (tmp_path / "run" / "link").symlink_to(tmp_path / "other")
    assert not remove_file(outside, tmp_path / "run")
    assert not remove_file(tmp_path / "run" / ".." / "other" / "a.pth", tmp_path / "run")
    assert not remove_file(tmp_path / "run" / "link" / "a.pth", tmp_path / "run")
    assert outside.exists() and "outside" in caplog.text
    assert remove_file(inside, tmp_path / "run") and not inside.exists()
    assert not remove_file(inside, tmp_path / "run")  # already gone: no error
    assert is_inside(tmp_path / "run" / "sub" / "x", tmp_path / "run")


def test_cleanup_removes_only_temp_files(tmp_path):
    (tmp_path / ".epoch_3.pth.tmp-12").write_bytes(b"half")
    (tmp_path / "epoch_3.pth").write_bytes(b"whole")
    assert [p.name for p in cleanup_temp_files(tmp_path)] == [".epoch_3.pth.tmp-12"]
    assert (tmp_path / "epoch_3.pth").exists()


def test_a_second_lock_is_refused_with_the_holder(tmp_path):
    first = WorkDirLock(tmp_path).acquire()
    try:
        record = json.loads((tmp_path / LOCK_FILE).read_text())
        assert record["pid"] == os.getpid() and record["host"] == socket.gethostname()
        with pytest.raises(WorkDirLockedError, match=rf"in use by another training \(pid {os.getpid()} on "):
            WorkDirLock(tmp_path).acquire()
        forced = WorkDirLock(tmp_path).acquire(force=True)
        assert not forced.held and "--force-work-dir" in forced.notes[0]
    finally:
        first.release()
    second = WorkDirLock(tmp_path).acquire()  # released: free again, and no warning for a clean end
    assert second.held and second.notes == []
    second.release()


_HOLD = """
import sys, time
from clscore.checkpoint import WorkDirLock
WorkDirLock(sys.argv[1]).acquire()
print("locked", flush=True)
time.sleep(60)
"""


def test_the_lock_of_a_killed_run_is_taken_over_with_a_warning(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(WorkDirLockedError, match=rf"pid {holder.pid} on {socket.gethostname()}"):
            WorkDirLock(tmp_path).acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    time.sleep(0.1)
    lock = WorkDirLock(tmp_path).acquire()
    assert lock.held
    assert f"did not end cleanly (pid {holder.pid} on" in lock.notes[0]
    lock.release()
