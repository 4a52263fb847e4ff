"""``clsrun plugins new NAME``: write a ready-to-install plugin distribution from the bundled template.

The template lives in ``clscore/templates/plugin``. A file ending in ``.tmpl`` is rendered (each
``{{ key }}`` replaced, see ``template_values``) and loses the suffix; ``{{ key }}`` also works in
file and folder names, and a leading ``dot-`` becomes ``.`` (package data skips hidden files).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import click

from clscore._version import __version__
from clscore.errors import ClsCoreError
from clscore.plugins._manager import BUILTIN_PLUGIN

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

TEMPLATE = ("templates", "plugin")
_NAME = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")
_FIELD = re.compile(r"\{\{\s*(\w+)\s*\}\}")


class PluginNameError(ClsCoreError):
    """The plugin name cannot make a distribution, a package and an entry point."""

    exit_code = 2


def clscore_requirement(version: str = __version__) -> str:
    """The range a plugin built against this clscore should accept: this minor series."""
    major, minor = (int(part) for part in version.split(".")[:2])
    if major == 0:
        return f"clscore>={major}.{minor},<{major}.{minor + 1}"
    return f"clscore>={major}.{minor},<{major + 1}"


def template_values(name: str, author: str | None = None) -> dict[str, str]:
    """What ``{{ key }}`` means in the template for plugin ``name``."""
    if not _NAME.match(name):
        raise PluginNameError(
            f"invalid plugin name {name!r}: use lowercase letters and digits, words joined by '-' or '_', "
            "starting with a letter (e.g. 'zebra' or 'my-nets')"
        )
    if name == BUILTIN_PLUGIN:
        raise PluginNameError(f"{name!r} is the name of clscore's built-ins; choose another plugin name")
    words = re.split(r"[-_]", name)
    author_name, author_email = _split_author(author or "")
    authors = {"name": author_name or "Your Name"}
    if author_email:
        authors["email"] = author_email
    return {
        "name": name,
        "package": "clscore_" + "_".join(words),
        "dist": f"clscore-plugin-{name}",
        "prefix": "".join(word.capitalize() for word in words),
        "author": authors["name"],
        "authors_toml": "{ " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in authors.items()) + " }",
        "clscore_requirement": clscore_requirement(),
        "clscore_version": __version__,
    }


def _split_author(author: str) -> tuple[str, str]:
    """``"Jane Doe <jane@example.org>"`` -> name and e-mail."""
    match = re.match(r"^\s*(.*?)\s*<([^>]+)>\s*$", author)
    if match:
        return match.group(1), match.group(2)
    return author.strip(), ""


def render(text: str, values: Mapping[str, str], *, where: str) -> str:
    def field(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise KeyError(f"template {where} uses unknown field {key!r}")
        return values[key]

    return _FIELD.sub(field, text)


def template_files(root: Traversable | None = None) -> Iterator[tuple[PurePosixPath, Traversable]]:
    """Every file of the template, with its path relative to the template's root."""
    if root is None:
        root = resources.files("clscore").joinpath(*TEMPLATE)

    def walk(node: Traversable, prefix: PurePosixPath) -> Iterator[tuple[PurePosixPath, Traversable]]:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.name == "__pycache__":
                continue
            if child.is_dir():
                yield from walk(child, prefix / child.name)
            else:
                yield prefix / child.name, child

    yield from walk(root, PurePosixPath())


def output_path(relative: PurePosixPath, values: Mapping[str, str]) -> PurePosixPath:
    parts = []
    for part in relative.parts:
        part = render(part, values, where=str(relative))
        if part.startswith("dot-"):
            part = "." + part[len("dot-") :]
        parts.append(part.removesuffix(".tmpl"))
    return PurePosixPath(*parts)


def write_plugin(name: str, directory: Path, *, author: str | None = None, force: bool = False) -> Path:
    """Write the distribution ``clscore-plugin-NAME`` into ``directory``; return its project folder."""
    values = template_values(name, author)
    project = directory / values["dist"]
    if project.exists() and any(project.iterdir()) and not force:
        raise ClsCoreError(f"{project} already exists and is not empty; pass --force to write over its files")
    for relative, source in template_files():
        target = project / output_path(relative, values)
        target.parent.mkdir(parents=True, exist_ok=True)
        if relative.name.endswith(".tmpl"):
            target.write_text(
                render(source.read_text(encoding="utf-8"), values, where=str(relative)), "utf-8"
            )
        else:
            target.write_bytes(source.read_bytes())
    return project


@click.command("new")
@click.argument("name")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder in which to create the project folder clscore-plugin-NAME.",
)
@click.option("--author", default=None, help='Author for pyproject.toml, e.g. "Jane Doe <jane@example.org>".')
@click.option("--force", is_flag=True, help="Write over the files of an existing project folder.")
def new(name: str, directory: Path, author: str | None, force: bool) -> None:
    """Create the plugin distribution clscore-plugin-NAME (package clscore_NAME).

    It registers an example backbone and an example transform, and comes with a README, an
    example config and tests that pass as generated. NAME is the plugin's short name, used in
    configs as NAME:Component and in CLSCORE_DISABLE_PLUGINS.

    \b
    clsrun plugins new zebra --dir ~/src
    cd ~/src/clscore-plugin-zebra && pip install -e . && pytest
    """
    project = write_plugin(name, directory, author=author, force=force)
    values = template_values(name, author)
    click.echo(f"Created {values['dist']} (package {values['package']}, plugin {name!r}) in {project}")
    click.echo("Next:")
    click.echo(f"  cd {project}")
    click.echo("  pip install -e .          # registers the entry point")
    click.echo(f"  clsrun plugins            # lists {name}")
    click.echo("  pytest                    # the generated tests")


@click.group(hidden=True)
def plugin() -> None:
    """Deprecated spelling of ``clsrun plugins new``, one letter away from ``clsrun plugins``."""
    click.echo(
        "Note: `clsrun plugin new` is now `clsrun plugins new`; this spelling will be removed.", err=True
    )


plugin.add_command(new)
