"""Checking config values against a factory's annotations, read as source text.

Only annotations we understand are enforced (builtins, Optional/Union, Sequence/list/tuple of X,
Literal); anything else (tensors, modules, custom classes) is accepted as is.
"""

from __future__ import annotations

import ast
from typing import Any

_SCALARS: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "str": (str,),
    "dict": (dict,),
    "Mapping": (dict,),
    "MutableMapping": (dict,),
    "None": (type(None),),
    "NoneType": (type(None),),
}
#: Types a plain YAML value can never be, so a union like ``float | Tensor`` still rejects ``'fast'``.
_NEVER_YAML = {"Tensor", "Module", "Optimizer", "Parameter"}
_SEQUENCES = {"list", "List", "tuple", "Tuple", "Sequence", "MutableSequence", "Iterable", "Collection"}


def describe(annotation: str) -> str:
    return annotation.replace("typing.", "")


def check_value(value: Any, annotation: str | None) -> bool:
    """``False`` only when ``value`` certainly does not fit ``annotation``."""
    if not annotation:
        return True
    try:
        node = ast.parse(annotation.replace("typing.", ""), mode="eval").body
    except SyntaxError:
        return True
    return _fits(value, node) is not False


def _fits(value: Any, node: ast.expr) -> bool | None:
    """True/False when decidable, None when the annotation is outside what we understand."""
    if isinstance(node, ast.Constant):
        if node.value is None:
            return value is None
        if isinstance(node.value, str):  # a quoted forward reference
            try:
                return _fits(value, ast.parse(node.value, mode="eval").body)
            except SyntaxError:
                return None
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _any_of(value, [node.left, node.right])
    name = _name(node)
    if name is not None:
        if name in _SCALARS:
            kinds = _SCALARS[name]
            if isinstance(value, bool) and bool not in kinds:
                return False
            return isinstance(value, kinds)
        if name in _SEQUENCES:
            return isinstance(value, list | tuple)
        if name == "Any":
            return True
        if name in _NEVER_YAML:
            return False
        return None
    if isinstance(node, ast.Subscript):
        outer = _name(node.value)
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if outer == "Optional":
            return value is None or _fits(value, args[0]) is not False
        if outer == "Union":
            return _any_of(value, args)
        if outer == "Literal":
            options = [a.value for a in args if isinstance(a, ast.Constant)]
            return value in options
        if outer in _SEQUENCES:
            if not isinstance(value, list | tuple):
                return False
            if outer in {"tuple", "Tuple"} and not (
                len(args) == 2 and isinstance(args[1], ast.Constant) and args[1].value is Ellipsis
            ):
                if len(args) != len(value):
                    return False
                return all(_fits(v, a) is not False for v, a in zip(value, args))
            return all(_fits(v, args[0]) is not False for v in value)
        if outer in {"dict", "Dict", "Mapping"}:
            return isinstance(value, dict)
    return None


def _any_of(value: Any, options: list[ast.expr]) -> bool | None:
    results = [_fits(value, option) for option in options]
    if any(r is True for r in results):
        return True
    if any(r is None for r in results):
        return None
    return False


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None
