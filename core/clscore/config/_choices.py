"""A component's own value choices, read without importing it: the keys of its ``arch_settings``.

Backbones in the MMClassification style list their architectures in a class attribute
(``arch_settings = {18: ..., 34: ...}``, or a module-level dict it names) and check ``depth`` or
``arch`` against it only when built. Reading those keys from source lets ``clsrun config validate``
report ``depth: 19`` without importing torch. An attribute that is not a plain dict (built at run
time) gives no choices, and nothing is checked.
"""

from __future__ import annotations

import ast
import functools
from typing import Any

from clscore.plugins import Component
from clscore.plugins._signature import find_module_source

#: The config keys that pick an entry of ``arch_settings``, with the key type they go with.
ARCH_KEYS = {"depth": int, "arch": str}
_ATTRIBUTE = "arch_settings"


def arch_choices(component: Component) -> list[Any] | None:
    """The keys of the component's ``arch_settings``; ``None`` when it has none or they cannot be read."""
    if component.is_loaded:
        settings = getattr(component.load(), _ATTRIBUTE, None)
        return list(settings) if isinstance(settings, dict) else None
    module, _, attr = component.target.partition(":")
    return _static_choices(module, attr, 3)


@functools.lru_cache(maxsize=64)
def _module(module_name: str) -> ast.Module | None:
    path = find_module_source(module_name)
    if path is None:
        return None
    try:
        return ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None


def _static_choices(module_name: str, class_name: str, depth: int) -> list[Any] | None:
    tree = _module(module_name)
    if tree is None or depth <= 0:
        return None
    node = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name), None)
    if node is None:
        source = _imported_from(tree, module_name, class_name)
        return _static_choices(source, class_name, depth - 1) if source else None
    for statement in node.body:
        target, value = _assignment(statement)
        if target == _ATTRIBUTE:
            return _dict_keys(value, tree)
    for base in node.bases:  # inherited
        if isinstance(base, ast.Name):
            found = _static_choices(module_name, base.id, depth - 1)
            if found is not None:
                return found
    return None


def _assignment(statement: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return statement.target.id, statement.value
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target = statement.targets[0]
        if isinstance(target, ast.Name):
            return target.id, statement.value
    return None, None


def _dict_keys(value: ast.expr | None, tree: ast.Module) -> list[Any] | None:
    if isinstance(value, ast.Name):  # a module-level dict
        value = next((v for t, v in map(_assignment, tree.body) if t == value.id), None)
    if not isinstance(value, ast.Dict) or not value.keys:
        return None
    keys = [k.value for k in value.keys if isinstance(k, ast.Constant)]
    return keys if len(keys) == len(value.keys) else None


def _imported_from(tree: ast.Module, module_name: str, name: str) -> str | None:
    """The module that ``from X import name`` in ``tree`` names (relative imports resolved)."""
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and any(a.name == name and a.asname is None for a in node.names):
            if not node.level:
                return node.module
            parent = module_name.rsplit(".", node.level)[0]
            return f"{parent}.{node.module}" if node.module else parent
    return None


def check_arch(component: Component, cfg: dict[str, Any]) -> tuple[str, str] | None:
    """``(key, problem)`` when the config's ``depth``/``arch`` is not one of the component's choices."""
    for key, kind in ARCH_KEYS.items():
        value = cfg.get(key)
        if value is None or isinstance(value, bool) or not isinstance(value, kind):
            continue
        choices = arch_choices(component)
        if not choices or not all(isinstance(c, kind) for c in choices) or value in choices:
            return None
        listed = ", ".join(map(str, choices))
        return key, f"{component.describe()} has no {key} {value!r}; choose one of {listed}"
    return None
