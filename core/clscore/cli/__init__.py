"""The ``clsrun`` launcher.

Three jobs, kept apart: :class:`LazyGroup` imports a built-in command only when it is used (click's
"Lazily Loading Subcommands" pattern), :mod:`clscore.cli._plugin_commands` adds the plugins'
commands, and :meth:`Clsrun.main` turns a user's mistake into one line and an exit status. So
``clsrun --help``, ``clsrun plugins`` and ``clsrun config validate`` never import torch.
"""

from __future__ import annotations

import importlib
import itertools
import sys
import traceback
import warnings
from collections.abc import Sequence
from typing import Any

import click

from clscore._version import __version__
from clscore.errors import ClsCoreError, TrainingStopped

#: name -> "module:attr" of the click command.
BUILTIN_COMMANDS: dict[str, str] = {
    "train": "clscore.cli.train:train",
    "test": "clscore.cli.test:test",
    "infer": "clscore.cli.infer:infer",
    "export": "clscore.cli.export:export",
    "analyze": "clscore.cli.analyze:analyze",
    "plugins": "clscore.cli.plugins:plugins",
    "config": "clscore.cli.config:config",
    "plugin": "clscore.cli.plugin_new:plugin",  # hidden, deprecated: `clsrun plugins new`
}


class LazyGroup(click.Group):
    """A group whose ``lazy_subcommands`` (name -> ``"module:attr"``) are imported on first use."""

    def __init__(self, *args: Any, lazy_subcommands: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_subcommands: dict[str, str] = dict(lazy_subcommands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_subcommands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_subcommands:
            return self._load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def _load(self, name: str) -> click.Command:
        module, _, attr = self.lazy_subcommands[name].partition(":")
        command = getattr(importlib.import_module(module), attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.lazy_subcommands[name]} is not a click command")
        return command


class Clsrun(LazyGroup):
    """The root group: built-ins load lazily, the plugins' commands are added on first listing or
    lookup of a name that is not built in, and :meth:`main` maps clscore's errors to exit statuses."""

    _plugins_added = False

    def _add_plugin_commands(self, ctx: click.Context) -> None:
        if self._plugins_added:
            return
        self._plugins_added = True
        from clscore.cli._plugin_commands import plugin_commands

        strict = bool(ctx.find_root().params.get("strict_plugins"))
        for name, command in plugin_commands(set(self.lazy_subcommands), strict=strict).items():
            self.add_command(command, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._add_plugin_commands(ctx)
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.lazy_subcommands:
            self._add_plugin_commands(ctx)
        return super().get_command(ctx, cmd_name)

    def main(self, args: Sequence[str] | None = None, *posargs: Any, **kwargs: Any) -> Any:
        """click's entry (the console script and ``CliRunner`` both call it), plus: a
        :class:`ClsCoreError` is one ``Error:`` line and its exit status, or raised with ``--debug``."""
        argv = list(sys.argv[1:] if args is None else args)
        try:
            return super().main(argv, *posargs, **kwargs)
        except ClsCoreError as exc:
            root_flags = set(itertools.takewhile(lambda arg: arg.startswith("-"), argv))
            if "--debug" in root_flags or not kwargs.get("standalone_mode", True):
                raise
            if not isinstance(exc, TrainingStopped):  # a stop's line is already in the log and on stdout
                click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)


@click.group(
    cls=Clsrun, lazy_subcommands=BUILTIN_COMMANDS, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(__version__, "--version", prog_name="clsrun")
@click.option("--debug", is_flag=True, help="Show full tracebacks for errors.")
@click.option(
    "--strict-plugins",
    is_flag=True,
    envvar="CLSCORE_STRICT_PLUGINS",
    help="Fail when any plugin fails to load, instead of warning and going on.",
)
def cli(debug: bool, strict_plugins: bool) -> None:
    """Train, evaluate and run image classifiers from one config: YAML, or an MMClassification
    .py file (read as data, never executed).

    \b
    clsrun train configs/digits/resnet18_digits.yaml
    clsrun test CONFIG CHECKPOINT
    clsrun infer CHECKPOINT image.jpg
    clsrun plugins -v
    """
    if strict_plugins:
        from clscore.plugins import get_host

        get_host(strict=True)


def _show_warning(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
    click.echo(f"Warning: {message}", err=True)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: one line per warning; with ``--debug`` the traceback, then the error."""
    warnings.showwarning = _show_warning  # one line per warning, not the source line of our code
    try:
        cli.main(args=argv, prog_name="clsrun")
    except ClsCoreError as exc:  # only with --debug: Clsrun.main handles the others
        traceback.print_exc()
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
