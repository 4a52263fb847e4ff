"""Reading a config once for every entry point: ``clsrun`` commands, :func:`clscore.train`, the APIs."""

from __future__ import annotations

import copy
import os
from collections.abc import Iterable, Mapping
from typing import Any

from clscore.config import Config, parse_options
from clscore.config import validate as validate_config


def load_config(
    cfg: Config | Mapping[str, Any] | str | os.PathLike[str],
    options: Iterable[str] = (),
    *,
    validate: bool = True,
) -> Any:
    """A Config from a path, with ``--cfg-options`` overrides, validated unless ``validate`` is false.

    A Config or plain mapping is used as it is (a copy when there are overrides to apply). User mistakes
    raise :class:`~clscore.errors.ConfigError`.
    """
    options = list(options)
    if isinstance(cfg, (str, os.PathLike)):
        cfg = Config.fromfile(os.fspath(cfg), cfg_options=options)
    elif options:
        cfg = Config(copy.deepcopy(dict(cfg)), filename=getattr(cfg, "filename", None))
        cfg.merge_from_dict(parse_options(options))
    if validate:
        validate_config(cfg)
    return cfg


def to_plain(obj: Any) -> Any:
    """Nested dicts/lists from a Config (or any mapping), so the engine reads plain data."""
    if hasattr(obj, "to_dict") and callable(obj.to_dict):
        obj = obj.to_dict()
    if isinstance(obj, Mapping):
        return {str(k): to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_plain(v) for v in obj]
    return obj


def config_text(cfg: Any, plain: Mapping[str, Any]) -> str:
    """The merged config as YAML text (for the work dir and the checkpoints' meta)."""
    text = getattr(cfg, "text", None)
    if isinstance(text, str) and text:
        return text
    dump = getattr(cfg, "dump", None)
    if callable(dump):
        try:
            dumped = dump()
        except TypeError:
            dumped = None
        if isinstance(dumped, str):
            return dumped
    import yaml

    return yaml.safe_dump(plain, sort_keys=False)
