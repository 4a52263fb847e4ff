"""The ``clsrun`` launcher.

Subcommands are imported only when used, and heavy libraries only inside them, so that
``clsrun --help``, ``clsrun plugins`` and ``clsrun config validate`` never import torch.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import traceback
import warnings
from typing import Any

import click

from clscore._version import __version__
from clscore.errors import ClsCoreError

#: name -> "module:attr" of the click command; a module not present is simply not offered.
BUILTIN_COMMANDS: dict[str, str] = {
    "train": "clscore.cli.train:train",
    "test": "clscore.cli.test:test",
    "infer": "clscore.cli.infer:infer",
    "export": "clscore.cli.export:export",
    "analyze": "clscore.cli.analyze:analyze",
    "plugins": "clscore.cli.plugins:plugins",
    "config": "clscore.cli.config:config",
    "plugin": "clscore.cli.plugin_new:plugin",
}


class LazyGroup(click.Group):
    """Built-in commands load on first use; plugin commands come from ``register_commands``."""

    _plugins_added = False

    def _add_plugin_commands(self, ctx: click.Context) -> None:
        if self._plugins_added:
            return
        self._plugins_added = True
        from clscore.plugins import get_host

        strict = bool(ctx.find_root().params.get("strict_plugins"))
        get_host(strict=strict).register_commands(self)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._add_plugin_commands(ctx)
        builtin = [name for name, target in BUILTIN_COMMANDS.items() if _available(target)]
        return sorted(set(builtin) | set(self.commands))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = BUILTIN_COMMANDS.get(name)
        if target is not None and _available(target):
            module, _, attr = target.partition(":")
            command: click.Command = getattr(importlib.import_module(module), attr)
            return command
        self._add_plugin_commands(ctx)
        return self.commands.get(name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ClsCoreError as exc:
            if ctx.params.get("debug"):
                raise
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)


def _available(target: str) -> bool:
    return importlib.util.find_spec(target.partition(":")[0]) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="clsrun")
@click.option("--debug", is_flag=True, help="Show full tracebacks for errors.")
@click.option(
    "--strict-plugins",
    is_flag=True,
    envvar="CLSCORE_STRICT_PLUGINS",
    help="Fail when any plugin fails to load, instead of warning and going on.",
)
def cli(debug: bool, strict_plugins: bool) -> None:
    """Train, evaluate and run image classifiers from one YAML config.

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
    """Console-script entry point."""
    warnings.showwarning = _show_warning  # one line per warning, not the source line of our code
    try:
        cli.main(args=argv, prog_name="clsrun")
    except ClsCoreError as exc:  # raised before a subcommand ran (e.g. --strict-plugins)
        if "--debug" in (argv if argv is not None else sys.argv):
            traceback.print_exc()
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
