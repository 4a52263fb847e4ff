"""The allow-list for ``.py`` configs: the whole tree is checked before any of it is evaluated."""

from __future__ import annotations

import ast

from clscore.errors import ConfigError

BUILTINS = frozenset(
    [
        "dict",
        "list",
        "tuple",
        "set",
        "round",
        "int",
        "float",
        "str",
        "bool",
        "len",
        "min",
        "max",
        "abs",
        "sum",
        "range",
        "zip",
        "enumerate",
        "sorted",
        "reversed",
    ]
)
MAX_DEPTH = 100  # nesting of expressions; real configs stay under 20
CUSTOM_IMPORTS = "custom_imports"
NO_IMPORTS = (
    "clscore never imports modules named in a config: components come from installed plugins "
    "(pip install clscore-plugin-<name>; `clsrun plugins` lists them). Remove custom_imports from the config."
)

_ALLOWED = "assignments of literals, dict(...), names bound earlier, arithmetic, subscripts, comprehensions, "
_ALLOWED += "'...'.format(...) and the built-ins " + ", ".join(sorted(BUILTINS))

_NAMES = {
    ast.Import: "an import",
    ast.ImportFrom: "an import",
    ast.FunctionDef: "a function definition",
    ast.AsyncFunctionDef: "a function definition",
    ast.ClassDef: "a class definition",
    ast.Lambda: "a lambda",
    ast.NamedExpr: "an assignment expression (:=)",
    ast.AugAssign: "an augmented assignment",
    ast.Delete: "a del statement",
    ast.Global: "a global statement",
    ast.Expr: "an expression statement (only assignments are read)",
    ast.If: "an if statement",
    ast.For: "a for loop",
    ast.While: "a while loop",
    ast.With: "a with statement",
    ast.Try: "a try statement",
    ast.AnnAssign: "an annotated assignment",
}

# Nodes that carry no behaviour of their own (contexts and operators) or are checked where they appear.
_NEUTRAL = (
    ast.expr_context,
    ast.operator,
    ast.unaryop,
    ast.cmpop,
    ast.boolop,
    ast.keyword,
    ast.comprehension,
)
_EXPRESSIONS = (
    ast.Constant,
    ast.Name,
    ast.List,
    ast.Tuple,
    ast.Set,
    ast.Dict,
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.Compare,
    ast.IfExp,
    ast.Subscript,
    ast.Slice,
    ast.Starred,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.JoinedStr,
    ast.FormattedValue,
)
_CONSTANTS = (str, int, float, bool, type(None))


def refusal(filename: str, node: ast.AST, what: str, source: str = "") -> ConfigError:
    """``file:line:col: <what> ... is refused``, saying that configs are read as data."""
    snippet = ast.get_source_segment(source, node) if source else None
    shown = f" `{snippet.splitlines()[0][:60]}`" if snippet else ""
    return ConfigError(
        f"{where(filename, node)}: {what}{shown} is refused: .py configs are read as data, never executed; "
        f"a config may only hold {_ALLOWED}"
    )


def where(filename: str, node: ast.AST) -> str:
    return f"{filename}:{getattr(node, 'lineno', 1)}:{getattr(node, 'col_offset', 0) + 1}"


def is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def check(tree: ast.Module, filename: str, source: str) -> None:
    """Raise ConfigError at the first node (in file order) outside the allow-list."""
    callees: set[int] = set()  # ids of nodes allowed only as the function of a call
    call_args: set[int] = set()  # ids of generator expressions passed straight to a call
    stack: list[tuple[ast.AST, int]] = [(stmt, 0) for stmt in reversed(tree.body)]
    while stack:  # iterative, so that no depth of nesting can exhaust the interpreter's stack
        node, depth = stack.pop()
        if depth == 0:
            _check_statement(node, filename, source)  # type: ignore[arg-type]
        elif depth > MAX_DEPTH:
            raise ConfigError(
                f"{where(filename, node)}: expression nested more than {MAX_DEPTH} levels deep; "
                "split it into several assignments"
            )
        if isinstance(node, ast.Call):
            _check_call(node, filename, source, callees, call_args)
        elif isinstance(node, ast.Attribute):
            if id(node) not in callees:
                raise refusal(filename, node, f"attribute access '.{node.attr}'", source)
        elif isinstance(node, ast.GeneratorExp):
            if id(node) not in call_args:
                raise refusal(filename, node, "a generator expression outside a call", source)
        else:
            _check_node(node, filename, source)
        children = list(ast.iter_child_nodes(node))
        stack.extend((child, depth + 1) for child in reversed(children))


def _check_statement(stmt: ast.stmt, filename: str, source: str) -> None:
    if isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            names = target.elts if isinstance(target, ast.Tuple | ast.List) else [target]
            for name in names:
                if not isinstance(name, ast.Name):
                    raise refusal(filename, name, "assigning to anything but a name", source)
                if name.id == CUSTOM_IMPORTS:
                    raise ConfigError(
                        f"{where(filename, stmt)}: custom_imports is not supported; {NO_IMPORTS}"
                    )
        return
    if isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
        return  # docstrings
    what = _NAMES.get(type(stmt), f"the statement {type(stmt).__name__}")
    raise refusal(filename, stmt, what, source)


def _check_call(node: ast.Call, filename: str, source: str, callees: set[int], call_args: set[int]) -> None:
    func = node.func
    if (isinstance(func, ast.Name) and func.id in BUILTINS) or (
        isinstance(func, ast.Attribute) and func.attr == "format"
    ):
        callees.add(id(func))
    else:
        if isinstance(func, ast.Name):
            name = f"{func.id}()"
        elif isinstance(func, ast.Attribute):
            name = f"the method .{func.attr}()"
        else:
            name = f"the result of a {type(func).__name__} expression"
        raise refusal(filename, node, f"a call to {name}", source)
    call_args.update(id(arg) for arg in node.args if isinstance(arg, ast.GeneratorExp))


def _check_node(node: ast.AST, filename: str, source: str) -> None:
    if isinstance(node, (ast.stmt, *_NEUTRAL)):
        if isinstance(node, ast.comprehension) and node.is_async:
            raise refusal(filename, node.target, "an async comprehension", source)
        return
    if not isinstance(node, _EXPRESSIONS):
        what = _NAMES.get(type(node), f"the expression {type(node).__name__}")
        raise refusal(filename, node, what, source)
    if isinstance(node, ast.Constant) and not isinstance(node.value, _CONSTANTS):
        raise refusal(filename, node, f"the literal {repr(node.value)[:20]}", source)
    if isinstance(node, ast.Name) and is_dunder(node.id):
        raise refusal(filename, node, f"the name {node.id}", source)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        raise refusal(filename, node, "the @ operator", source)
