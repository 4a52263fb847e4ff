"""Every timm model as a clscore backbone (``type: TIMMBackbone``), plus ``clsrun timm`` commands.

Importing this package is cheap: neither torch nor timm is imported until a backbone is built.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from clscore_timm.backbone import TIMMBackbone

__all__ = ["TIMMBackbone", "__version__"]


def __getattr__(name: str) -> Any:
    if name != "TIMMBackbone":
        raise AttributeError(f"module 'clscore_timm' has no attribute {name!r}")
    value = importlib.import_module("clscore_timm.backbone").TIMMBackbone
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
