"""Building a model, or one of its parts, from its config: the one ``build_model`` of clscore.

A model initialises its weights (``init_cfg``, pretrained files) while it is constructed, exactly once;
nothing calls ``init_weights()`` again afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from torch import nn

from clscore.errors import ClsCoreError, ConfigError

DEFAULT_MODEL_TYPE = "ImageClassifier"


def build_model(cfg: Mapping[str, Any]) -> nn.Module:
    """The model that ``cfg`` (the config's ``model`` section) describes; ``type`` defaults to ImageClassifier."""
    from clscore.plugins import build

    if not isinstance(cfg, Mapping):
        raise ConfigError(f"model: expected a mapping with backbone/neck/head, got {type(cfg).__name__}")
    cfg = dict(cfg)
    cfg.setdefault("type", DEFAULT_MODEL_TYPE)
    return build("model", cfg)


def build_part(kind: str, cfg: Mapping[str, Any] | nn.Module, key: str) -> nn.Module:
    """A model part (``kind`` backbone/neck/head) from its config, or the module itself if already built.

    Errors are prefixed with ``key`` (e.g. ``model.head``) so the user knows which part is wrong.
    """
    if isinstance(cfg, nn.Module):
        return cfg
    if not isinstance(cfg, Mapping):
        raise ConfigError(f"{key}: expected a mapping with a 'type' key or a module, got {cfg!r}")
    from clscore.plugins import build

    try:
        return build(kind, dict(cfg))
    except ConfigError as exc:
        raise type(exc)([f"{key}: {problem}" for problem in exc.problems]) from exc
    except ClsCoreError as exc:  # e.g. a pretrained checkpoint that is missing
        raise type(exc)(f"{key}: {exc}") from exc
