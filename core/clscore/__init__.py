"""clscore: plugin-based image classification for PyTorch.

The public API is re-exported here lazily, so ``import clscore`` stays cheap (no torch) until a
name that needs torch is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clscore._lazy import lazy_exports
from clscore._version import PLUGIN_API_VERSION, __version__
from clscore.hookspecs import hookimpl

if TYPE_CHECKING:
    from clscore.apis.inference import Inferencer
    from clscore.apis.train import train
    from clscore.checkpoint import load_checkpoint
    from clscore.config import Config
    from clscore.errors import ClsCoreError
    from clscore.models.builder import build_model
    from clscore.plugins import Registry, build

__all__ = [
    "PLUGIN_API_VERSION",
    "ClsCoreError",
    "Config",
    "Inferencer",
    "Registry",
    "__version__",
    "build",
    "build_model",
    "hookimpl",
    "load_checkpoint",
    "train",
]

_LAZY = {
    "Config": "clscore.config",
    "ClsCoreError": "clscore.errors",
    "Registry": "clscore.plugins",
    "build": "clscore.plugins",
    "build_model": "clscore.models.builder",
    "load_checkpoint": "clscore.checkpoint",
    "train": "clscore.apis.train",
    "Inferencer": "clscore.apis.inference",
}


__getattr__ = lazy_exports(__name__, globals(), _LAZY)


def __dir__() -> list[str]:
    return sorted(__all__)
