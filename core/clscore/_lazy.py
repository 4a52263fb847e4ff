"""Lazy re-exports: a package names what it offers without importing (torch-heavy) submodules."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, namespace: dict[str, Any], targets: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``targets[name]`` (a module path, absolute or relative to
    ``package``) on first access and caches the value in ``namespace``."""

    def __getattr__(name: str) -> Any:
        module = targets.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        path = module if module.startswith("clscore") else f"{package}.{module}"
        value = getattr(importlib.import_module(path), name)
        namespace[name] = value
        return value

    return __getattr__
