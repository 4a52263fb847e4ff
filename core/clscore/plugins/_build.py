"""Building a component from its config dict: ``{type: Name, **kwargs}``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clscore.errors import ClsCoreError, ComponentError
from clscore.plugins._manager import get_host


def build(kind: str, cfg: Mapping[str, Any], *args: Any, **injected: Any) -> Any:
    """Build the ``kind`` component that ``cfg`` describes.

    ``cfg["type"]`` names the component (plain or ``plugin:Name``); its other keys are keyword
    arguments. ``args`` and ``injected`` are what the caller supplies, e.g. an optimizer's params.
    """
    if not isinstance(cfg, Mapping):
        raise ComponentError(f"a {kind} config must be a mapping with a 'type' key, got {cfg!r}")
    kwargs = dict(cfg)
    if "type" not in kwargs:
        raise ComponentError(f"a {kind} config needs a 'type' key: {dict(cfg)!r}")
    type_name = kwargs.pop("type")
    component = get_host().registry(kind).get(type_name)
    factory = component.load()
    try:
        return factory(*args, **injected, **kwargs)
    except ClsCoreError:
        raise
    except (TypeError, ValueError, AssertionError, KeyError) as exc:
        raise ComponentError(f"{kind} {component.describe()}: {exc}") from exc
