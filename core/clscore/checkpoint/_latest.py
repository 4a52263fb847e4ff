"""Finding checkpoints again in a work dir: the ``latest`` pointer, the numbered files, auto-resume.

The pointer is a one-line text file naming a checkpoint inside the work dir. One that cannot be
followed (binary bytes, a path outside the work dir, a missing file) is reported and ignored: the
numbered checkpoints are the fallback.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clscore.checkpoint._files import TMP_MARK, atomic_write, extract_state_dict, read_checkpoint
from clscore.checkpoint._workdir import is_inside, move_aside, remove_file
from clscore.errors import CheckpointError

logger = logging.getLogger("clscore")

LATEST_POINTER = "latest"
LATEST_LINK = "latest.pth"
_CKPT_NAME = re.compile(r"^(epoch|iter)_(\d+)\.pth$")
_MAX_POINTER = 4096


def write_latest(work_dir: str | os.PathLike[str], name: str) -> None:
    """Point ``latest`` (a one-line file, plus a ``latest.pth`` symlink where possible) at ``name``."""
    folder = Path(work_dir)
    try:
        atomic_write(folder / LATEST_POINTER, lambda fh: fh.write(f"{name}\n".encode()))
    except OSError as exc:
        raise CheckpointError(f"cannot update {folder / LATEST_POINTER}: {exc.strerror or exc}") from None
    link, tmp_link = folder / LATEST_LINK, folder / f".{LATEST_LINK}{TMP_MARK}{os.getpid()}"
    with contextlib.suppress(OSError):
        if tmp_link.is_symlink() or tmp_link.exists():
            remove_file(tmp_link, folder)
        os.symlink(name, tmp_link)
        os.replace(tmp_link, link)


def _numbered(folder: Path) -> list[Path]:
    """``epoch_N.pth`` / ``iter_N.pth`` files in ``folder``, newest first (by time, then number)."""
    found = []
    for path in folder.iterdir():
        match = _CKPT_NAME.match(path.name)
        if match and path.is_file() and not path.is_symlink():
            found.append((path.stat().st_mtime, int(match.group(2)), path))
    return [p for _, _, p in sorted(found, key=lambda t: (t[0], t[1]), reverse=True)]


def latest_target(work_dir: str | os.PathLike[str]) -> tuple[Path | None, str | None]:
    """``(checkpoint, None)`` for a usable ``latest`` pointer, else ``(None, why not)``; no pointer at
    all is ``(None, None)``."""
    folder = Path(work_dir)
    pointer = folder / LATEST_POINTER
    try:
        with open(pointer, "rb") as fh:
            raw = fh.read(_MAX_POINTER + 1)
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"cannot read {pointer}: {exc.strerror or exc}"
    try:
        name = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        name = None
    if not name or len(raw) > _MAX_POINTER or any(c in name for c in "\n\r\x00"):
        return None, f"{pointer} does not hold a checkpoint name (empty, binary or garbled); ignored"
    target = folder / name
    if Path(name).is_absolute() or not is_inside(target, folder):
        return None, f"{pointer} names {name!r}, which is outside the work dir {folder}; refused"
    if not target.is_file():
        present = ", ".join(p.name for p in _numbered(folder)) if folder.is_dir() else ""
        return None, f"{pointer} names {name}, which does not exist; checkpoints there: {present or 'none'}"
    return target, None


def read_latest(work_dir: str | os.PathLike[str]) -> Path | None:
    """The checkpoint the ``latest`` pointer names; a pointer that cannot be followed is logged, None."""
    target, problem = latest_target(work_dir)
    if problem:
        logger.warning("%s", problem)
    return target


def cleanup_temp_files(work_dir: str | os.PathLike[str]) -> list[Path]:
    """Remove temporary files an interrupted save left behind (they are never pointed at)."""
    folder = Path(work_dir)
    if not folder.is_dir():
        return []
    return [tmp for tmp in folder.glob(f".*{TMP_MARK}*") if remove_file(tmp, folder)]


def checkpoint_candidates(work_dir: str | os.PathLike[str]) -> list[Path]:
    """Resumable checkpoints in ``work_dir``, newest first: the ``latest`` target, then by number."""
    folder = Path(work_dir)
    if not folder.is_dir():
        return []
    ordered = _numbered(folder)
    latest = read_latest(folder)
    if latest is not None:
        latest = latest.resolve()
        ordered = [latest] + [p for p in ordered if p.resolve() != latest]
    return ordered


@dataclass
class ResumeSearch:
    """What auto-resume found: the checkpoint (path and contents) or None, and the files it skipped."""

    found: tuple[Path, dict[str, Any]] | None = None
    skipped: list[Path] = field(default_factory=list)


def search_resume(work_dir: str | os.PathLike[str], move_corrupt: bool = False) -> ResumeSearch:
    """The newest checkpoint in ``work_dir`` that reads back completely; unreadable ones are logged,
    skipped and, with ``move_corrupt``, moved to ``<work_dir>/corrupt/`` so that no new run overwrites
    them."""
    search = ResumeSearch()
    for path in checkpoint_candidates(work_dir):
        try:
            checkpoint = read_checkpoint(path)
            extract_state_dict(checkpoint, path)
        except CheckpointError as exc:
            logger.warning("auto-resume: skipping %s: %s", path, exc)
            search.skipped.append(path)
            if move_corrupt:
                move_aside(path, Path(work_dir))
            continue
        search.found = (path, checkpoint)
        break
    return search


def find_resume_checkpoint(work_dir: str | os.PathLike[str]) -> tuple[Path, dict[str, Any]] | None:
    """The newest checkpoint in ``work_dir`` that reads back completely; corrupt ones are logged and skipped."""
    return search_resume(work_dir).found
