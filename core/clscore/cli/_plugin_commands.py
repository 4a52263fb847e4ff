"""The plugins' ``clsrun`` commands, each reachable even when its name is taken.

A plugin command named like a built-in (or like an earlier plugin's command) is not hidden: it is
offered as ``<plugin>:<name>`` and a warning says so, naming the plugin.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection

import click

from clscore.plugins import PluginWarning, get_host


def plugin_commands(taken: Collection[str], *, strict: bool = False) -> dict[str, click.Command]:
    """``{name: command}`` for every loaded plugin's commands, none of them named like ``taken``."""
    names: dict[str, click.Command] = {}
    staged = get_host(strict=strict).plugin_commands(click.Group)
    for plugin, commands in staged.items():
        for name, command in commands.items():
            if name in taken or name in names:
                qualified = f"{plugin}:{name}"
                warnings.warn(
                    f"clscore plugin {plugin!r} adds the command {name!r}, which clsrun already has; "
                    f"run it as `clsrun {qualified}`",
                    PluginWarning,
                    stacklevel=2,
                )
                name = qualified
            names[name] = command
    return names
