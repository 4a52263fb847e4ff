"""Hints the validator's modules share: the did-you-mean a problem ends with, and the unknown-key problem."""

from __future__ import annotations

import difflib
from collections.abc import Collection


def did_you_mean(word: str, choices: list[str], cutoff: float = 0.6) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
    return f"; did you mean {close[0]!r}?" if close else ""


def no_such_parameter(path: str, what: str, key: str, params: list[str], hidden: Collection[str] = ()) -> str:
    """The problem of a key that names none of ``params`` (``hidden`` ones are not listed as choices)."""
    return (
        f"{path}: {what} has no parameter {key!r}{did_you_mean(key, params) or '.'} Parameters: "
        f"{', '.join(n for n in params if n not in hidden) or '(none)'}."
    )
