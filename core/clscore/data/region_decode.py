"""Decoding only the crop of a JPEG, where clscore was built with libjpeg's headers.

A RandomResizedCrop keeps about half of a photo on average, yet a whole-image decode pays for every
pixel. libjpeg can skip the rows above a region without colour conversion, stop after its last row,
and leave out the columns beside it (``jpeg_skip_scanlines``, ``jpeg_crop_scanline``); the small C
extension ``clscore.data._jpeg_region`` does that, giving the pixels of a full decode (tested).
Neither torchvision nor Pillow exposes it. Where the extension was not built (no libjpeg headers
when clscore was installed) or ``CLSCORE_REGION_DECODE=0`` is set, :func:`decode_region` returns
``None`` and callers decode the whole image as before.
"""

from __future__ import annotations

import functools
import importlib
import os
from typing import Any

import torch

_ENV = "CLSCORE_REGION_DECODE"


@functools.cache
def _load() -> Any:
    """The extension module, looked up once per process; None when switched off or not built."""
    if os.environ.get(_ENV, "1").strip().lower() in ("0", "false", "no", "off"):
        return None
    try:
        return importlib.import_module("clscore.data._jpeg_region")
    except ImportError:
        return None


def available() -> bool:
    """Whether JPEG regions decode on their own here (the extension is built and not switched off)."""
    return _load() is not None


def decode_region(
    data: bytes | bytearray, top: int, left: int, height: int, width: int
) -> torch.Tensor | None:
    """The ``height`` x ``width`` region at ``(top, left)`` of the JPEG ``data`` as a ``uint8``
    ``(3, H, W)`` tensor (a channels-last view), the pixels of a full RGB decode there.

    ``None`` when region decoding is unavailable or libjpeg refused the data (corrupt, CMYK, ...):
    the caller's full decoder then decides, with its own rules.
    """
    extension = _load()
    if extension is None:
        return None
    out = torch.empty((height, width, 3), dtype=torch.uint8)
    try:
        extension.decode_region(data, out.numpy(), left, top, width, height)
    except ValueError:
        return None
    return out.permute(2, 0, 1)
