"""``.py`` configs to YAML, file by file, so that ``_base_`` links survive (pointed at converted files)."""

from __future__ import annotations

import os
from pathlib import Path

from clscore.config._merge import BASE_KEY, load_own
from clscore.config._yaml import dumps, read_text
from clscore.errors import ConfigError


def convert(
    source: str | Path, output: str | Path | None = None, *, overwrite: bool = False
) -> list[tuple[Path, Path]]:
    """Write a YAML file for a ``.py`` config, or for every ``.py`` file under a folder.

    Each file keeps its own keys and its ``_base_`` list, so a converted tree reads back to the same
    merged configs. A folder goes to ``output`` (the same tree layout, its YAML and JSON files copied
    along) or next to the sources; a file goes to ``output`` (a file or a folder) or next to the
    source. Every file is read before any is written. Returns ``(source, written)`` pairs.
    """
    plan = _plan(Path(os.path.abspath(source)), None if output is None else Path(os.path.abspath(output)))
    existing = [out for out in plan.values() if out.exists()]
    if existing and not overwrite:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise ConfigError(f"{existing[0]} exists{more}; pass --overwrite to replace it")
    texts = {src: _convert_one(src, out, plan) for src, out in plan.items()}
    for src, out in plan.items():
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(texts[src], encoding="utf-8")
    return list(plan.items())


def _plan(source: Path, output: Path | None) -> dict[Path, Path]:
    if source.is_dir():
        files = sorted(p for p in source.rglob("*.py") if p.is_file())
        if not files:
            raise ConfigError(f"{source}: no .py configs in this folder")
        plan = {f: (output or source) / f.relative_to(source).with_suffix(".yaml") for f in files}
        if output is not None and output != source:  # a tree of its own: bring the YAML files along
            plan.update({f: output / f.relative_to(source) for f in sorted(source.rglob("*")) if _is_data(f)})
        return plan
    if not source.is_file():
        raise ConfigError(f"config file not found: {source}")
    if source.suffix != ".py":
        raise ConfigError(f"{source}: only .py configs are converted (YAML configs are used as they are)")
    out = output or source.with_suffix(".yaml")
    if out.is_dir():
        out = out / source.with_suffix(".yaml").name
    return {source: out}


def _is_data(path: Path) -> bool:
    return path.suffix in (".yaml", ".yml", ".json") and path.is_file()


def _convert_one(source: Path, out: Path, plan: dict[Path, Path]) -> str:
    own, _ = load_own(source)
    bases = own.get(BASE_KEY)
    if source.suffix != ".py":
        links = [bases] if isinstance(bases, str) else bases or []
        if all(_target(source, base, plan) == Path(os.path.abspath(out.parent / base)) for base in links):
            return read_text(source)  # its links still hold: a verbatim copy keeps comments and anchors
    if isinstance(bases, str):
        own[BASE_KEY] = _link(source, bases, out, plan)
    elif isinstance(bases, list):
        own[BASE_KEY] = [_link(source, base, out, plan) for base in bases]
    header = (
        f"# Converted from {source.name} by `clsrun config convert` (the .py file also works as it is).\n"
    )
    return header + dumps(own)


def _link(source: Path, base: str, out: Path, plan: dict[Path, Path]) -> str:
    """The base as seen from ``out``."""
    return Path(os.path.relpath(_target(source, base, plan), out.parent)).as_posix()


def _target(source: Path, base: str, plan: dict[Path, Path]) -> Path:
    """The converted (or copied) base when it is in the plan, else the original file."""
    target = Path(os.path.abspath(source.parent / base))
    return plan.get(target, target)
