"""Everything the generated reference pages show must be documented in the code."""

from __future__ import annotations

import importlib.util
import inspect
from pathlib import Path

import pytest

from clscore import hookimpl, hookspecs
from clscore.plugins import KINDS, hookspecs_names
from clscore.testing import isolated_host, use_host

ROOT = Path(__file__).resolve().parents[2]


def load_generator():
    spec = importlib.util.spec_from_file_location(
        "gen_reference", ROOT / "docs" / "hooks" / "gen_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def builtins():
    host = isolated_host()
    return [c for registry in host.registries.values() for c in registry if c.provider.plugin == "clscore"]


@pytest.mark.parametrize("name", hookspecs_names())
def test_every_hook_spec_has_a_docstring(name):
    doc = inspect.getdoc(getattr(hookspecs, name))
    assert doc and len(doc) > 20, f"hook spec {name} needs a docstring: the plugin hooks reference shows it"


def test_every_kind_has_a_documented_title_in_the_reference():
    assert set(load_generator().KIND_DOCS) == set(KINDS)


def test_every_builtin_component_has_a_summary(builtins):
    missing = [f"{c.kind} {c.name}" for c in builtins if not (c.summary or "").strip()]
    assert not missing, f"registered without summary=...: {', '.join(missing)}"


def test_every_builtin_factory_has_its_own_docstring(builtins):
    missing = []
    for component in builtins:
        factory = component.load()
        if not (getattr(factory, "__doc__", None) or "").strip():
            missing.append(f"{component.kind} {component.name} ({component.target})")
    assert not missing, f"factories without a docstring (the config reference shows it): {', '.join(missing)}"


class DocPlugin:
    name = "docplugin"

    @hookimpl
    def register_necks(self, registry):
        registry.add("PipeNeck", "clscore.testing.data:TinyDataset", summary="A summary | with a pipe.")

    @hookimpl
    def register_optimizers(self, registry):
        registry.add("Documented", "clscore.testing.data:TinyDataset", summary="Uses params.")


def test_generated_reference_lists_every_component_with_its_parameters():
    gen = load_generator()
    host = isolated_host(DocPlugin())
    with use_host(host):
        text = gen.expand(
            "<!-- clscore:plugins -->\n<!-- clscore:sections -->\n<!-- clscore:components -->\n"
        )
    for registry in host.registries.values():
        for component in registry:
            assert f"### {component.name} {{#" in text, component.qualified_name
    assert "| docplugin | - | - | loaded | 2 |" in text
    assert "`type: PipeNeck` or `docplugin:PipeNeck`" in text
    assert "A summary \\| with a pipe." in text  # escaped so the summary table keeps its columns
    assert "| `num_samples` | `int` | `8` |" in text
    assert "| `size` | `int | Sequence[int]` | `32` |" in text
    assert "| `lr_config` | [scheduler](#kind-scheduler) | `policy` |" in text
    assert "### `runner`" in text and "| `max_epochs` | `int` |" in text


def test_generated_reference_marks_required_and_injected_parameters():
    gen = load_generator()
    with use_host(isolated_host()):
        sgd = gen.component_markdown(isolated_host().registry("optimizer").get("SGD"), frozenset({"params"}))
        linear = gen.component_markdown(isolated_host().registry("head").get("LinearClsHead"))
    assert "| `params` |" in sgd and "*supplied by clscore*" in sgd
    assert "| `num_classes` | `int` | **required** |" in linear


def test_unknown_marker_is_an_error():
    with pytest.raises(KeyError, match="unknown docs marker 'nope'"):
        load_generator().expand("<!-- clscore:nope -->")


def test_rest_roles_are_removed_from_rendered_docstrings():
    gen = load_generator()
    html = "Raise :class:<code>ConfigError</code> or :func:`run`."
    assert gen.on_page_content(html, None, None, None) == "Raise <code>ConfigError</code> or `run`."
