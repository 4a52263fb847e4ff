"""Errors that end a command with a message for the user instead of a traceback."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


class ClsCoreError(Exception):
    """A mistake the user can fix; the CLI prints the message and exits with ``exit_code``."""

    exit_code = 1


class ConfigError(ClsCoreError):
    """The config is invalid; ``problems`` holds one line per mistake, each with its key path."""

    exit_code = 2

    def __init__(self, problems: str | list[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class ComponentError(ConfigError):
    """A component name that is unknown, ambiguous, or provided by a plugin that did not load."""


class PluginLoadError(ClsCoreError):
    """A plugin failed to load while ``--strict-plugins`` was given."""


class DataError(ClsCoreError):
    """Missing, empty or unreadable data."""


class CheckpointError(ClsCoreError):
    """A file that is not a usable (or not a safe) checkpoint."""


class DiskFullError(CheckpointError):
    """A checkpoint did not fit on the disk; the previous one is intact. Exit status 74 (sysexits'
    EX_IOERR): docs/running-for-days.md."""

    exit_code = 74


class WorkDirLockedError(ClsCoreError):
    """Another training holds the work dir's lock. Exit status 73 (sysexits' EX_CANTCREAT):
    docs/running-for-days.md."""

    exit_code = 73


class TrainingError(ClsCoreError):
    """Training cannot go on, for example after a non-finite loss."""


class TrainingStopped(ClsCoreError):
    """Training stopped on a signal (SIGTERM, SIGUSR1, Ctrl-C); the message, already logged, says what
    was saved. ``exit_code`` is 75 (stopped, resumable) or 130 (Ctrl-C): docs/running-for-days.md.
    ``every_rank``: all ranks agreed on the stop and raise it at the same iteration."""

    def __init__(self, message: str, exit_code: int = 75, every_rank: bool = False) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.every_rank = every_rank


@contextlib.contextmanager
def config_key(key: str) -> Iterator[None]:
    """Prefix a user-facing error raised inside the block with the config key it came from."""
    try:
        yield
    except ClsCoreError as exc:
        if str(exc).startswith(key):
            raise
        raise type(exc)(f"{key}: {exc}") from exc
