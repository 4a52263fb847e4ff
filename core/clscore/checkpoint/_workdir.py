"""What a run may do to the files of its work dir: delete (only inside it), move unreadable checkpoints
aside, and hold the work dir against a second training.

Every deletion clscore makes goes through :func:`remove_file`, so no path read from a checkpoint, a
pointer or a copied work dir can make a run delete a file outside the folder it writes.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import socket
import time
from pathlib import Path

from clscore.errors import WorkDirLockedError

logger = logging.getLogger("clscore")

LOCK_FILE = ".clscore.lock"
CORRUPT_DIR = "corrupt"


# -- paths ------------------------------------------------------------------------------------------------
def _real(path: str | os.PathLike[str]) -> Path:
    """``path`` with its folder's symlinks and ``..`` resolved (the last component is kept as is)."""
    path = Path(os.path.abspath(path))
    return Path(os.path.realpath(path.parent)) / path.name


def is_inside(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    """Whether ``path`` lies in the folder ``root`` (after resolving ``..`` and symlinked folders)."""
    return _real(path).is_relative_to(Path(os.path.realpath(root)))


def remove_file(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    """Delete ``path`` if it lies inside ``root``, the folder this run writes; True when it was deleted.

    A path outside ``root`` is never deleted (logged instead); a missing file is not an error.
    """
    if not is_inside(path, root):
        logger.warning("not deleting %s: it is outside %s, the folder this run writes", path, root)
        return False
    try:
        Path(path).unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        logger.warning("could not delete %s: %s", path, exc.strerror or exc)
        return False
    return True


def move_aside(path: Path, work_dir: Path) -> Path | None:
    """Move an unreadable checkpoint to ``<work_dir>/corrupt/`` (a new run would overwrite it otherwise)."""
    if not is_inside(path, work_dir) or not path.is_file():
        return None
    folder = work_dir / CORRUPT_DIR
    target = folder / path.name
    n = 0
    while target.exists():
        n += 1
        target = folder / f"{path.name}.{n}"
    try:
        folder.mkdir(exist_ok=True)
        os.replace(path, target)
    except OSError as exc:
        logger.warning("could not move the unreadable %s aside: %s", path, exc.strerror or exc)
        return None
    logger.warning("moved the unreadable checkpoint %s to %s", path.name, target)
    return target


# -- the work-dir lock ----------------------------------------------------------------------------------------
def _holder(text: str) -> dict[str, object]:
    with contextlib.suppress(ValueError):
        found = json.loads(text)
        if isinstance(found, dict):
            return found
    return {}


def _describe(holder: dict[str, object]) -> str:
    if not holder:
        return "a process that left no details"
    return f"pid {holder.get('pid')} on {holder.get('host')}, started {holder.get('started')}"


def _alive_here(holder: dict[str, object]) -> bool:
    """Whether the holder is a live process of this host (for file systems without ``flock``)."""
    pid = holder.get("pid")
    if holder.get("host") != socket.gethostname() or not isinstance(pid, int) or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class WorkDirLock:
    """``<work_dir>/.clscore.lock``: an ``flock`` on an open file (the kernel drops it when the process
    dies, so a crashed run never leaves the work dir stuck) holding the owner's pid, host and start time.
    """

    def __init__(self, work_dir: str | os.PathLike[str]) -> None:
        self.path = Path(work_dir) / LOCK_FILE
        self._fd: int | None = None
        #: warnings for the run's log (a taken-over stale lock, a forced run), written once it exists
        self.notes: list[str] = []

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, force: bool = False) -> WorkDirLock:
        """Take the lock, or raise :class:`WorkDirLockedError` naming the run that holds it.

        With ``force`` a held lock is only warned about and the run goes on without it.
        """
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            holder = _holder(os.pread(fd, 4096, 0).decode("utf-8", "replace"))
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                busy = False
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    busy = _alive_here(holder)  # no flock on this file system: judge by the pid
                else:
                    busy = True
            if busy:
                self._refuse(holder, force)
                os.close(fd)
                return self
            if holder:
                self.notes.append(
                    f"taking over the work-dir lock {self.path} of a run that did not end cleanly "
                    f"({_describe(holder)})"
                )
            record = {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "started": time.strftime("%Y-%m-%d %H:%M:%S"),
            }
            os.ftruncate(fd, 0)
            os.pwrite(fd, (json.dumps(record) + "\n").encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def _refuse(self, holder: dict[str, object], force: bool) -> None:
        folder = self.path.parent
        if not force:
            raise WorkDirLockedError(
                f"the work dir {folder} is in use by another training ({_describe(holder)}); wait for it "
                "to end, train into another --work-dir, or pass --force-work-dir to write there anyway"
            )
        self.notes.append(
            f"--force-work-dir: training into {folder} although another training uses it "
            f"({_describe(holder)}); their checkpoints and logs will mix"
        )

    def release(self) -> None:
        """Empty the lock file and drop the lock (the file stays: deleting it would race a new run)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
