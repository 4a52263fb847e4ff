from __future__ import annotations

import re

import pytest

from clscore import hookimpl
from clscore.testing import assert_import_is_light, assert_registered, imported_heavy_modules, isolated_host


def make_factory(size: int, mode: str = "a") -> dict:
    """A factory registered as an object."""
    return {"size": size, "mode": mode}


class Plugin:
    name = "checks"

    @hookimpl
    def register_backbones(self, registry):
        registry.add("Lazy", "clscore.testing.data:TinyDataset", summary="Registered lazily.")
        registry.add("Eager", make_factory, summary="Registered as an object.")
        registry.add("Bare", "clscore.testing.data:TinyDataset")


@pytest.fixture(scope="module")
def host():
    return isolated_host(Plugin())


def test_passes_and_returns_the_component(host):
    component = assert_registered(host, "backbone", "Lazy", ["num_samples", "size"], lazy=True)
    assert component.qualified_name == "checks:Lazy"
    assert assert_registered(host, "backbone", "Eager", ["size", "mode"], lazy=False).factory is make_factory


def test_checks_the_provider(host):
    assert_registered(host, "backbone", "Lazy", plugin="checks")
    with pytest.raises(AssertionError, match="not registered as expected"):
        assert_registered(host, "backbone", "Lazy", plugin="other")


def test_names_the_missing_parameters_and_lists_the_real_ones(host):
    with pytest.raises(AssertionError) as info:
        assert_registered(host, "backbone", "Lazy", ["num_samples", "depth"])
    message = str(info.value)
    assert "has no parameter(s) 'depth'" in message
    assert "num_samples, num_classes, size, seed" in message


def test_unknown_component_gets_the_registry_message(host):
    with pytest.raises(AssertionError, match="did you mean 'Lazy'"):
        assert_registered(host, "backbone", "Lazzy")


def test_requires_a_summary(host):
    with pytest.raises(AssertionError, match="has no summary"):
        assert_registered(host, "backbone", "Bare")


def test_lazy_flag_is_checked_both_ways(host):
    with pytest.raises(AssertionError, match="register the lazy string 'test_assertions:make_factory'"):
        assert_registered(host, "backbone", "Eager", lazy=True)
    with pytest.raises(AssertionError, match="is registered lazily"):
        assert_registered(host, "backbone", "Lazy", lazy=False)


def test_light_import_check_sees_heavy_imports():
    # Cheap stand-ins for torch: importing clscore.testing imports clscore.plugins, never torch.
    assert imported_heavy_modules("clscore.testing", heavy=("clscore.plugins", "torch")) == [
        "clscore.plugins"
    ]
    assert_import_is_light("clscore.testing")
    with pytest.raises(AssertionError, match=re.escape("importing clscore.testing imports clscore.plugins")):
        assert_import_is_light("clscore.testing", heavy=("clscore.plugins",))


def test_light_import_check_reports_import_errors():
    with pytest.raises(AssertionError, match="importing no_such_module_xyz failed"):
        assert_import_is_light("no_such_module_xyz")
