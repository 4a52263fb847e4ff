"""A plugin host with entry-point discovery off and chosen plugins registered in process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

from clscore.plugins import PluginHost, PluginInfo, discover, set_host


def isolated_host(
    *plugins: object | ModuleType, entry_points: bool = False, tiny_data: bool = False, builtins: bool = True
) -> PluginHost:
    """A new host with the built-ins and ``plugins`` (objects or modules with hook implementations).

    ``entry_points=True`` also loads every installed plugin, as ``clsrun`` would. ``tiny_data=True``
    adds the ``TinyDataset`` that ``clscore.testing.tiny_config`` trains on. ``builtins=False`` leaves
    out the core's own components, for tests of names that would otherwise clash with them.
    """
    host = PluginHost(entry_points=entry_points, builtins=builtins)
    if tiny_data:
        from clscore.testing._tiny_plugin import TINY_DATA_PLUGIN

        plugins = (*plugins, TINY_DATA_PLUGIN)
    for plugin in plugins:
        info = plugin_info(plugin)
        if host.pm.get_plugin(info.name) is plugin:
            continue  # already loaded through its entry point
        host.add_plugin(info, plugin)
    return host


def plugin_info(plugin: object | ModuleType) -> PluginInfo:
    """What to record about ``plugin``: an installed plugin's module keeps its entry-point name."""
    if isinstance(plugin, ModuleType):
        for info in discover():
            if info.module == plugin.__name__:
                return info
    name = plugin_name(plugin)
    return PluginInfo(name=name, module=getattr(plugin, "__module__", None) or name)


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
