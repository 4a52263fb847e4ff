"""MMClassification ``.py`` configs, read as data and never executed.

The text is parsed with :mod:`ast`, every node is checked against an allow-list
(:mod:`._pyconfig_check`) and only then evaluated by a small interpreter over plain data
(:mod:`._pyconfig_eval`). The file semantics MMCV adds on top (``_base_``, ``{{_base_.x}}``,
``{{fileDirname}}``, ``_deprecation_``) live in :mod:`._merge` and apply to YAML files as well.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from typing import Any

from clscore.config._pyconfig_check import check
from clscore.config._pyconfig_eval import Interpreter
from clscore.config._yaml import unshare
from clscore.errors import ConfigError

MAX_TEXT = 2_000_000  # characters; MMClassification's largest config is about 10,000

OnBase = Callable[[Any, ast.AST], Mapping[str, Any]]


def parse(text: str, filename: str) -> ast.Module:
    """Parse and check ``text``; nothing is evaluated."""
    if len(text) > MAX_TEXT:
        raise ConfigError(
            f"{filename}: {len(text):,} characters is too long for a config (limit {MAX_TEXT:,})"
        )
    try:
        tree = ast.parse(text, filename=filename)
    except SyntaxError as exc:
        raise ConfigError(f"{filename}:{exc.lineno}:{exc.offset}: not valid Python: {exc.msg}") from None
    except (RecursionError, MemoryError):
        lines = text.splitlines() or [""]
        longest = max(range(len(lines)), key=lambda i: len(lines[i])) + 1
        raise ConfigError(
            f"{filename}:{longest}: an expression is nested too deeply for Python's parser "
            "(near this line); split it into several assignments"
        ) from None
    check(tree, filename, text)
    return tree


def evaluate(text: str, filename: str, on_base: OnBase | None = None) -> dict[str, Any]:
    """The names a ``.py`` config binds, as plain data (tuples as lists), ``__names`` left out.

    ``on_base(value, node)`` is called when ``_base_`` is assigned and returns the merged bases,
    whose names the rest of the file may use.
    """
    names = Interpreter(filename, text, on_base).run(parse(text, filename))
    return unshare({k: v for k, v in names.items() if not k.startswith("__")}, source=filename)


def loads_python(text: str, filename: str = "<string>") -> dict[str, Any]:
    """Read the text of a ``.py`` config that has no ``_base_`` (e.g. a checkpoint's ``meta['config']``)."""
    return evaluate(text, filename)
