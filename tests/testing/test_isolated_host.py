from __future__ import annotations

import pytest

import clscore.builtins
from clscore import hookimpl
from clscore.plugins import get_host
from clscore.testing import isolated_host, plugin_info, use_host


class NetPlugin:
    name = "net"

    @hookimpl
    def register_backbones(self, registry):
        registry.add("Net", "collections:OrderedDict", summary="A test backbone.")


def test_isolated_host_has_the_builtins_and_the_given_plugins_only():
    host = isolated_host(NetPlugin())
    assert list(host.plugins) == ["clscore", "net"]
    assert host.registry("backbone").get("Net").qualified_name == "net:Net"
    assert "TinyDataset" not in host.registry("dataset")


def test_tiny_data_adds_the_tiny_dataset_lazily():
    host = isolated_host(tiny_data=True)
    component = host.registry("dataset").get("TinyDataset")
    assert component.qualified_name == "clscore_testing:TinyDataset"
    assert component.factory == "clscore.testing.data:TinyDataset"


def test_use_host_swaps_the_process_host_and_restores_it():
    before = get_host()
    host = isolated_host()
    with use_host(host):
        assert get_host() is host
    assert get_host() is before


def test_use_host_restores_even_after_an_error():
    before = get_host()
    with pytest.raises(RuntimeError), use_host(isolated_host()):
        raise RuntimeError("boom")
    assert get_host() is before


def test_a_module_that_is_no_entry_point_is_named_by_its_package():
    info = plugin_info(clscore.builtins)
    assert info.name == "clscore" and info.distribution is None


def test_an_installed_entry_module_keeps_its_entry_point_name():
    resnet_plugin = pytest.importorskip("clscore_resnet.plugin")
    info = plugin_info(resnet_plugin)
    assert (info.name, info.distribution) == ("resnet", "clscore-plugin-resnet")
    host = isolated_host(resnet_plugin)
    assert host.registry("backbone").get("ResNet").qualified_name == "resnet:ResNet"


def test_an_entry_module_also_loaded_through_its_entry_point_is_not_added_twice(monkeypatch):
    resnet_plugin = pytest.importorskip("clscore_resnet.plugin")
    monkeypatch.setenv("CLSCORE_LOAD_PLUGINS", "resnet")
    host = isolated_host(resnet_plugin, entry_points=True)
    assert host.plugins["resnet"].status == "loaded"
    assert host.registry("backbone").get("resnet:ResNet").provider.distribution == "clscore-plugin-resnet"
