"""The bounds on reading a ``.py`` config: steps, sizes of values, bits of numbers, formatted text.

Every value the interpreter makes is measured once (the measure is cached by identity, values never
change), and anything that could grow a value is sized before it is computed, so that a config such
as ``'a' * 10**10`` or ``2 ** 10**8`` is refused at once instead of exhausting memory or time.
"""

from __future__ import annotations

import _string  # the field-name parser behind str.format, to refuse attribute fields
import ast
import math
import re
import string
from collections.abc import Iterable
from typing import Any

from clscore.config._pyconfig_check import where
from clscore.config._yaml import MAX_NESTING
from clscore.errors import ConfigError

MAX_STEPS = 1_000_000  # evaluated nodes and items touched; real configs need a few thousand
MAX_SIZE = 1_000_000  # one value: one unit per item, per character, per 64 bits of an int
MAX_INT_BITS = 16_384
MAX_SPEC = 1_000  # widths and precisions in format specs, digits of round()
_REPR = 26  # characters of text per unit of size, at most (a float is one unit, up to 24 characters)
_SEQUENCES = (str, list, tuple)


class Budget:
    """What one file may still spend, and the errors that name where it ran out."""

    def __init__(self, filename: str, source: str) -> None:
        self.filename = filename
        self.source = source
        self.steps = 0
        self._known: dict[int, tuple[Any, int, int]] = {}  # id -> (value, size, nesting)

    def precheck(self, kind: type[ast.operator], left: Any, right: Any, node: ast.AST) -> None:
        """Refuse ``left <kind> right`` before computing it when the result would be too large."""
        ints = isinstance(left, int) and isinstance(right, int)
        if kind is ast.Mult:
            if ints:
                self.limit_bits(left.bit_length() + right.bit_length(), node)
            else:
                seq, times = (left, right) if isinstance(right, int) else (right, left)
                if isinstance(seq, _SEQUENCES) and isinstance(times, int) and times > 0:
                    self.limit((self.size(seq) - 1) * times + 1, node, "the repetition")
        elif kind is ast.Pow and ints and right > 0 and abs(left) > 1:
            self.limit_bits(int(right * math.log2(abs(left))), node)
        elif kind is ast.LShift and ints and right > 0:
            self.limit_bits(left.bit_length() + right, node)
        elif kind is ast.Add and isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
            self.limit(self.size(left) + self.size(right), node, "the concatenation")
        elif kind is ast.Mod and isinstance(left, str):
            raise self.error(node, "%-formatting of strings is refused; use '...'.format(...)")

    def new(self, value: Any, node: ast.AST) -> Any:
        """Check a freshly computed value: plain data only, within size and nesting limits."""
        self.size(value, node)
        return value

    def size(self, value: Any, node: ast.AST | None = None) -> int:
        return self._measure(value, node)[0]

    def _measure(self, value: Any, node: ast.AST | None) -> tuple[int, int]:
        if isinstance(value, str):
            return 1 + len(value), 0
        if isinstance(value, bool | float | type(None)):
            return 1, 0
        if isinstance(value, int):
            return 1 + value.bit_length() // 64, 0
        known = self._known.get(id(value))
        if known is not None and known[0] is value:
            return known[1], known[2]
        if isinstance(value, dict):
            children: Iterable[Any] = [*value.keys(), *value.values()]
        elif isinstance(value, list | tuple | set):
            children = value
        else:
            raise self.error(node, f"the result is a {type(value).__name__}, which is not config data")
        self.charge(len(value), node)
        size, nesting = 1, 0
        for child in children:
            child_size, child_nesting = self._measure(child, node)
            size += child_size
            nesting = max(nesting, child_nesting + 1)
            self.limit(size, node, "the value")
        if nesting > MAX_NESTING:
            raise self.error(node, f"the value nests containers more than {MAX_NESTING} levels deep")
        self._known[id(value)] = (value, size, nesting)
        return size, nesting

    def text_size(self, value: Any) -> int:
        return len(value) if isinstance(value, str) else _REPR * self.size(value)

    def charge(self, steps: int, node: ast.AST | None) -> None:
        self.steps += steps
        if self.steps > MAX_STEPS:
            raise self.error(node, f"reading the config takes more than {MAX_STEPS:,} steps; it is refused")

    def limit(self, size: int, node: ast.AST | None, what: str) -> None:
        if size > MAX_SIZE:
            raise self.error(
                node, f"{what} would hold more than {MAX_SIZE:,} items or characters; it is refused"
            )

    def limit_bits(self, bits: int, node: ast.AST) -> None:
        if bits > MAX_INT_BITS:
            raise self.error(node, f"the number would have more than {MAX_INT_BITS:,} bits; it is refused")

    def error(self, node: ast.AST | None, message: str) -> ConfigError:
        if node is None:
            return ConfigError(f"{self.filename}: {message}")
        snippet = ast.get_source_segment(self.source, node) if hasattr(node, "lineno") else None
        shown = f" in `{snippet.splitlines()[0][:60]}`" if snippet else ""
        return ConfigError(f"{where(self.filename, node)}: {message}{shown}")


_SPEC_NUMBER = re.compile(r"\d+")


def check_spec(spec: str, interp: Budget, node: ast.AST) -> None:
    for number in _SPEC_NUMBER.findall(spec):
        if len(number) > 6 or int(number) > MAX_SPEC:
            raise interp.error(node, f"format width or precision {number} is beyond the limit of {MAX_SPEC}")


class Formatter(string.Formatter):
    """``str.format`` without attribute fields (``{0.__class__}``) and with bounded output."""

    def __init__(self, interp: Budget, node: ast.AST) -> None:
        self.interp, self.node, self.written = interp, node, 0

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        _, rest = _string.formatter_field_name_split(field_name)
        if any(is_attr for is_attr, _ in rest):
            raise self.interp.error(
                self.node, f"the format field {{{field_name}}} reads an attribute; refused"
            )
        return super().get_field(field_name, args, kwargs)

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion:
            self.interp.limit(self.interp.text_size(value), self.node, "the formatted value")
        return super().convert_field(value, conversion)

    def format_field(self, value: Any, format_spec: str) -> str:
        self.interp.limit(self.interp.text_size(value), self.node, "the formatted value")
        check_spec(format_spec, self.interp, self.node)
        text = format(value, format_spec)
        self.written += len(text)
        self.interp.limit(self.written, self.node, "the formatted string")
        return text
