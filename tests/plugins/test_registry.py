from __future__ import annotations

import pytest

from clscore.errors import ComponentError
from clscore.plugins import Provenance, Registry


def make_registry(**kwargs) -> Registry:
    return Registry("backbone", **kwargs)


def test_add_records_provenance_and_get_resolves_plain_and_qualified_names():
    registry = make_registry()
    registry.bind(Provenance("acme", "clscore-plugin-acme", "1.2")).add("Tiny", dict, summary="tiny")
    component = registry.get("Tiny")
    assert component.qualified_name == "acme:Tiny"
    assert component.provider.distribution == "clscore-plugin-acme"
    assert registry.get("acme:Tiny") is component
    assert component.load() is dict


def test_lazy_factory_is_imported_on_first_load_only():
    registry = make_registry()
    registry.bind(Provenance("acme")).add("Path", "pathlib:PurePosixPath")
    component = registry.get("Path")
    assert not component.is_loaded
    from pathlib import PurePosixPath

    assert component.load() is PurePosixPath
    assert component.is_loaded


def test_broken_lazy_factory_names_the_component():
    registry = make_registry()
    registry.bind(Provenance("acme")).add("Gone", "no_such_module_xyz:Thing")
    with pytest.raises(ComponentError, match="backbone acme:Gone: cannot import 'no_such_module_xyz'"):
        registry.get("Gone").load()


def test_unbound_registry_refuses_add():
    with pytest.raises(RuntimeError, match="bound to a plugin"):
        make_registry().add("X", dict)


@pytest.mark.parametrize("name", ["", "a:b", None])
def test_invalid_names_are_refused(name):
    with pytest.raises(ValueError):
        make_registry().bind(Provenance("p")).add(name, dict)


def test_factory_must_be_callable_or_lazy_string():
    with pytest.raises(TypeError):
        make_registry().bind(Provenance("p")).add("X", "not-a-target")


def test_same_plugin_registering_twice_is_an_error():
    view = make_registry().bind(Provenance("p"))
    view.add("X", dict)
    with pytest.raises(ValueError, match="registered twice"):
        view.add("X", list)


def test_ambiguous_plain_name_names_both_providers():
    registry = make_registry()
    registry.bind(Provenance("a", "dist-a")).add("ResNet", dict)
    registry.bind(Provenance("b", "dist-b")).add("ResNet", list)
    with pytest.raises(ComponentError) as info:
        registry.get("ResNet")
    message = str(info.value)
    assert "a:ResNet (dist-a)" in message and "b:ResNet (dist-b)" in message
    assert registry.get("b:ResNet").load() is list


def test_unknown_name_suggests_and_lists():
    registry = make_registry()
    registry.bind(Provenance("p")).add("GlobalAveragePooling", dict)
    registry.bind(Provenance("p")).add("GeneralizedMeanPooling", dict)
    with pytest.raises(ComponentError) as info:
        registry.get("GlobalAveragePoolin")
    message = str(info.value)
    assert "did you mean 'GlobalAveragePooling'?" in message
    assert "Available backbones: GeneralizedMeanPooling, GlobalAveragePooling" in message


def test_fold_case_lookup_ignores_case_and_underscores():
    registry = Registry("metric", fold_case=True)
    registry.bind(Provenance("clscore")).add("F1Score", dict)
    assert registry.get("f1_score").name == "F1Score"
    assert "F1SCORE" in registry


def test_unknown_name_mentions_plugins_that_did_not_load():
    unavailable = {"broken": "failed to load (ImportError: boom)"}
    registry = Registry("backbone", _unavailable=unavailable)
    with pytest.raises(ComponentError, match="provided by plugin 'broken', which failed to load"):
        registry.get("broken:Thing")
    with pytest.raises(ComponentError, match="plugin 'broken' failed to load"):
        registry.get("Thing")


def test_merge_adds_a_staged_plugins_components_and_keeps_those_already_there():
    registry = make_registry()
    registry.bind(Provenance("acme")).add("Tiny", dict)
    kept = registry.get("Tiny")
    staged = make_registry()
    staged.bind(Provenance("acme")).add("Tiny", list)  # acme added twice: the first stays
    staged.bind(Provenance("acme")).add("Big", set)
    added = registry.merge(staged)
    assert [c.qualified_name for c in added] == ["acme:Big"]
    assert registry.get("Tiny") is kept and registry.get("Big").load() is set
