"""Weights named by URL (``load_from: https://...``, ``init_cfg.checkpoint: torchvision://...``) are refused
while the config is validated: clscore downloads nothing, and saying so before anything is built beats
failing after the datasets are scanned."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlparse

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
#: Keys whose string value names a weights file.
_TOP_LEVEL = ("load_from", "resume_from")
_WEIGHT_KEYS = ("pretrained", "checkpoint")


def remote_message(key: str, value: str) -> str | None:
    """What to write instead when ``value`` is a URL (None for a local path)."""
    match = _SCHEME.match(value)
    if match is None or match.group(1).lower() == "file":
        return None
    scheme = match.group(1).lower()
    if scheme in ("http", "https", "ftp"):
        name = PurePosixPath(urlparse(value).path).name or "weights.pth"
        how = f"download it yourself (curl -LO {value}), then set {key}: ./{name}"
    elif scheme == "torchvision":
        model = value.split("://", 1)[1] or "resnet50"
        how = (
            "save them on a machine with internet access: torch.save(torchvision.models.get_model_weights("
            f"'{model}').DEFAULT.get_state_dict(), '{model}.pth'), then set {key}: ./{model}.pth"
        )
    else:
        how = (
            f"save the weights to a local file on a machine that can fetch {scheme}:// names, "
            f"then set {key}: ./weights.pth"
        )
    return f"{key}: {value!r} is a {scheme}:// location, and clscore downloads nothing; {how}"


def _weights(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """``(key path, value)`` of every string under ``pretrained`` / ``init_cfg.checkpoint`` keys."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if key in _WEIGHT_KEYS and isinstance(item, str):
                yield here, item
            else:
                yield from _weights(item, here)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _weights(item, f"{path}.{i}")


def remote_problems(cfg: Mapping[str, Any]) -> list[str]:
    """One message per weights location in ``cfg`` that would need a download."""
    found = [(key, cfg[key]) for key in _TOP_LEVEL if isinstance(cfg.get(key), str)]
    found += list(_weights(cfg.get("model"), "model"))
    return [m for key, value in found if (m := remote_message(key, value)) is not None]
