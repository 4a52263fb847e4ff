"""A small interpreter for checked ``.py`` configs, within the bounds of :mod:`._pyconfig_limits`.

Only plain data ever exists here (None, bools, numbers, strings, lists, tuples, sets, dicts): names
resolve to values bound by the config itself, and built-ins are reachable only as the callee of a
call, so no function, module or class object can be reached.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from clscore.config._pyconfig_limits import MAX_SPEC, Budget, Formatter, check_spec
from clscore.errors import ConfigError

_BINOPS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
    ast.LShift: operator.lshift,
    ast.RShift: operator.rshift,
    ast.BitAnd: operator.and_,
    ast.BitOr: operator.or_,
    ast.BitXor: operator.xor,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
    ast.Not: operator.not_,
    ast.Invert: operator.invert,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


def _sum(iterable: Any, /, start: Any = 0) -> tuple[Any, Any]:
    return iterable, start  # only binds the arguments the way sum() does; Interpreter adds them up


_FUNCS: dict[str, Callable[..., Any]] = {
    "dict": dict,
    "list": list,
    "tuple": tuple,
    "set": set,
    "round": round,
    "int": int,
    "float": float,
    "str": str,
    "bool": bool,
    "len": len,
    "min": min,
    "max": max,
    "abs": abs,
    "sum": _sum,
    "range": range,
    "zip": zip,
    "enumerate": enumerate,
    "sorted": sorted,
    "reversed": reversed,
}
_CONVERSIONS: dict[str, Callable[[Any], str]] = {"s": str, "r": repr, "a": ascii}
_LAZY = frozenset({"zip", "enumerate", "reversed", "range"})  # materialised as lists


class Interpreter(Budget):
    """Evaluates the module-level assignments of one checked file, in order."""

    def __init__(
        self, filename: str, source: str, on_base: Callable[[Any, ast.AST], Mapping[str, Any]] | None = None
    ) -> None:
        super().__init__(filename, source)
        self.on_base = on_base
        self.names: dict[str, Any] = {}
        self.base_names: Mapping[str, Any] = {}
        self.scopes: list[dict[str, Any]] = []  # comprehension variables, innermost last
        self._base_line: int | None = None

    # -- statements -------------------------------------------------------------------------------
    def run(self, tree: ast.Module) -> dict[str, Any]:
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign):
                value = self.eval(stmt.value)
                for target in stmt.targets:
                    self.bind(target, value, self.names, module=True)
        return self.names

    def bind(self, target: ast.expr, value: Any, scope: dict[str, Any], *, module: bool = False) -> None:
        if isinstance(target, ast.Name):
            if module and target.id == "_base_":
                self._load_bases(value, target)
            scope[target.id] = value
            return
        if not isinstance(target, ast.Tuple | ast.List):
            raise self.error(target, "only names and tuples of names can be assigned to")
        items = list(self.iterate(value, target))
        if len(items) != len(target.elts):
            raise self.error(target, f"cannot unpack {len(items)} values into {len(target.elts)} names")
        for sub, item in zip(target.elts, items, strict=True):
            self.bind(sub, item, scope, module=module)

    def _load_bases(self, value: Any, node: ast.AST) -> None:
        if self._base_line is not None:
            raise self.error(
                node, f"_base_ is assigned twice (first on line {self._base_line}); assign it once"
            )
        if self.on_base is None:
            raise self.error(node, "_base_ needs a config file on disk (its paths are relative to the file)")
        self._base_line = getattr(node, "lineno", 0)
        self.base_names = self.on_base(value, node)

    # -- expressions ------------------------------------------------------------------------------
    def eval(self, node: ast.AST) -> Any:
        self.charge(1, node)
        try:
            return getattr(self, "_" + type(node).__name__)(node)
        except ConfigError:
            raise
        except (ArithmeticError, LookupError, TypeError, ValueError) as exc:
            raise self.error(node, f"{type(exc).__name__}: {exc}") from None
        except (RecursionError, MemoryError):
            raise self.error(node, "too large or too deeply nested to evaluate") from None

    def _Constant(self, node: ast.Constant) -> Any:
        return node.value

    def _Name(self, node: ast.Name) -> Any:
        for scope in (*reversed(self.scopes), self.names, self.base_names):
            if node.id in scope:
                return scope[node.id]
        hint = " (built-ins can only be called)" if node.id in _FUNCS else ""
        raise self.error(
            node,
            f"name {node.id!r} is not defined{hint}; a config may use names assigned earlier "
            "in the file or in its _base_ files",
        )

    def _List(self, node: ast.List) -> list[Any]:
        return self.new(self.items(node.elts), node)

    def _Tuple(self, node: ast.Tuple) -> tuple[Any, ...]:
        return self.new(tuple(self.items(node.elts)), node)

    def _Set(self, node: ast.Set) -> set[Any]:
        return self.new(set(self.items(node.elts)), node)

    def items(self, elts: list[ast.expr]) -> list[Any]:
        out: list[Any] = []
        for elt in elts:
            if isinstance(elt, ast.Starred):
                out.extend(self.iterate(self.eval(elt.value), elt))
            else:
                out.append(self.eval(elt))
        return out

    def _Dict(self, node: ast.Dict) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                out.update(self.mapping(self.eval(value), value))
            else:
                out[self.eval(key)] = self.eval(value)
        return self.new(out, node)

    def _BinOp(self, node: ast.BinOp) -> Any:
        return self.binop(node.op, self.eval(node.left), self.eval(node.right), node)

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        return self.new(_UNARY[type(node.op)](self.eval(node.operand)), node)

    def _BoolOp(self, node: ast.BoolOp) -> Any:
        value = None
        for sub in node.values:
            value = self.eval(sub)
            if bool(value) is isinstance(node.op, ast.Or):
                return value
        return value

    def _Compare(self, node: ast.Compare) -> bool:
        left = self.eval(node.left)
        for op, sub in zip(node.ops, node.comparators, strict=True):
            right = self.eval(sub)
            self.charge(self.size(left) + self.size(right), node)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True

    def _IfExp(self, node: ast.IfExp) -> Any:
        return self.eval(node.body) if self.eval(node.test) else self.eval(node.orelse)

    def _Subscript(self, node: ast.Subscript) -> Any:
        value = self.eval(node.value)
        return self.new(value[self.eval(node.slice)], node)

    def _Slice(self, node: ast.Slice) -> slice:
        parts = (None if part is None else self.eval(part) for part in (node.lower, node.upper, node.step))
        return slice(*parts)

    def _Starred(self, node: ast.Starred) -> Any:
        raise self.error(node, "*spread is allowed only in list, tuple and set displays and in calls")

    def _JoinedStr(self, node: ast.JoinedStr) -> str:
        parts = [self.eval(value) for value in node.values]
        self.limit(sum(map(len, parts)), node, "the f-string")
        return "".join(parts)

    def _FormattedValue(self, node: ast.FormattedValue) -> str:
        value = self.eval(node.value)
        spec = "" if node.format_spec is None else self.eval(node.format_spec)
        self.limit(self.text_size(value), node, "the formatted value")
        check_spec(spec, self, node)
        if node.conversion > 0:
            value = _CONVERSIONS[chr(node.conversion)](value)
        return format(value, spec)

    # -- comprehensions ---------------------------------------------------------------------------
    def _ListComp(self, node: ast.ListComp) -> list[Any]:
        return self.new(list(self.comprehend(node, lambda: self.eval(node.elt))), node)

    def _GeneratorExp(self, node: ast.GeneratorExp) -> list[Any]:
        return self._ListComp(node)  # type: ignore[arg-type]  # eager: only ever passed to a call

    def _SetComp(self, node: ast.SetComp) -> set[Any]:
        return self.new(set(self.comprehend(node, lambda: self.eval(node.elt))), node)

    def _DictComp(self, node: ast.DictComp) -> dict[Any, Any]:
        pairs = self.comprehend(node, lambda: (self.eval(node.key), self.eval(node.value)))
        return self.new(dict(pairs), node)

    def comprehend(self, node: ast.AST, emit: Callable[[], Any]) -> list[Any]:
        generators: list[ast.comprehension] = node.generators  # type: ignore[attr-defined]
        out: list[Any] = []
        size = [0]

        def loop(index: int, items: Iterable[Any]) -> None:
            gen = generators[index]
            for item in items:
                self.charge(1, gen.target)
                self.bind(gen.target, item, scope)
                if all(self.eval(cond) for cond in gen.ifs):
                    if index + 1 < len(generators):
                        nxt = generators[index + 1].iter
                        loop(index + 1, self.iterate(self.eval(nxt), nxt))
                    else:
                        value = emit()
                        size[0] += self.size(value)
                        self.limit(size[0], node, "the comprehension")
                        out.append(value)

        first = self.iterate(self.eval(generators[0].iter), generators[0].iter)  # outer scope, as Python
        scope: dict[str, Any] = {}
        self.scopes.append(scope)
        try:
            loop(0, first)
        finally:
            self.scopes.pop()
        return out

    # -- calls ------------------------------------------------------------------------------------
    def _Call(self, node: ast.Call) -> Any:
        func = node.func
        receiver = self.eval(func.value) if isinstance(func, ast.Attribute) else None
        args = self.items(node.args)
        kwargs: dict[str, Any] = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                pairs = self.mapping(self.eval(keyword.value), keyword.value).items()
            else:
                pairs = [(keyword.arg, self.eval(keyword.value))]  # type: ignore[assignment]
            for key, value in pairs:
                if not isinstance(key, str):
                    raise self.error(keyword.value, f"keywords must be strings, got {key!r}")
                if key in kwargs:
                    raise self.error(keyword.value, f"keyword argument {key!r} is given twice")
                kwargs[key] = value
        if isinstance(func, ast.Attribute):  # the checker allows only .format here
            if not isinstance(receiver, str):
                raise self.error(func, f"'.format' is allowed only on strings, not {type(receiver).__name__}")
            return self.format(receiver, args, kwargs, node)
        assert isinstance(func, ast.Name)
        if any(func.id in scope for scope in (*self.scopes, self.names)):
            raise self.error(func, f"{func.id!r} is bound to a value in this config, so it cannot be called")
        return self.call(func.id, args, kwargs, node)

    def call(self, name: str, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
        self.charge(sum(self.size(value) for value in (*args, *kwargs.values())), node)
        if name == "sum":
            items, total = _sum(*args, **kwargs)
            for item in self.iterate(items, node):
                total = self.binop(ast.Add(), total, item, node)
            return total
        if name == "range":
            self.limit(len(range(*args, **kwargs)), node, "the range")
        elif name == "str" and args:
            self.limit(self.text_size(args[0]), node, "str()")
        elif name == "round" and len(args) + len(kwargs) > 1:
            digits = args[1] if len(args) > 1 else kwargs.get("ndigits")
            if isinstance(digits, int) and abs(digits) > MAX_SPEC:
                raise self.error(node, f"round() to {digits} digits is beyond the limit of {MAX_SPEC}")
        result = _FUNCS[name](*args, **kwargs)
        return self.new(list(result) if name in _LAZY else result, node)

    def format(self, template: str, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> str:
        return Formatter(self, node).vformat(template, args, kwargs)

    # -- operators --------------------------------------------------------------------------------
    def binop(self, op: ast.operator, left: Any, right: Any, node: ast.AST) -> Any:
        self.precheck(type(op), left, right, node)
        result = _BINOPS[type(op)](left, right)
        if isinstance(result, int):
            self.limit_bits(result.bit_length(), node)
        return self.new(result, node)

    # -- helpers ----------------------------------------------------------------------------------
    def iterate(self, value: Any, node: ast.AST) -> Iterable[Any]:
        if not isinstance(value, str | list | tuple | dict | set):
            raise self.error(node, f"cannot iterate over {type(value).__name__}")
        self.charge(len(value), node)
        return value

    def mapping(self, value: Any, node: ast.AST) -> Mapping[Any, Any]:
        if not isinstance(value, Mapping):
            raise self.error(node, f"** needs a dict, got {type(value).__name__}")
        return value
