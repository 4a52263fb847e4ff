"""The torch-free part of the checks before a run: the sections training needs, the files the config names.

Each problem carries its key path and what to do; they are raised together as one
:class:`~clscore.errors.ConfigError`, before a work dir or a log exists.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any

from clscore.config._sections import REQUIRED_SECTIONS
from clscore.errors import ConfigError

#: Dataset keys that name a file (``f``) or a folder (``d``) that must exist.
DATASET_PATHS = {"data_prefix": "d", "ann_file": "f", "classes": "f"}


def section_problems(
    cfg: Mapping[str, Any], sections: tuple[str, ...] = tuple(REQUIRED_SECTIONS)
) -> list[str]:
    """A line for each of ``sections`` the config lacks, with an example to add."""
    return [
        f"{name}: the config has no '{name}' section, which training needs; add one, e.g. {REQUIRED_SECTIONS[name]}"
        for name in sections
        if not cfg.get(name)
    ]


def dataset_paths(cfg: Any, path: str) -> Iterator[tuple[str, str, str]]:
    """``(key path, file, kind)`` for every path a dataset config (wrappers included) names."""
    if not isinstance(cfg, Mapping):
        return
    for key, kind in DATASET_PATHS.items():
        value = cfg.get(key)
        if isinstance(value, str | os.PathLike) and value:
            yield f"{path}.{key}", os.fspath(value), kind
    if isinstance(cfg.get("dataset"), Mapping):
        yield from dataset_paths(cfg["dataset"], f"{path}.dataset")
    if isinstance(cfg.get("datasets"), list):
        for i, item in enumerate(cfg["datasets"]):
            yield from dataset_paths(item, f"{path}.datasets.{i}")


def path_problem(key: str, path: str, kind: str) -> str | None:
    """Why ``path`` cannot be read as a file (``f``) or a folder (``d``); ``None`` when it can."""
    if not os.path.exists(path):
        what = "folder" if kind == "d" else "checkpoint" if key in ("load_from", "resume_from") else "file"
        return f"{key}: {what} not found: {path}; fix the path (relative paths start at {os.getcwd()})"
    if kind == "d" and not os.path.isdir(path):
        return f"{key}: {path} is not a folder"
    if kind == "f" and os.path.isdir(path):
        return f"{key}: {path} is a folder, not a file"
    if not os.access(path, os.R_OK | (os.X_OK if kind == "d" else 0)):
        return f"{key}: {path} is not readable (permissions)"
    return None


def file_problems(
    cfg: Mapping[str, Any],
    *,
    splits: tuple[str, ...] = ("train", "val", "test"),
    checkpoints: Mapping[str, str | None] | None = None,
) -> list[str]:
    """A line for each file or folder the config (or ``checkpoints``: key -> path) names that cannot be read.

    ``checkpoints`` defaults to the config's ``load_from`` and ``resume_from``; URLs are left to the loader.
    """
    if checkpoints is None:
        checkpoints = {key: cfg.get(key) for key in ("load_from", "resume_from")}
    found = [(key, str(path), "f") for key, path in checkpoints.items() if path and "://" not in str(path)]
    data = cfg.get("data")
    if isinstance(data, Mapping):
        for split in splits:
            found += dataset_paths(data.get(split), f"data.{split}")
    return [problem for problem in (path_problem(*item) for item in found) if problem]


def check_before_run(
    cfg: Mapping[str, Any],
    *,
    splits: tuple[str, ...] = ("train", "val", "test"),
    checkpoints: Mapping[str, str | None] | None = None,
    sections: tuple[str, ...] = tuple(REQUIRED_SECTIONS),
) -> None:
    """Raise one :class:`ConfigError` with every missing section and unreadable file."""
    problems = section_problems(cfg, sections) + file_problems(cfg, splits=splits, checkpoints=checkpoints)
    if problems:
        raise ConfigError(problems)
