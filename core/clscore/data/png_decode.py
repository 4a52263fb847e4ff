"""Plain PNGs decoded by clscore's own loop over zlib, where clscore was built with zlib's headers.

libpng inflates a PNG one row at a time, so zlib never reaches its fast path, and a 32-px image
costs more in setup and slow inflating than in pixels. The small C extension
``clscore.data._png_plain`` inflates the whole image at once and then undoes the row filters: about
half the time of torchvision's ``decode_png`` on the digits demo's files, the same pixels (PNG is
lossless; tests compare with PIL). It takes only 8-bit grayscale or RGB, non-interlaced images and
refuses anything else or anything damaged (bad CRC, truncated, surplus data): :func:`decode_png`
then returns ``None`` and the caller decodes through torchvision and PIL, with their rules, as
before. ``CLSCORE_PNG_DECODE=0`` switches it off.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import torch

from clscore.data._native import load_extension


@functools.cache
def _load() -> Any:
    """The extension module, looked up once per process; None when switched off or not built."""
    return load_extension("clscore.data._png_plain", "CLSCORE_PNG_DECODE")


def available() -> bool:
    """Whether plain PNGs decode through clscore's extension here (built and not switched off)."""
    return _load() is not None


def decode_png(data: bytes | bytearray, height: int, width: int) -> torch.Tensor | None:
    """The ``height`` x ``width`` PNG ``data`` as a ``uint8`` ``(3, H, W)`` RGB tensor (a channels-last
    view), grayscale replicated to three channels.

    ``None`` when the extension is unavailable or refuses the data (not a plain 8-bit gray or RGB
    PNG of that size, interlaced, damaged): decode it another way.
    """
    extension = _load()
    if extension is None:
        return None
    out = np.empty((height, width, 3), dtype=np.uint8)
    try:
        extension.decode(data, out, height, width)
    except ValueError:
        return None
    return torch.from_numpy(out.transpose(2, 0, 1))
