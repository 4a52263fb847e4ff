"""clscore's optional C decoders: looked up by name, switched off by an environment variable.

They are built only where their library's headers were when clscore was installed (libjpeg for
:mod:`clscore.data.region_decode`, zlib for :mod:`clscore.data.png_decode`); without them, or
switched off, the callers decode through torchvision and PIL as before.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

_OFF = ("0", "false", "no", "off")


def load_extension(module: str, switch: str) -> ModuleType | None:
    """The extension ``module``; None when it was not built or the variable ``switch`` says off."""
    if os.environ.get(switch, "1").strip().lower() in _OFF:
        return None
    try:
        return importlib.import_module(module)
    except ImportError:
        return None
