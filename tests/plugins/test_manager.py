from __future__ import annotations

from types import ModuleType

import pytest

from clscore import hookimpl
from clscore.errors import PluginLoadError
from clscore.plugins import KINDS, PluginHost, PluginInfo, PluginWarning, hookspecs_names
from clscore.testing import isolated_host


class TinyPlugin:
    name = "tiny"

    @hookimpl
    def register_backbones(self, registry):
        registry.add("TinyNet", "collections:OrderedDict", summary="A test backbone.")


class RaisingPlugin:
    name = "raising"

    @hookimpl
    def register_necks(self, registry):
        registry.add("Half", dict)

    @hookimpl
    def register_heads(self, registry):
        raise RuntimeError("boom in hook")


def test_builtins_are_registered_as_plugin_clscore():
    host = PluginHost(entry_points=False)
    assert host.plugins["clscore"].status == "loaded"
    assert host.plugins["clscore"].distribution == "clscore"


def test_every_kind_has_a_hookspec():
    assert {k.hook for k in KINDS.values()} <= set(hookspecs_names())


def test_plugin_components_get_provenance():
    host = isolated_host(TinyPlugin())
    component = host.registry("backbone").get("TinyNet")
    assert component.qualified_name == "tiny:TinyNet"
    assert host.plugins["tiny"].components == {"backbone": ["TinyNet"]}


def test_plugin_raising_in_a_hook_is_isolated_and_rolled_back():
    raising = RaisingPlugin()
    with pytest.warns(PluginWarning, match="raising"):
        host = isolated_host(raising, TinyPlugin())
    info = host.plugins["raising"]
    assert info.status == "failed" and "boom in hook" in info.error
    assert "Half" not in host.registry("neck")  # its partial registrations are not kept
    assert "TinyNet" in host.registry("backbone")
    assert not host.pm.is_registered(raising)
    assert host.pm.get_plugin("raising") is None


def test_strict_mode_turns_failures_into_errors():
    host = PluginHost(entry_points=False, strict=True)
    with pytest.raises(PluginLoadError, match="boom in hook"):
        host.add_plugin(PluginInfo("raising", "x"), RaisingPlugin())


def test_entry_point_selection_happens_before_import(monkeypatch):
    imported = []
    fake = [
        PluginInfo("good", "good_mod", "clscore-plugin-good", "1.0"),
        PluginInfo("bad", "bad_mod", "clscore-plugin-bad", "1.0"),
    ]
    monkeypatch.setattr("clscore.plugins._manager.discover", lambda: [PluginInfo(**vars(p)) for p in fake])

    def fake_import(name):
        imported.append(name)
        return ModuleType(name)

    monkeypatch.setenv("CLSCORE_DISABLE_PLUGINS", "bad")
    host = PluginHost(entry_points=False)
    monkeypatch.setattr("clscore.plugins._manager.importlib.import_module", fake_import)
    host.load_entry_points()
    assert host.plugins["bad"].status == "disabled"
    assert "bad_mod" not in imported and "good_mod" in imported

    monkeypatch.delenv("CLSCORE_DISABLE_PLUGINS")
    monkeypatch.setenv("CLSCORE_LOAD_PLUGINS", "")
    imported.clear()
    monkeypatch.undo()
    monkeypatch.setattr("clscore.plugins._manager.discover", lambda: [PluginInfo(**vars(p)) for p in fake])
    monkeypatch.setenv("CLSCORE_LOAD_PLUGINS", "")
    host = PluginHost(entry_points=False)
    monkeypatch.setattr("clscore.plugins._manager.importlib.import_module", fake_import)
    host.load_entry_points()
    assert imported == []
    assert {p.status for n, p in host.plugins.items() if n != "clscore"} == {"not selected"}


def test_disabled_plugins_are_blocked_in_pluggy(monkeypatch):
    monkeypatch.setattr(
        "clscore.plugins._manager.discover", lambda: [PluginInfo("tiny", "tiny_mod", "clscore-plugin-tiny")]
    )
    monkeypatch.setenv("CLSCORE_DISABLE_PLUGINS", "tiny")
    host = PluginHost()
    assert host.pm.is_blocked("tiny")
    host.add_plugin(PluginInfo("tiny", "x"), TinyPlugin())  # refused: the user disabled it
    assert host.plugins["tiny"].status == "disabled"
    assert "TinyNet" not in host.registry("backbone")


# -- hooks go through pluggy: markers and wrappers work as pluggy documents ---------------------------------
class OrderedPlugin:
    """Three implementations of one hook (``specname``): pluggy orders them, the wrapper sees the result."""

    name = "ordered"

    def __init__(self, swallow: bool = False, fail: bool = False) -> None:
        self.calls: list[str] = []
        self.swallow, self.fail = swallow, fail

    @hookimpl(specname="register_backbones", trylast=True)
    def late(self, registry):
        self.calls.append("late")
        registry.add("Late", dict)
        if self.fail:
            raise RuntimeError("late failed")

    @hookimpl(specname="register_backbones")
    def plain(self, registry):
        self.calls.append("plain")
        registry.add("Plain", dict)

    @hookimpl(specname="register_backbones", tryfirst=True)
    def early(self, registry):
        self.calls.append("early")
        registry.add("Early", dict)

    @hookimpl(specname="register_backbones", wrapper=True)
    def around(self, registry):
        self.calls.append("before")
        try:
            result = yield
        except RuntimeError:
            self.calls.append("caught")
            if not self.swallow:
                raise
            result = []
        self.calls.append("after: " + ",".join(c.name for c in registry))
        return result


def test_tryfirst_trylast_and_wrappers_run_in_pluggys_order():
    plugin = OrderedPlugin()
    host = isolated_host(plugin, TinyPlugin())
    assert plugin.calls == ["before", "early", "plain", "late", "after: Early,Late,Plain"]
    # the wrapper wraps its own plugin's implementations only: another plugin's are not in its registry
    assert host.plugins["ordered"].components == {"backbone": ["Early", "Late", "Plain"]}
    assert host.registry("backbone").get("Late").qualified_name == "ordered:Late"


def test_a_wrapper_that_lets_an_error_through_rolls_the_plugin_back():
    plugin = OrderedPlugin(fail=True)
    with pytest.warns(PluginWarning, match="late failed"):
        host = isolated_host(plugin)
    assert plugin.calls == ["before", "early", "plain", "late", "caught"]
    assert host.plugins["ordered"].status == "failed"
    assert not any(name in host.registry("backbone") for name in ("Early", "Plain", "Late"))


def test_a_wrapper_that_handles_the_error_keeps_the_registrations():
    plugin = OrderedPlugin(fail=True, swallow=True)
    host = isolated_host(plugin)
    assert plugin.calls[-2:] == ["caught", "after: Early,Late,Plain"]
    assert host.plugins["ordered"].status == "loaded"
    assert "Late" in host.registry("backbone")


class Group:
    """Stands in for a click group: what ``register_commands`` adds lands in ``commands``."""

    def __init__(self) -> None:
        self.commands: dict[str, str] = {}


class CommandsPlugin:
    name = "cmds"

    @hookimpl(specname="register_commands", trylast=True)
    def second(self, cli):
        cli.commands["which"] = "second"  # runs last, so it wins

    @hookimpl(specname="register_commands", tryfirst=True)
    def first(self, cli):
        cli.commands["which"] = "first"
        cli.commands["only-first"] = "first"


class BrokenCommandsPlugin:
    name = "broken-cmds"

    @hookimpl
    def register_backbones(self, registry):
        registry.add("KeptNet", dict)

    @hookimpl
    def register_commands(self, cli):
        cli.commands["half"] = "added before the error"
        raise RuntimeError("no commands today")


def test_register_commands_goes_through_pluggy_one_plugin_at_a_time():
    with pytest.warns(PluginWarning, match="no commands today"):
        host = isolated_host(CommandsPlugin(), BrokenCommandsPlugin())
        commands = host.plugin_commands(Group)
    assert commands == {"cmds": {"which": "second", "only-first": "first"}}  # broken-cmds' half is dropped
    assert host.plugins["broken-cmds"].status == "failed"
