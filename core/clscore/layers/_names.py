"""Naming a type the user did not mean to write."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def unknown_type(key: str, name: object, choices: Iterable[str]) -> ValueError:
    """``unknown <key> type 'X': use one of ...; did you mean 'Y'?`` (case does not hide a match)."""
    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(str(name).lower(), list(lowered), n=1)
    hint = f"; did you mean {lowered[close[0]]!r}?" if close else ""
    return ValueError(f"unknown {key} type {name!r}: use one of {', '.join(choices)}{hint}")
