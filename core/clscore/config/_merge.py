"""Config inheritance (``_base_``, ``_delete_``) and ``--cfg-options`` overrides."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from clscore.config._yaml import load_file, loads
from clscore.errors import ConfigError

BASE_KEY = "_base_"
DELETE_KEY = "_delete_"


def merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` onto ``base``: dicts merge recursively, anything else (lists too) replaces."""
    result = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, Mapping):
            value = dict(value)
            replace = value.pop(DELETE_KEY, False)
            if not replace and isinstance(result.get(key), dict):
                result[key] = merge(result[key], value)
            else:
                result[key] = strip_delete(value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def strip_delete(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: strip_delete(v) for k, v in value.items() if k != DELETE_KEY}
    if isinstance(value, list):
        return [strip_delete(v) for v in value]
    return value


def load_with_bases(path: Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Load ``path`` and everything its ``_base_`` names, relative to the file."""
    data = load_file(path)
    path = path.resolve()
    if path in _chain:
        cycle = " -> ".join(str(p) for p in (*_chain, path))
        raise ConfigError(f"_base_ files include each other in a cycle: {cycle}")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a config must be a mapping of sections, got {type(data).__name__}")
    bases = data.pop(BASE_KEY, None)
    if bases is None:
        return strip_delete(data)
    if isinstance(bases, str):
        bases = [bases]
    if not isinstance(bases, list) or not all(isinstance(b, str) for b in bases):
        raise ConfigError(f"{path}: _base_ must be a path or a list of paths, got {bases!r}")
    combined: dict[str, Any] = {}
    origin: dict[str, Path] = {}
    for base in bases:
        base_path = (path.parent / base).resolve()
        if not base_path.is_file():
            raise ConfigError(f"{path}: _base_ file {base!r} not found (looked for {base_path})")
        base_data = load_with_bases(base_path, (*_chain, path))
        for key in base_data:
            if key in combined:
                raise ConfigError(
                    f"{path}: key {key!r} is defined in two _base_ files, {origin[key]} and {base_path}; "
                    "keep it in one of them or set it in this file"
                )
            origin[key] = base_path
        combined.update(base_data)
    return merge(combined, data)


def parse_options(options: Mapping[str, Any] | Iterable[str] | None) -> dict[str, Any]:
    """``["a.b=1", "c=[x, y]"]`` (values parsed as YAML) or a dict, to ``{"a.b": 1, ...}``."""
    if options is None:
        return {}
    if isinstance(options, Mapping):
        return dict(options)
    parsed: dict[str, Any] = {}
    for item in options:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--cfg-options {item!r}: write key.path=value, e.g. runner.max_epochs=3")
        parsed[key.strip()] = loads(raw, source=f"--cfg-options {key.strip()}") if raw.strip() else None
    return parsed


def apply_options(cfg: dict[str, Any], options: Mapping[str, Any]) -> None:
    """Set each dotted ``key.path`` (list indices allowed: ``pipeline.1.size``) in place."""
    for dotted, value in options.items():
        parts = dotted.split(".")
        node: Any = cfg
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            where = ".".join(parts[: depth + 1])
            if isinstance(node, list):
                try:
                    index = int(part)
                    node[index]
                except (ValueError, IndexError):
                    raise ConfigError(
                        f"--cfg-options {dotted}: {where!r} indexes a list of {len(node)} items; "
                        f"use an index from 0 to {len(node) - 1}"
                    ) from None
                if last:
                    node[index] = copy.deepcopy(value)
                else:
                    node = node[index]
            elif isinstance(node, dict):
                if last:
                    node[part] = copy.deepcopy(value)
                else:
                    if node.get(part) is None:
                        node[part] = {}
                    node = node[part]
            else:
                raise ConfigError(
                    f"--cfg-options {dotted}: {'.'.join(parts[:depth])!r} is {node!r}, not a mapping or list"
                )
