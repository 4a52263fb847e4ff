"""Parameters of a component's factory, read without importing it when it was registered lazily.

Validation must not import torch, so for a lazy ``"module:attr"`` factory we locate the module's
source file and read the signature from its syntax tree, following ``from x import y`` chains and
``**kwargs`` into base classes. A factory that is already imported is read with :mod:`inspect`.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_MAX_DEPTH = 12
_ROOT_BASES = frozenset({"object", "nn.Module", "torch.nn.Module", "Module", "ABC", "Generic"})


@dataclass(frozen=True)
class Param:
    name: str
    required: bool
    default: str | None = None  # source text of the default
    annotation: str | None = None  # source text of the annotation


@dataclass
class Signature:
    params: list[Param] = field(default_factory=list)
    #: The factory takes ``**kwargs`` that we could not trace: any name is accepted.
    open_kwargs: bool = False

    def get(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.params]


def signature_of(target: Any) -> Signature | None:
    """The keyword parameters of ``target`` (a callable or ``"module:attr"``); ``None`` if unknown."""
    if isinstance(target, str):
        module_name, _, attr = target.partition(":")
        loaded = sys.modules.get(module_name)
        if loaded is None:
            try:
                return _SourceReader().signature(module_name, attr, 0)
            except (OSError, SyntaxError, ValueError, ImportError):
                return None
        obj: Any = loaded
        for part in attr.split("."):
            obj = getattr(obj, part, None)
        target = obj
    if target is None:
        return None
    return _inspect_signature(target)


# -- imported objects ------------------------------------------------------------------------------
def _inspect_signature(obj: Any) -> Signature | None:
    if inspect.isclass(obj):
        return _inspect_class(obj)
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    return _from_inspect(sig, skip_self=False)


def _inspect_class(cls: type) -> Signature | None:
    merged = Signature()
    seen: set[str] = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        if klass is object or klass.__module__.startswith("torch.nn.modules.module"):
            merged.open_kwargs = merged.open_kwargs and klass is not object
            return merged
        try:
            part = _from_inspect(inspect.signature(init), skip_self=True)
        except (TypeError, ValueError):
            return None
        for p in part.params:
            if p.name not in seen:
                seen.add(p.name)
                merged.params.append(p)
        if not part.open_kwargs:
            merged.open_kwargs = False
            return merged
        merged.open_kwargs = True
    return merged


def _annotation_text(annotation: Any) -> str | None:
    if annotation is inspect.Parameter.empty:
        return None
    if isinstance(annotation, str):
        return annotation
    return inspect.formatannotation(annotation)


def _from_inspect(sig: inspect.Signature, *, skip_self: bool) -> Signature:
    result = Signature()
    params = list(sig.parameters.values())
    if skip_self and params:
        params = params[1:]
    for p in params:
        if p.kind is p.VAR_KEYWORD:
            result.open_kwargs = True
        elif p.kind is p.VAR_POSITIONAL:
            continue
        elif p.kind is not p.POSITIONAL_ONLY:
            default = None if p.default is p.empty else repr(p.default)
            result.params.append(Param(p.name, p.default is p.empty, default, _annotation_text(p.annotation)))
    return result


# -- source files ----------------------------------------------------------------------------------
def find_module_source(module_name: str) -> Path | None:
    """The ``.py`` file of ``module_name``, found without importing it or its parents."""
    parts = module_name.split(".")
    top = sys.modules.get(parts[0])
    if top is not None and getattr(top, "__path__", None) is not None:
        locations = list(top.__path__)
        origin = getattr(top, "__file__", None)
    else:
        spec = importlib.util.find_spec(parts[0])
        if spec is None:
            return None
        locations = list(spec.submodule_search_locations or [])
        origin = spec.origin
    if len(parts) == 1:
        return Path(origin) if origin and origin.endswith(".py") else None
    for i, part in enumerate(parts[1:], start=1):
        last = i == len(parts) - 1
        next_locations: list[str] = []
        for loc in locations:
            package_init = Path(loc, part, "__init__.py")
            module_file = Path(loc, f"{part}.py")
            if package_init.is_file():
                if last:
                    return package_init
                next_locations.append(str(package_init.parent))
            elif last and module_file.is_file():
                return module_file
        if not next_locations:
            return None
        locations = next_locations
    return None


class _SourceReader:
    def __init__(self) -> None:
        self._trees: dict[str, tuple[ast.Module, bool]] = {}

    def _tree(self, module_name: str) -> tuple[ast.Module, bool] | None:
        if module_name not in self._trees:
            path = find_module_source(module_name)
            if path is None:
                return None
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            self._trees[module_name] = (tree, path.name == "__init__.py")
        return self._trees[module_name]

    def _find(self, module_name: str, name: str, depth: int) -> tuple[str, ast.AST] | None:
        """The definition of top-level ``name`` in ``module_name`` as (defining module, node)."""
        if depth > _MAX_DEPTH:
            return None
        found = self._tree(module_name)
        if found is None:
            return None
        tree, is_package = found
        for node in reversed(tree.body):
            if isinstance(node, ast.ClassDef | ast.FunctionDef) and node.name == name:
                return module_name, node
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if (alias.asname or alias.name) == name:
                        source = _absolute(module_name, node, is_package)
                        return self._find(source, alias.name, depth + 1)
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Name)
                and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
            ):
                return self._find(module_name, node.value.id, depth + 1)
        return None

    def signature(self, module_name: str, attr: str, depth: int) -> Signature | None:
        head, _, rest = attr.partition(".")
        found = self._find(module_name, head, depth)
        if found is None:
            return None
        defining_module, node = found
        if rest and isinstance(node, ast.ClassDef):  # Class.method, e.g. a classmethod factory
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == rest:
                    return _from_function(item, skip_self=True)
            return None
        if isinstance(node, ast.FunctionDef):
            return _from_function(node, skip_self=False)
        if isinstance(node, ast.ClassDef):
            return self._class_signature(defining_module, node, depth)
        return None

    def _class_signature(self, module_name: str, node: ast.ClassDef, depth: int) -> Signature | None:
        if depth > _MAX_DEPTH:
            return None
        init = next((i for i in node.body if isinstance(i, ast.FunctionDef) and i.name == "__init__"), None)
        if init is not None:
            own = _from_function(init, skip_self=True)
            if not own.open_kwargs:
                return own
        else:
            own = Signature(open_kwargs=True)
        if any(isinstance(item, ast.FunctionDef) and item.name == "__new__" for item in node.body):
            return None
        for base in node.bases:
            base_name = _dotted(base)
            if base_name is None:
                continue
            if base_name in _ROOT_BASES:  # a root takes no keywords: any **kwargs are the class's own
                return own if init is not None else Signature()
            base_sig = self._base_signature(module_name, base_name, depth + 1)
            if base_sig is None:
                return None if init is None else own
            merged = Signature(list(own.params), base_sig.open_kwargs)
            for p in base_sig.params:
                if merged.get(p.name) is None:
                    merged.params.append(p)
            return merged
        return own if init is not None else Signature()

    def _base_signature(self, module_name: str, base_name: str, depth: int) -> Signature | None:
        if "." in base_name:
            return None
        found = self._find(module_name, base_name, depth)
        if found is None or not isinstance(found[1], ast.ClassDef):
            return None
        return self._class_signature(found[0], found[1], depth)


def _absolute(module_name: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = module_name.split(".")
    keep = len(parts) - node.level + (1 if is_package else 0)
    base = parts[:keep]
    if node.module:
        base.append(node.module)
    return ".".join(base)


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    if isinstance(node, ast.Subscript):  # Generic[T]
        return _dotted(node.value)
    return None


def _from_function(fn: ast.FunctionDef, *, skip_self: bool) -> Signature:
    result = Signature(open_kwargs=fn.args.kwarg is not None)
    args = fn.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    pairs = list(zip(positional, defaults))
    n_posonly = len(args.posonlyargs)
    if skip_self and pairs:
        pairs = pairs[1:]
        n_posonly = max(0, n_posonly - 1)
    for index, (arg, default) in enumerate(pairs):
        if index < n_posonly:
            continue
        result.params.append(_param(arg, default))
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults):
        result.params.append(_param(arg, kw_default))
    return result


def _param(arg: ast.arg, default: ast.expr | None) -> Param:
    return Param(
        arg.arg,
        required=default is None,
        default=None if default is None else ast.unparse(default),
        annotation=None if arg.annotation is None else ast.unparse(arg.annotation),
    )
