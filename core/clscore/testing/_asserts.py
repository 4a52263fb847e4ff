"""Assertions a plugin's tests need: registered as promised, and cheap to import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable

from clscore.plugins import Component, PluginHost, signature_of

#: Modules that a plugin's entry module must not import (each costs a second or more).
HEAVY_MODULES = ("torch", "torchvision", "timm")


def assert_registered(
    host: PluginHost,
    kind: str,
    name: str,
    params: Iterable[str] = (),
    *,
    plugin: str | None = None,
    lazy: bool | None = None,
) -> Component:
    """Assert that ``name`` is a ``kind`` component taking keyword parameters ``params``.

    The parameters are read as config validation reads them (``clscore.plugins.signature_of``,
    from source for a lazy factory), so a parameter missing here would be rejected in a config too.
    ``plugin`` checks who registered it; ``lazy=True`` checks it was registered as a
    ``"module:attr"`` string and not imported yet. Also checks that it has a summary, which
    ``clsrun plugins components`` and the documentation show. Returns the component.
    """
    registry = host.registry(kind)
    try:
        component = registry.get(name if plugin is None else f"{plugin}:{name}")
    except Exception as exc:
        raise AssertionError(f"{kind} {name!r} is not registered as expected: {exc}") from None
    if not component.summary:
        raise AssertionError(
            f"{kind} {component.qualified_name} has no summary: pass summary= to registry.add"
        )
    if lazy is True and not isinstance(component.factory, str):
        raise AssertionError(
            f"{kind} {component.qualified_name} is registered as an object; register the lazy string "
            f"{component.target!r} so that loading the plugin imports nothing heavy"
        )
    if lazy is False and isinstance(component.factory, str):
        raise AssertionError(
            f"{kind} {component.qualified_name} is registered lazily ({component.factory!r})"
        )
    wanted = list(params)
    if wanted:
        signature = signature_of(component.factory if component.is_loaded else component.target)
        if signature is None:
            raise AssertionError(
                f"the parameters of {kind} {component.qualified_name} ({component.target}) cannot be read; "
                "give its __init__ explicit keyword parameters"
            )
        missing = [p for p in wanted if signature.get(p) is None]
        if missing:
            raise AssertionError(
                f"{kind} {component.qualified_name} has no parameter(s) {', '.join(map(repr, missing))}; "
                f"its parameters are: {', '.join(signature.names) or '(none)'}"
            )
    return component


def imported_heavy_modules(module: str, heavy: Iterable[str] = HEAVY_MODULES) -> list[str]:
    """Which of ``heavy`` a fresh interpreter has imported after ``import module``."""
    heavy = list(heavy)
    code = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        f"print(json.dumps([m for m in {heavy!r} if m in sys.modules]))\n"
    )
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    if result.returncode != 0:
        raise AssertionError(f"importing {module} failed:\n{result.stderr}")
    return list(json.loads(result.stdout.strip().splitlines()[-1]))


def assert_import_is_light(module: str, heavy: Iterable[str] = HEAVY_MODULES) -> None:
    """Assert that importing ``module`` in a fresh interpreter imports none of ``heavy``.

    A plugin's entry module is imported by every ``clsrun`` call, ``--help`` included; it should
    name its components as lazy ``"module:attr"`` strings and import torch only inside them.
    """
    found = imported_heavy_modules(module, heavy)
    if found:
        raise AssertionError(
            f"importing {module} imports {', '.join(found)}: register components as 'module:attr' strings "
            "and move heavy imports into the modules they name"
        )
