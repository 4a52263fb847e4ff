"""Discovering, selecting and loading plugins in isolation, and filling the registries."""

from __future__ import annotations

import importlib
import os
import traceback
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from types import ModuleType
from typing import Any

import pluggy

from clscore import hookspecs
from clscore._version import __version__
from clscore.errors import PluginLoadError
from clscore.plugins._kinds import KINDS
from clscore.plugins._registry import Provenance, Registry

ENTRY_POINT_GROUP = "clscore.plugins"
BUILTIN_PLUGIN = "clscore"
BUILTIN_MODULE = "clscore.builtins"
DISABLE_ENV = "CLSCORE_DISABLE_PLUGINS"
LOAD_ENV = "CLSCORE_LOAD_PLUGINS"


class PluginWarning(UserWarning):
    """A plugin failed to load; the others keep working."""


@dataclass
class PluginInfo:
    """What is known about one plugin: where it comes from and whether it loaded."""

    name: str
    module: str
    distribution: str | None = None
    version: str | None = None
    status: str = "pending"  # loaded | failed | disabled | not selected
    error: str | None = None
    traceback: str | None = None
    components: dict[str, list[str]] = field(default_factory=dict)

    @property
    def provenance(self) -> Provenance:
        return Provenance(self.name, self.distribution, self.version)

    @property
    def unavailable_reason(self) -> str | None:
        if self.status == "failed":
            return f"failed to load ({self.error})"
        if self.status == "disabled":
            return f"is disabled by {DISABLE_ENV}"
        if self.status == "not selected":
            return f"is not selected by {LOAD_ENV}"
        return None


def _env_names(var: str) -> set[str] | None:
    raw = os.environ.get(var)
    if raw is None:
        return None
    return {n.strip() for n in raw.split(",") if n.strip()}


def discover() -> list[PluginInfo]:
    """Entry points of the ``clscore.plugins`` group, read from metadata only (nothing imported)."""
    found: dict[str, PluginInfo] = {}
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in found:  # the same distribution seen twice on sys.path
            continue
        dist = getattr(ep, "dist", None)
        found[ep.name] = PluginInfo(
            name=ep.name,
            module=ep.value.split(":")[0],
            distribution=dist.name if dist is not None else None,
            version=dist.version if dist is not None else None,
        )
    return [found[name] for name in sorted(found)]


class PluginHost:
    """The loaded plugins and one registry per component kind."""

    def __init__(self, *, strict: bool = False, entry_points: bool = True, builtins: bool = True) -> None:
        self.strict = strict
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, PluginInfo] = {}
        self._unavailable: dict[str, str] = {}
        self.registries: dict[str, Registry] = {
            kind.name: Registry(kind.name, fold_case=kind.fold_case, _unavailable=self._unavailable)
            for kind in KINDS.values()
        }
        if builtins:
            builtin = PluginInfo(BUILTIN_PLUGIN, BUILTIN_MODULE, "clscore", __version__)
            self.add_plugin(builtin, importlib.import_module(BUILTIN_MODULE))
        if entry_points:
            self.load_entry_points()

    # -- loading ------------------------------------------------------------------------------
    def load_entry_points(self) -> None:
        disabled = _env_names(DISABLE_ENV) or set()
        selected = _env_names(LOAD_ENV)
        for info in discover():
            if info.name in self.plugins:
                continue
            if info.name in disabled or (info.distribution or "") in disabled:
                self._skip(info, "disabled")
            elif selected is not None and not ({info.name, info.distribution or ""} & selected):
                self._skip(info, "not selected")
            else:
                self._load(info)

    def _skip(self, info: PluginInfo, status: str) -> None:
        info.status = status
        self.plugins[info.name] = info
        self._unavailable[info.name] = info.unavailable_reason or status
        self.pm.set_blocked(info.name)  # a later add_plugin under this name is refused as well

    def _load(self, info: PluginInfo) -> None:
        try:
            module = importlib.import_module(info.module)
        except BaseException as exc:  # a broken plugin must not take the host down
            if isinstance(exc, KeyboardInterrupt):
                raise
            self._fail(info, exc)
            return
        self.add_plugin(info, module)

    def add_plugin(self, info: PluginInfo, plugin: ModuleType | object) -> None:
        """Register ``plugin`` (a module or object with hook implementations) under ``info.name``.

        Its registrations are staged and kept only if its hooks succeed; a name blocked by
        ``CLSCORE_DISABLE_PLUGINS``/``CLSCORE_LOAD_PLUGINS`` stays unloaded.
        """
        if self.pm.is_blocked(info.name):
            return
        self.plugins[info.name] = info
        try:
            self.pm.register(plugin, name=info.name)
            staged = {
                kind: Registry(kind, fold_case=self.registries[kind].fold_case) for kind in self.registries
            }
            for kind_name, registry in staged.items():
                self.call_plugin_hook(
                    info.name, KINDS[kind_name].hook, registry=registry.bind(info.provenance)
                )
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            if self.pm.is_registered(plugin):
                self.pm.unregister(plugin)
            self._fail(info, exc)
            return
        for kind_name, registry in staged.items():
            added = self.registries[kind_name].merge(registry)
            if added:
                info.components.setdefault(kind_name, []).extend(c.name for c in added)
        info.status = "loaded"

    def call_plugin_hook(self, plugin_name: str, hook_name: str, **kwargs: Any) -> list[Any]:
        """Call hook ``hook_name`` of one plugin only: its implementations and wrappers, in pluggy's order."""
        plugin = self.pm.get_plugin(plugin_name)
        others = [p for p in self.pm.get_plugins() if p is not plugin]
        result: list[Any] = self.pm.subset_hook_caller(hook_name, remove_plugins=others)(**kwargs)
        return result

    def _fail(self, info: PluginInfo, exc: BaseException) -> None:
        info.status = "failed"
        info.error = f"{type(exc).__name__}: {exc}"
        info.traceback = "".join(traceback.format_exception(exc))
        self.plugins[info.name] = info
        self._unavailable[info.name] = info.unavailable_reason or "failed"
        if self.strict:
            raise PluginLoadError(f"plugin {info.name!r} ({info.distribution}) failed to load: {info.error}")
        warnings.warn(
            f"clscore plugin {info.name!r} ({info.distribution}) failed to load and is skipped: {info.error}",
            PluginWarning,
            stacklevel=2,
        )

    # -- use ----------------------------------------------------------------------------------
    def registry(self, kind: str) -> Registry:
        try:
            return self.registries[kind]
        except KeyError:
            raise KeyError(f"unknown component kind {kind!r}; kinds: {', '.join(self.registries)}") from None

    def plugin_commands(self, new_group: Callable[[], Any]) -> dict[str, dict[str, Any]]:
        """Each loaded plugin's ``clsrun`` commands: ``{plugin: {name: command}}``.

        Every plugin's ``register_commands`` gets its own group from ``new_group()`` (so the caller
        knows who added what); a plugin that raises is reported as failed and its commands dropped.
        """
        commands: dict[str, dict[str, Any]] = {}
        for info in list(self.plugins.values()):
            if info.status != "loaded":
                continue
            group = new_group()
            try:
                self.call_plugin_hook(info.name, "register_commands", cli=group)
            except Exception as exc:
                self._fail(info, exc)
                continue
            if group.commands:
                commands[info.name] = dict(group.commands)
        return commands

    def failed(self) -> Iterable[PluginInfo]:
        return [p for p in self.plugins.values() if p.status == "failed"]


_HOST: PluginHost | None = None


def get_host(*, strict: bool | None = None) -> PluginHost:
    """The process-wide plugin host, created on first use."""
    global _HOST
    if _HOST is None:
        env_strict = os.environ.get("CLSCORE_STRICT_PLUGINS", "") not in ("", "0")
        _HOST = PluginHost(strict=bool(strict) or env_strict)
    elif strict and _HOST.failed():
        first = next(iter(_HOST.failed()))
        raise PluginLoadError(f"plugin {first.name!r} ({first.distribution}) failed to load: {first.error}")
    return _HOST


def set_host(host: PluginHost | None) -> PluginHost | None:
    """Replace the process-wide host (tests use this); returns the previous one."""
    global _HOST
    previous, _HOST = _HOST, host
    return previous
