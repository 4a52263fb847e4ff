"""Safe image decoding with PIL into RGB ``uint8`` tensors.

Every image that enters clscore goes through here, so the rules live in one place:

- EXIF orientation is applied (``ImageOps.exif_transpose``) unless switched off, so a phone photo
  tagged "rotate 90°" has the same shape in training and in inference.
- Colour modes become RGB: grayscale and bilevel are replicated to three channels; palette images
  (with or without a transparent index), ``LA``, ``RGBA`` and other alpha modes are **composited on
  black** (``rgb * alpha / 255``), so hidden colours under transparent pixels never leak in; ``CMYK``
  and ``YCbCr`` use PIL's conversion; 16-bit and 32-bit integer images (``I;16*``, ``I``) are read as
  0-65535 and scaled by 255/65535 (a full ramp has a mean of about 127); floating-point images
  (``F``) are read as 0-1 when their maximum is at most 1, else as 0-255.
- A missing, truncated or non-image file raises :class:`~clscore.errors.DataError` naming it.
- Decompression bombs are refused: ``Image.MAX_IMAGE_PIXELS`` is kept, and PIL's
  ``DecompressionBombWarning`` (between 1x and 2x the limit) is escalated to the same error as PIL's
  own ``DecompressionBombError`` (above 2x).
"""

from __future__ import annotations

import io
import os
import struct
import warnings
from typing import TYPE_CHECKING, Literal

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from clscore.errors import DataError

if TYPE_CHECKING:
    import torch

ColorType = Literal["color", "grayscale"]

_ALPHA_MODES = {"RGBA", "LA", "PA", "RGBa", "La"}
_HIGH_BIT_MODES = {"I", "I;16", "I;16L", "I;16B", "I;16N"}
_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, struct.error, IndexError, TypeError)


def read_image(
    path: str | os.PathLike[str],
    *,
    color_type: ColorType = "color",
    exif_orientation: bool = True,
) -> torch.Tensor:
    """Decode the image file at ``path`` into a ``uint8`` tensor ``(3, H, W)`` RGB (``(1, H, W)`` gray)."""
    name = str(path)
    if not os.path.isfile(name):
        if os.path.exists(name):
            raise DataError(f"not an image file (it is a folder or a special file): {name}")
        raise DataError(f"image file not found: {name}")
    with open(name, "rb") as fh:
        data = fh.read()
    return decode_image(data, name=name, color_type=color_type, exif_orientation=exif_orientation)


def decode_image(
    data: bytes,
    *,
    name: str = "<bytes>",
    color_type: ColorType = "color",
    exif_orientation: bool = True,
) -> torch.Tensor:
    """Decode encoded image bytes; ``name`` is what error messages call them."""
    image = open_pil(data, name=name, exif_orientation=exif_orientation)
    return pil_to_tensor(image, color_type=color_type, name=name)


def open_pil(data: bytes, *, name: str = "<bytes>", exif_orientation: bool = True) -> Image.Image:
    """Open and fully decode ``data`` with PIL, refusing bombs, truncated and non-image data."""
    if not data:
        raise DataError(f"empty image file (0 bytes): {name}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise DataError(
            f"refused a possible decompression bomb: {name} ({exc}). The limit is "
            f"Image.MAX_IMAGE_PIXELS = {Image.MAX_IMAGE_PIXELS} pixels; shrink the image if it is genuine."
        ) from None
    except UnidentifiedImageError:
        raise DataError(f"not an image, or a format PIL cannot read: {name}") from None
    except _DECODE_ERRORS as exc:
        raise DataError(f"cannot decode image {name}: {exc} (the file may be truncated or corrupt)") from None
    if exif_orientation:
        try:
            ImageOps.exif_transpose(image, in_place=True)
        except (*_DECODE_ERRORS, KeyError, ZeroDivisionError):
            pass  # unreadable EXIF: keep the pixels as stored rather than failing on metadata
    return image


def to_rgb_pil(image: Image.Image) -> Image.Image:
    """``image`` as an 8-bit RGB PIL image, following the module's conversion rules."""
    mode = image.mode
    if mode == "RGB":
        return image
    if mode in _HIGH_BIT_MODES or mode == "F":
        return Image.fromarray(_high_bit_to_uint8(image), mode="L").convert("RGB")
    if mode == "P" and "transparency" in image.info:
        image, mode = image.convert("RGBA"), "RGBA"
    if mode in _ALPHA_MODES:
        rgba = np.asarray(image.convert("RGBA"), dtype=np.uint16)
        rgb = (rgba[..., :3] * rgba[..., 3:4] + 127) // 255
        return Image.fromarray(rgb.astype(np.uint8), mode="RGB")
    return image.convert("RGB")


def pil_to_tensor(
    image: Image.Image, *, color_type: ColorType = "color", name: str = "<image>"
) -> torch.Tensor:
    """A PIL image as a ``uint8`` tensor ``(C, H, W)``: RGB for ``color``, one channel for ``grayscale``."""
    import torch

    try:
        rgb = to_rgb_pil(image)
    except _DECODE_ERRORS as exc:
        raise DataError(f"cannot convert image {name} (mode {image.mode}) to RGB: {exc}") from None
    if color_type == "grayscale":
        array = np.array(rgb.convert("L"), dtype=np.uint8)[None]
    elif color_type == "color":
        array = np.array(rgb, dtype=np.uint8).transpose(2, 0, 1)
    else:
        raise ValueError(f"color_type must be 'color' or 'grayscale', got {color_type!r}")
    return torch.from_numpy(np.ascontiguousarray(array))


def _high_bit_to_uint8(image: Image.Image) -> np.ndarray:
    array = np.asarray(image)
    if image.mode == "F":
        values = array.astype(np.float64)
        finite = values[np.isfinite(values)]
        scale = 255.0 if finite.size and finite.max() <= 1.0 else 1.0
        return np.clip(np.nan_to_num(values) * scale, 0, 255).round().astype(np.uint8)
    values = np.clip(array.astype(np.int64), 0, 65535)
    return ((values * 255 + 32767) // 65535).astype(np.uint8)
