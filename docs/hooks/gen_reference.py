"""MkDocs hook: write the config reference from the live registries at build time.

Every component of every installed plugin is listed with its provider, summary, docstring and
the parameters that config validation checks (read by ``clscore.plugins.signature_of``), so the
page cannot drift from the code. A page opts in with a marker line:

- ``<!-- clscore:components -->``: the components, one section per kind;
- ``<!-- clscore:sections -->``: the keys of the plain top-level config sections;
- ``<!-- clscore:plugins -->``: the installed plugins.

The functions below are plain Python, so tests can call them without MkDocs.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

MARKERS: dict[str, Callable[[], str]] = {}
_MARKER = re.compile(r"^<!-- clscore:(\w+) -->$", re.MULTILINE)
#: reST roles (``:class:`Name```) that some docstrings use; Markdown shows them literally.
_ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|exc|obj|py:\w+):(?=`|<code>)")

#: Where each kind appears in a config, and the hook that fills its registry.
KIND_DOCS: dict[str, tuple[str, str]] = {
    "model": ("Models", "`model:` (its `type` defaults to `ImageClassifier`)"),
    "backbone": ("Backbones", "`model.backbone`"),
    "neck": ("Necks", "`model.neck`"),
    "head": ("Heads", "`model.head`"),
    "loss": ("Losses", "`model.head.loss`"),
    "batch_augment": ("Batch augments", "`model.train_cfg.augments` (one, or a list with `prob` each)"),
    "transform": ("Transforms", "`data.<split>.pipeline` entries"),
    "dataset": ("Datasets", "`data.train`, `data.val`, `data.test`"),
    "scheduler": ("Learning-rate policies", "`lr_config.policy` (case and underscores ignored)"),
    "optimizer": ("Optimizers", "`optimizer.type`"),
    "metric": ("Metrics", "`evaluation.metric` (case and underscores ignored)"),
    "runner_hook": ("Runner hooks", "`custom_hooks` entries (with an optional `priority`)"),
}


def marker(name: str) -> Callable[[Callable[[], str]], Callable[[], str]]:
    def register(fn: Callable[[], str]) -> Callable[[], str]:
        MARKERS[name] = fn
        return fn

    return register


def _cell(text: str | None) -> str:
    """Text safe inside a Markdown table cell."""
    if text is None:
        return ""
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str | None) -> str:
    if not text:
        return ""
    ticks = "``" if "`" in text else "`"
    pad = " " if ticks == "``" else ""
    return f"{ticks}{pad}{text.replace(chr(10), ' ')}{pad}{ticks}"  # pipes inside code do not split cells


def _anchor(kind: str, name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", f"{kind}-{name}".lower()).strip("-")


def factory_doc(component: Any) -> str:
    """The factory's docstring (imports it: fine when building docs), or a note why there is none."""
    try:
        factory = component.load()
    except Exception as exc:  # a broken plugin must not stop the docs; say what happened
        return f"*Could not import `{component.target}`: {exc}*"
    doc = inspect.getdoc(factory) or ""
    if inspect.isclass(factory) and doc == inspect.getdoc(object):
        return ""
    return doc


def _docstring_markdown(doc: str) -> str:
    """Docstrings use reST's double backticks; in Markdown those render as code too."""
    doc = _ROLE.sub("", doc)
    lines = []
    for line in doc.splitlines():
        if line.strip() == "\\b":
            continue
        lines.append(line)
    return "\n".join(lines).strip()


def parameters_table(component: Any, injected: frozenset[str] = frozenset()) -> str:
    from clscore.plugins import signature_of

    signature = signature_of(component.factory if component.is_loaded else component.target)
    if signature is None:
        return "*Parameters could not be read from the source; any keyword is accepted by validation.*"
    rows = ["| parameter | type | default |", "| --- | --- | --- |"]
    for param in signature.params:
        if param.name in injected:
            default = "*supplied by clscore*"
        elif param.required:
            default = "**required**"
        else:
            default = _code(param.default)
        rows.append(f"| `{param.name}` | {_code(param.annotation)} | {default} |")
    text = "\n".join(rows) if signature.params else "*No parameters.*"
    if signature.open_kwargs:
        text += "\n\nFurther keyword arguments are passed on (`**kwargs`), so validation accepts any name."
    return text


def component_markdown(component: Any, injected: frozenset[str] = frozenset()) -> str:
    provider = component.provider
    origin = provider.distribution or provider.plugin
    if provider.version:
        origin += f" {provider.version}"
    parts = [
        f"### {component.name} {{#{_anchor(component.kind, component.qualified_name)}}}",
        "",
        f"`type: {component.name}` or `{component.qualified_name}` · from **{origin}** · "
        f"`{component.target}`",
        "",
    ]
    if component.summary:
        parts += [f"*{component.summary.strip()}*", ""]
    doc = _docstring_markdown(factory_doc(component))
    if doc:
        parts += [doc, ""]
    parts += [parameters_table(component, injected), ""]
    return "\n".join(parts)


@marker("components")
def components_markdown() -> str:
    """One section per component kind, each component with its parameters."""
    from clscore.config._sections import INJECTED
    from clscore.plugins import KINDS, get_host

    host = get_host()
    out = []
    for kind_name, kind in KINDS.items():
        title, where = KIND_DOCS.get(kind_name, (kind_name, f"kind `{kind_name}`"))
        registry = host.registry(kind_name)
        out += [
            f"## {title} {{#{_anchor('kind', kind_name)}}}",
            "",
            f"Used in {where}. Plugins add more with the hook `{kind.hook}(registry)`.",
            "",
        ]
        if not len(registry):
            out += ["*None installed.*", ""]
            continue
        out += ["| name | from | summary |", "| --- | --- | --- |"]
        for component in registry:
            link = f"[{component.name}](#{_anchor(kind_name, component.qualified_name)})"
            origin = component.provider.distribution or component.provider.plugin
            out.append(f"| {link} | {_cell(origin)} | {_cell(component.summary)} |")
        out.append("")
        injected = INJECTED.get(kind_name, frozenset())
        out += [component_markdown(component, injected) for component in registry]
    return "\n".join(out)


@marker("sections")
def sections_markdown() -> str:
    """The keys of the top-level sections that are not components, with the types validation checks."""
    from clscore.config._sections import COMPONENT_SECTIONS, PLAIN_SECTIONS, SCALAR_SECTIONS

    out = ["| section | component kind | name key |", "| --- | --- | --- |"]
    for name, section in COMPONENT_SECTIONS.items():
        default = f" (default `{section.default_type}`)" if section.default_type else ""
        kind = f"[{section.kind}](#{_anchor('kind', section.kind)})"
        out.append(f"| `{name}` | {kind} | `{section.type_key}`{default} |")
    out.append("")
    for name, keys in PLAIN_SECTIONS.items():
        out += [f"### `{name}`", "", "| key | type |", "| --- | --- |"]
        for key, annotation in keys.items():
            out.append(f"| `{key}` | {_code(annotation) or 'a component config or list'} |")
        out.append("")
    out += ["### Single values", "", "| key | type |", "| --- | --- |"]
    for key, annotation in SCALAR_SECTIONS.items():
        out.append(f"| `{key}` | {_code(annotation)} |")
    return "\n".join(out) + "\n"


@marker("plugins")
def plugins_markdown() -> str:
    """The plugins installed where the docs were built."""
    from clscore.plugins import get_host

    out = ["| plugin | distribution | version | status | components |", "| --- | --- | --- | --- | --- |"]
    for info in get_host().plugins.values():
        count = sum(len(names) for names in info.components.values())
        row = [info.name, info.distribution or "-", info.version or "-", info.status, str(count)]
        out.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return "\n".join(out) + "\n"


def expand(markdown: str) -> str:
    """Replace every marker line in ``markdown`` with its generated text."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in MARKERS:
            raise KeyError(f"unknown docs marker {name!r}; known: {', '.join(MARKERS)}")
        return MARKERS[name]()

    return _MARKER.sub(replace, markdown)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """MkDocs event: expand the markers of any page that has them."""
    return expand(markdown) if _MARKER.search(markdown) else markdown


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    """MkDocs event: drop reST roles left in API docstrings rendered by mkdocstrings."""
    return _ROLE.sub("", html)
