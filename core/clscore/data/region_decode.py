"""Decoding only the crop of a JPEG, where clscore was built with libjpeg's headers.

A RandomResizedCrop keeps about half of a photo on average, yet a whole-image decode pays for every
pixel. libjpeg can skip the rows above a region without colour conversion, stop after its last row,
and leave out the columns beside it (``jpeg_skip_scanlines``, ``jpeg_crop_scanline``), at full size
or at 1/2, 1/4 or 1/8 of it (DCT scaling, for crops shrunk that much anyway); the small C extension
``clscore.data._jpeg_region`` does that, giving the pixels of a whole decode at that size (tested).
Neither torchvision nor Pillow exposes it. Where the extension was not built (no libjpeg headers
when clscore was installed) or ``CLSCORE_REGION_DECODE=0`` is set, :func:`decode_region` returns
``None`` and callers decode the whole image as before.
"""

from __future__ import annotations

import functools
from typing import Any

import torch

from clscore.data._native import load_extension


@functools.cache
def _load() -> Any:
    """The extension module, looked up once per process; None when switched off or not built."""
    return load_extension("clscore.data._jpeg_region", "CLSCORE_REGION_DECODE")


def available() -> bool:
    """Whether JPEG regions decode on their own here (the extension is built and not switched off)."""
    return _load() is not None


def decode_region(
    data: bytes | bytearray, top: int, left: int, height: int, width: int, reduce: int = 1
) -> torch.Tensor | None:
    """The ``height`` x ``width`` region at ``(top, left)`` of the JPEG ``data`` as a ``uint8``
    ``(3, H, W)`` tensor (a channels-last view), the pixels of a full RGB decode there.

    ``reduce`` (1, 2, 4 or 8) decodes the JPEG at that fraction of each side (libjpeg's DCT scaling,
    ``ceil(side / reduce)`` pixels), and the box is in those reduced pixels: the pixels of a whole
    reduced decode (:meth:`~clscore.data.image_io.EncodedImage.decode` with ``reduce``) there.

    ``None`` when region decoding is unavailable or libjpeg refused the data (corrupt, CMYK, ...):
    the caller's full decoder then decides, with its own rules.
    """
    extension = _load()
    if extension is None:
        return None
    out = torch.empty((height, width, 3), dtype=torch.uint8)
    try:
        extension.decode_region(data, out.numpy(), left, top, width, height, reduce)
    except ValueError:
        return None
    return out.permute(2, 0, 1)
