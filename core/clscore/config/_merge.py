"""Config files and inheritance (``_base_``, ``_delete_``, ``{{_base_.x}}``) and ``--cfg-options``."""

from __future__ import annotations

import copy
import os
import re
import secrets
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from clscore.config._pyconfig import evaluate
from clscore.config._pyconfig_check import CUSTOM_IMPORTS, NO_IMPORTS
from clscore.config._yaml import loads, read_text, unshare
from clscore.errors import ConfigError

BASE_KEY = "_base_"
DELETE_KEY = "_delete_"
DEPRECATION_KEY = "_deprecation_"
MAX_BASE_DEPTH = 32
_FILE_VAR = re.compile(r"\{\{\s*(fileDirname|fileBasename|fileBasenameNoExtension|fileExtname)\s*\}\}")
_BASE_REF = re.compile(r"\{\{\s*_base_\.([\w.]+)\s*\}\}")


class ConfigDeprecationWarning(UserWarning):
    """A config file marked with ``_deprecation_``: the message names the file to use instead."""


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
    """Load ``path`` and everything its ``_base_`` names, relative to the file, merged."""
    data, combined = load_own(path, _chain)
    _warn_deprecated(data.pop(DEPRECATION_KEY, None), path)
    data.pop(BASE_KEY, None)
    return strip_delete(data) if combined is None else merge(combined, data)


def load_own(path: Path, _chain: tuple[Path, ...] = ()) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The file's own dict and its merged bases (``None`` without ``_base_``).

    The own dict keeps ``_base_`` and ``_deprecation_``; ``{{fileDirname}}`` and friends and
    ``{{_base_.x}}`` are already filled in, as MMCV does: the first in the text before parsing,
    the second by placeholders that are replaced by the bases' values after reading.
    """
    text = read_text(Path(path))  # errors name the path as the user wrote it
    path = Path(os.path.abspath(path))
    key = path.resolve()
    if key in _chain:
        cycle = " -> ".join(str(p) for p in (*_chain, key))
        raise ConfigError(f"_base_ files include each other in a cycle: {cycle}")
    if len(_chain) >= MAX_BASE_DEPTH:
        raise ConfigError(f"{path}: _base_ files nest more than {MAX_BASE_DEPTH} levels deep")
    text, refs = _hide_base_refs(_fill_file_vars(text, path))
    chain = (*_chain, key)
    loaded: list[dict[str, Any]] = []

    def on_base(value: Any, node: object) -> dict[str, Any]:
        loaded.append(_load_bases(path, value, chain))
        return loaded[0]

    if path.suffix == ".py":
        try:
            data: Any = evaluate(text, str(path), on_base)
        except ConfigError as exc:
            raise _with_base_refs(exc, refs) from None
    else:
        data = loads(text, source=str(path))
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: a config must be a mapping of sections, got {type(data).__name__}")
        if CUSTOM_IMPORTS in data:
            raise ConfigError(f"{path}: custom_imports is not supported; {NO_IMPORTS}")
    combined = None
    if BASE_KEY in data:
        combined = loaded[0] if loaded else _load_bases(path, data[BASE_KEY], chain)
    if refs:
        if combined is None:
            raise ConfigError(
                f"{path}: {{{{_base_.{next(iter(refs.values()))}}}}} is used but there is no _base_"
            )
        data = unshare(_fill_base_refs(data, refs, combined, path), source=str(path))
    return data, combined


def _load_bases(path: Path, bases: Any, chain: tuple[Path, ...]) -> dict[str, Any]:
    """Each base loaded and merged; the bases must not share a key."""
    if isinstance(bases, str):
        bases = [bases]
    if not isinstance(bases, list) or not all(isinstance(b, str) for b in bases):
        raise ConfigError(f"{path}: _base_ must be a path or a list of paths, got {bases!r}")
    combined: dict[str, Any] = {}
    origin: dict[str, Path] = {}
    for base in bases:
        base_path = Path(os.path.abspath(path.parent / base))
        if not base_path.is_file():
            raise ConfigError(f"{path}: _base_ file {base!r} not found (looked for {base_path})")
        base_data = load_with_bases(base_path, chain)
        for key in base_data:
            if key in combined:
                raise ConfigError(
                    f"{path}: key {key!r} is defined in two _base_ files, {origin[key]} and {base_path}; "
                    "keep it in one of them or set it in this file"
                )
            origin[key] = base_path
        combined.update(base_data)
    return combined


def _fill_file_vars(text: str, path: Path) -> str:
    """``{{fileDirname}}``, ``{{fileBasename}}``, ``{{fileBasenameNoExtension}}``, ``{{fileExtname}}``."""
    values = {
        "fileDirname": str(path.parent),
        "fileBasename": path.name,
        "fileBasenameNoExtension": path.stem,
        "fileExtname": path.suffix,
    }
    return _FILE_VAR.sub(lambda m: values[m.group(1)].replace("\\", "/"), text)


def _hide_base_refs(text: str) -> tuple[str, dict[str, str]]:
    """Each ``{{_base_.a.b}}`` becomes a quoted placeholder so that the text parses; returns the map."""
    refs: dict[str, str] = {}
    by_ref: dict[str, str] = {}
    token = secrets.token_hex(4)

    def placeholder(match: re.Match[str]) -> str:
        ref = match.group(1)
        if ref not in by_ref:
            by_ref[ref] = f"_base_ref_{len(by_ref)}_{token}"
            refs[by_ref[ref]] = ref
        return f'"{by_ref[ref]}"'

    return _BASE_REF.sub(placeholder, text), refs


def _with_base_refs(exc: ConfigError, refs: Mapping[str, str]) -> ConfigError:
    """An evaluation error that names a placeholder names the ``{{_base_.x}}`` the user wrote instead."""
    used = [(p, r) for p, r in refs.items() if any(p in line for line in exc.problems)]
    if not used:
        return exc
    problems = []
    for line in exc.problems:
        for placeholder, ref in used:
            line = line.replace(f'"{placeholder}"', f"{{{{_base_.{ref}}}}}").replace(placeholder, ref)
        problems.append(line)
    problems.append(
        "{{_base_.x}} stands for a whole value and cannot be computed with; in a .py config the names of "
        f"the _base_ files can be used directly instead (e.g. {used[0][1].split('.')[0]})"
    )
    return type(exc)(problems)


def _fill_base_refs(value: Any, refs: Mapping[str, str], base: Mapping[str, Any], path: Path) -> Any:
    if isinstance(value, dict):
        return {k: _fill_base_refs(v, refs, base, path) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill_base_refs(v, refs, base, path) for v in value]
    if not isinstance(value, str) or "_base_ref_" not in value:
        return value
    if value not in refs:
        ref = next((r for p, r in refs.items() if p in value), None)
        if ref is None:
            return value
        raise ConfigError(
            f"{path}: {{{{_base_.{ref}}}}} must stand alone as a value; it cannot be part of a string or "
            "an expression (a name from the _base_ files can be used directly instead)"
        )
    node: Any = base
    for i, part in enumerate(refs[value].split(".")):
        if not isinstance(node, Mapping) or part not in node:
            known = ", ".join(map(str, node)) if isinstance(node, Mapping) else type(node).__name__
            where = ".".join(refs[value].split(".")[: i + 1])
            raise ConfigError(
                f"{path}: {{{{_base_.{refs[value]}}}}}: the _base_ files have no {where!r} ({known})"
            )
        node = node[part]
    return node


def _warn_deprecated(info: Any, path: Path) -> None:
    if info is None:
        return
    message = f"{path} is deprecated"
    if isinstance(info, Mapping) and info.get("expected"):
        message += f"; use {info['expected']} instead"
    if isinstance(info, Mapping) and info.get("reference"):
        message += f" (see {info['reference']})"
    warnings.warn_explicit(message, ConfigDeprecationWarning, str(path), 1)


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
