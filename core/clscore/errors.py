"""Errors that end a command with a message for the user instead of a traceback."""

from __future__ import annotations


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


class TrainingError(ClsCoreError):
    """Training cannot go on, for example after a non-finite loss."""
