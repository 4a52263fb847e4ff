from __future__ import annotations

import subprocess
import sys
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
    with pytest.warns(PluginWarning, match="raising"):
        host = isolated_host(RaisingPlugin(), TinyPlugin())
    info = host.plugins["raising"]
    assert info.status == "failed" and "boom in hook" in info.error
    assert "Half" not in host.registry("neck")  # its partial registrations are not kept
    assert "TinyNet" in host.registry("backbone")
    assert not host.pm.is_registered(RaisingPlugin)


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


def test_loading_plugins_imports_no_torch():
    code = "import sys; from clscore.plugins import get_host; get_host(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
