"""A plugin host with entry-point discovery off and chosen plugins registered in process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

from clscore.plugins import PluginHost, PluginInfo, set_host


def isolated_host(*plugins: object | ModuleType, entry_points: bool = False) -> PluginHost:
    """A new host with the built-ins and ``plugins`` (objects or modules with hook implementations)."""
    host = PluginHost(entry_points=entry_points)
    for plugin in plugins:
        name = plugin_name(plugin)
        host.add_plugin(PluginInfo(name=name, module=getattr(plugin, "__module__", None) or name), plugin)
    return host


def plugin_name(plugin: object) -> str:
    """A module is named by its top-level package; an object by its ``name`` or its class."""
    if isinstance(plugin, ModuleType):
        return plugin.__name__.split(".")[0]
    return str(getattr(plugin, "name", None) or type(plugin).__name__.lower())


@contextmanager
def use_host(host: PluginHost) -> Iterator[PluginHost]:
    """Make ``host`` the process-wide host for the duration of the block."""
    previous = set_host(host)
    try:
        yield host
    finally:
        set_host(previous)
