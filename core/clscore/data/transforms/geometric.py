"""Geometric transforms: crops, resizes and flips on ``(C, H, W)`` tensors (torchvision v2 ops).

Resizing follows MMClassification's ``backend`` key (``cv2``: no antialiasing, the default;
``pillow``: antialiased). Every transform here works on any input size: a 1x1 image, or a 3x2000
strip, comes out at the requested size. RandomResizedCrop and Resize also take an undecoded JPEG
(``apply_encoded``) so that a pipeline can decode it already shrunk (see :mod:`clscore.data.compose`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import torch
from torchvision.transforms.v2 import functional as F

from clscore.data.transforms._common import (
    BACKEND_DOC,
    BaseTransform,
    Resizer,
    decode_box,
    get_image,
    pair,
    positive_pair,
    rand,
    randint,
    set_image,
    uniform,
)


def _no_efficientnet_style(efficientnet_style: bool) -> None:
    if efficientnet_style:
        raise ValueError("efficientnet_style=True is not supported; leave it out (False)")


class RandomResizedCrop(BaseTransform):
    """Crop a random area and aspect ratio of the image, then resize it to ``size``.

    MMClassification/torchvision semantics: up to ``max_attempts`` draws of an area fraction from
    ``scale`` and a log-uniform aspect ratio from ``ratio``; when none fits, a central crop with the
    aspect ratio clamped into ``ratio``. The crop box is drawn on the full-resolution image even when
    the pipeline decodes a JPEG at a reduced size for it (the random draws never change).
    """

    def __init__(
        self,
        size: int | Sequence[int],
        scale: Sequence[float] = (0.08, 1.0),
        ratio: Sequence[float] = (3.0 / 4.0, 4.0 / 3.0),
        max_attempts: int = 10,
        interpolation: str = "bilinear",
        efficientnet_style: bool = False,
        backend: str = "cv2",
    ) -> None:
        _no_efficientnet_style(efficientnet_style)
        self.size = positive_pair(size)
        if len(scale) != 2 or not 0 < scale[0] <= scale[1]:
            raise ValueError(f"scale must be (min, max) with 0 < min <= max, got {scale!r}")
        if len(ratio) != 2 or not 0 < ratio[0] <= ratio[1]:
            raise ValueError(f"ratio must be (min, max) with 0 < min <= max, got {ratio!r}")
        if max_attempts < 0:
            raise ValueError(f"max_attempts must be >= 0, got {max_attempts}")
        self.scale = (float(scale[0]), float(scale[1]))
        self.ratio = (float(ratio[0]), float(ratio[1]))
        self.max_attempts = int(max_attempts)
        self.interpolation = interpolation
        self.backend = backend
        self._resize = Resizer(interpolation, backend)

    def crop_box(self, height: int, width: int) -> tuple[int, int, int, int]:
        """``(top, left, h, w)`` of the crop for an image of ``height`` x ``width``."""
        area = height * width
        log_ratio = (math.log(self.ratio[0]), math.log(self.ratio[1]))
        for _ in range(self.max_attempts):
            target_area = area * uniform(*self.scale)
            aspect = math.exp(uniform(*log_ratio))
            w = round(math.sqrt(target_area * aspect))
            h = round(math.sqrt(target_area / aspect))
            if 0 < w <= width and 0 < h <= height:
                return randint(0, height - h), randint(0, width - w), h, w
        in_ratio = width / height
        if in_ratio < self.ratio[0]:
            w, h = width, round(width / self.ratio[0])
        elif in_ratio > self.ratio[1]:
            w, h = round(height * self.ratio[1]), height
        else:
            w, h = width, height
        h, w = max(1, min(h, height)), max(1, min(w, width))
        return (height - h) // 2, (width - w) // 2, h, w

    def __call__(self, results: dict[str, Any]) -> dict[str, Any]:
        img = get_image(results)
        set_image(results, self._resize.crop(img, self.crop_box(img.shape[-2], img.shape[-1]), self.size))
        return results

    def apply_encoded(self, results: dict[str, Any], encoded: Any) -> dict[str, Any]:
        """Like calling it on the decoded image, decoding only as large as the crop needs."""
        img, box = decode_box(encoded, self.crop_box(encoded.height, encoded.width), self.size)
        set_image(results, self._resize.crop(img, box, self.size))
        return results


class Resize(BaseTransform):
    """Resize to ``size``, MMClassification style.

    - ``size: 224`` resizes to 224x224 (a square, as in MMClassification; not torchvision's
      short-side rule).
    - ``size: [256, -1]`` resizes the side chosen by ``adaptive_side`` (default the short one) to 256
      and the other keeping the aspect ratio, truncated to an int (``int(256 * long / short)``); an
      image whose side already has that length is left as it is.
    - ``size: [-1, 320]`` sets the width to 320 and keeps the aspect ratio.
    - ``size: [h, w]`` resizes to exactly ``h`` x ``w``.

    ``interpolation``: nearest, bilinear, bicubic or area (antialiased bilinear).
    """

    def __init__(
        self,
        size: int | Sequence[int],
        interpolation: str = "bilinear",
        adaptive_side: Literal["short", "long", "height", "width"] = "short",
        backend: str = "cv2",
    ) -> None:
        h, w = pair(size)
        if not ((h > 0 or h == -1) and (w > 0 or w == -1)) or (h == -1 and w == -1):
            raise ValueError(
                f"size must be positive, with at most one edge -1 to keep the aspect, got {size!r}"
            )
        if adaptive_side not in ("short", "long", "height", "width"):
            raise ValueError(f"adaptive_side must be short, long, height or width, got {adaptive_side!r}")
        self.size = (h, w)
        self.interpolation = interpolation
        self.adaptive_side = adaptive_side
        self.backend = backend
        self._resize = Resizer(interpolation, backend)

    def target_size(self, height: int, width: int) -> tuple[int, int]:
        """Output ``(h, w)`` for an input of ``height`` x ``width``."""
        h, w = self.size
        if h > 0 and w > 0:
            return h, w
        if h == -1:  # width given, height follows
            return max(1, int(w * height / width)), w
        side = self.adaptive_side
        fit_height = (
            side == "height" or (side == "short" and height <= width) or (side == "long" and height >= width)
        )
        if fit_height:
            return h, max(1, int(h * width / height))
        return max(1, int(h * height / width)), h

    def __call__(self, results: dict[str, Any]) -> dict[str, Any]:
        img = get_image(results)
        set_image(results, self._resize(img, self.target_size(img.shape[-2], img.shape[-1])))
        return results

    def apply_encoded(self, results: dict[str, Any], encoded: Any) -> dict[str, Any]:
        """Like calling it on the decoded image, decoding a JPEG at a reduced size when that suffices."""
        target = self.target_size(encoded.height, encoded.width)
        img, box = decode_box(encoded, (0, 0, encoded.height, encoded.width), target)
        set_image(results, self._resize.crop(img, box, target))
        return results


class CenterCrop(BaseTransform):
    """Crop the centre ``crop_size`` (int or ``(h, w)``).

    An image smaller than the crop is padded with zeros around it (torchvision's rule) so every
    sample has the same size; MMClassification would return a smaller crop that cannot be batched.
    ``interpolation`` and ``backend`` belong to MMClassification's ``efficientnet_style`` crop, which
    is not supported; they are accepted (and checked) so its configs read, and resize nothing.
    """

    def __init__(
        self,
        crop_size: int | Sequence[int],
        efficientnet_style: bool = False,
        crop_padding: int = 32,
        interpolation: str = "bilinear",
        backend: str = "cv2",
    ) -> None:
        _no_efficientnet_style(efficientnet_style)
        Resizer(interpolation, backend)  # validates both keys
        self.crop_size = positive_pair(crop_size, "crop_size")

    def __call__(self, results: dict[str, Any]) -> dict[str, Any]:
        img = get_image(results)
        set_image(results, F.center_crop(img, list(self.crop_size)))
        return results


for _resizing in (RandomResizedCrop, Resize):
    _resizing.__doc__ = f"{(_resizing.__doc__ or '').rstrip()}\n\n    {BACKEND_DOC}\n    "


def _fits_mode(mode: str, pad: int, dim: int) -> str:
    """Reflection needs the image to be larger than the padding; fall back to constant if not."""
    if (mode == "reflect" and pad >= dim) or (mode == "symmetric" and pad > dim):
        return "constant"
    return mode


class RandomCrop(BaseTransform):
    """Pad (optionally), then crop a random ``size`` window.

    ``padding``: an int for all borders, ``(left/right, top/bottom)`` or ``(left, top, right, bottom)``;
    ``pad_val``: the constant fill (a number or one per channel); ``padding_mode``: constant, edge,
    reflect or symmetric. An image still smaller than ``size`` is padded by the shortfall on both
    sides: with ``padding_mode`` when ``pad_if_needed`` is true, else with the constant ``pad_val``
    (MMClassification would return a smaller crop, which cannot be batched).
    """

    def __init__(
        self,
        size: int | Sequence[int],
        padding: int | Sequence[int] | None = None,
        pad_if_needed: bool = False,
        pad_val: float | Sequence[float] = 0,
        padding_mode: Literal["constant", "edge", "reflect", "symmetric"] = "constant",
    ) -> None:
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError(
                f"padding_mode must be constant, edge, reflect or symmetric, got {padding_mode!r}"
            )
        self.size = positive_pair(size)
        if padding is not None:
            padding = [int(padding)] if isinstance(padding, int) else [int(p) for p in padding]
            if len(padding) not in (1, 2, 4) or any(p < 0 for p in padding):
                raise ValueError(f"padding must be an int or 2 or 4 non-negative ints, got {padding!r}")
        self.padding = padding
        self.pad_if_needed = pad_if_needed
        self.pad_val = pad_val
        self.padding_mode = padding_mode

    def _fill(self) -> float | list[float]:
        return [float(v) for v in self.pad_val] if isinstance(self.pad_val, Sequence) else float(self.pad_val)

    def _pad(self, img: torch.Tensor, padding: list[int], mode: str) -> torch.Tensor:
        fill = self._fill() if mode == "constant" else None
        return F.pad(img, padding, fill=fill, padding_mode=mode)

    def __call__(self, results: dict[str, Any]) -> dict[str, Any]:
        img = get_image(results)
        if self.padding:
            largest = max(self.padding)
            mode = _fits_mode(self.padding_mode, largest, min(img.shape[-2:]))
            img = self._pad(img, self.padding, mode)
        h, w = self.size
        short_h, short_w = max(0, h - img.shape[-2]), max(0, w - img.shape[-1])
        if short_h or short_w:
            mode = self.padding_mode if self.pad_if_needed else "constant"
            mode = _fits_mode(mode, max(short_h, short_w), min(img.shape[-2:]))
            img = self._pad(img, [short_w, short_h, short_w, short_h], mode)
        top = randint(0, img.shape[-2] - h)
        left = randint(0, img.shape[-1] - w)
        set_image(results, F.crop(img, top, left, h, w))
        return results


class RandomFlip(BaseTransform):
    """Flip with probability ``flip_prob`` along ``direction``; records ``flip`` and ``flip_direction``."""

    def __init__(
        self,
        flip_prob: float = 0.5,
        direction: Literal["horizontal", "vertical"] = "horizontal",
    ) -> None:
        if not 0 <= flip_prob <= 1:
            raise ValueError(f"flip_prob must be in [0, 1], got {flip_prob}")
        if direction not in ("horizontal", "vertical"):
            raise ValueError(f"direction must be 'horizontal' or 'vertical', got {direction!r}")
        self.flip_prob = flip_prob
        self.direction = direction

    def __call__(self, results: dict[str, Any]) -> dict[str, Any]:
        flip = rand() < self.flip_prob
        results["flip"] = flip
        results["flip_direction"] = self.direction
        if flip:
            img = get_image(results)
            # torchvision's horizontal/vertical_flip on a plain tensor, without its dispatch
            set_image(results, img.flip(-1 if self.direction == "horizontal" else -2))
        return results
