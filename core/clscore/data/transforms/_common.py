"""Helpers shared by the transforms: reading and writing the sample's image, sizes, resizing."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch.nn.functional import interpolate
from torchvision.transforms.v2 import InterpolationMode
from torchvision.transforms.v2 import functional as F

from clscore.data.image_io import JPEG_REDUCTIONS, reduced_size
from clscore.errors import DataError

# MMCV's interpolation names -> torchvision's tensor modes. "area" (cv2's box filter for shrinking)
# maps onto antialiased bilinear whatever the backend.
_INTERPOLATION = {
    "nearest": InterpolationMode.NEAREST,
    "nearest-exact": InterpolationMode.NEAREST_EXACT,
    "bilinear": InterpolationMode.BILINEAR,
    "bicubic": InterpolationMode.BICUBIC,
    "area": InterpolationMode.BILINEAR,
}
RESIZE_BACKENDS = ("cv2", "pillow")
#: Modes resized by ``torch.nn.functional.interpolate`` on ``uint8`` directly (see ``Resizer``).
_UINT8_KERNELS = {InterpolationMode.BILINEAR: "bilinear", InterpolationMode.BICUBIC: "bicubic"}

#: What ``backend`` means, for the docstrings of every resizing transform (the config reference).
BACKEND_DOC = """``backend`` picks whose resize arithmetic to reproduce, as MMClassification does:
    ``cv2`` (the default, MMClassification's default) interpolates without antialiasing, so
    shrinking samples the source pixels (OpenCV's ``INTER_LINEAR``/``INTER_CUBIC``: half-pixel
    centres, the same as ``torch.nn.functional.interpolate(..., antialias=False)``); ``pillow``
    antialiases when shrinking (PIL's ``resize``: the filter widens with the scale). Models trained
    with MMClassification's defaults are evaluated as they were with ``cv2``; ``area`` is
    antialiased with either backend. Enlarging is the same with both."""


def interpolation_mode(name: str) -> InterpolationMode:
    """The torchvision mode for an MMCV interpolation name; unknown names raise ``ValueError``."""
    try:
        return _INTERPOLATION[str(name).lower()]
    except KeyError:
        raise ValueError(
            f"interpolation {name!r} is not supported on tensors; use one of {', '.join(_INTERPOLATION)}"
        ) from None


class Resizer:
    """A resize with MMClassification's ``interpolation`` and ``backend`` keys resolved once."""

    __slots__ = ("antialias", "backend", "interpolation", "mode")

    def __init__(self, interpolation: str = "bilinear", backend: str | None = "cv2") -> None:
        backend = "cv2" if backend is None else str(backend).lower()
        if backend not in RESIZE_BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(RESIZE_BACKENDS)}, got {backend!r}")
        self.interpolation, self.backend = interpolation, backend
        self.mode = interpolation_mode(interpolation)
        self.antialias = backend == "pillow" or str(interpolation).lower() == "area"

    def __call__(self, img: torch.Tensor, size: Sequence[int]) -> torch.Tensor:
        if tuple(img.shape[-2:]) == tuple(size):
            return img
        if (
            img.dtype == torch.uint8
            and img.ndim == 3
            and self.mode in _UINT8_KERNELS
            and img.device.type == "cpu"
        ):
            # torch's uint8 kernels run 2-3x faster on channels-last memory (a decoded image is a
            # channels-last view already; a crop of it only needs gathering). Same op, same pixels
            # as torchvision's resize, which copies to channels-first instead. The batch dimension is
            # added on the (H, W, C) view so that its stride is H*W*C: with ``img[None]`` it would be
            # C, and torch would then give a channels-first output, packed pixel by pixel (slow).
            batch = img.permute(1, 2, 0)[None].permute(0, 3, 1, 2)
            batch = batch.contiguous(memory_format=torch.channels_last)
            mode = _UINT8_KERNELS[self.mode]
            return interpolate(
                batch, size=tuple(size), mode=mode, align_corners=False, antialias=self.antialias
            )[0]
        return F.resize(img, list(size), interpolation=self.mode, antialias=self.antialias)

    def crop(self, img: torch.Tensor, box: Sequence[int], size: Sequence[int]) -> torch.Tensor:
        """Crop ``box`` (``top, left, h, w``) and resize it to ``size``."""
        top, left, h, w = box
        return self(img[..., top : top + h, left : left + w], size)


def decode_box(encoded: Any, box: Sequence[int], size: Sequence[int]) -> tuple[torch.Tensor, tuple]:
    """Decode ``encoded`` (an :class:`~clscore.data.image_io.EncodedImage`) for a crop ``box``
    (``top, left, h, w`` in full-resolution pixels) that will be resized to ``size``.

    Picks the largest JPEG reduction (8, 4, 2) that keeps the crop at least ``size`` on both sides,
    and returns the (possibly reduced) image with the box scaled onto it. A JPEG's box alone is
    decoded where :mod:`clscore.data.region_decode` can (then the box is the whole result).
    """
    h, w = box[2], box[3]
    full = (encoded.height, encoded.width)
    reduce = 1
    if encoded.reducible:
        reduce = next((r for r in JPEG_REDUCTIONS if h >= size[0] * r and w >= size[1] * r), 1)
    if (h, w) != full:
        scaled = _scale_box(box, full, reduced_size(*full, reduce))
        region = encoded.decode_region(*scaled, reduce=reduce)
        if region is not None:
            return region, (0, 0, scaled[2], scaled[3])
    img = encoded.decode(reduce)
    return img, _scale_box(box, full, (img.shape[-2], img.shape[-1]))


def _scale_box(box: Sequence[int], full: tuple[int, int], reduced: tuple[int, int]) -> tuple:
    """``box`` (``top, left, h, w`` on a ``full``-size image) on the same image at ``reduced`` size."""
    if reduced == full:
        return tuple(box)
    top, left, h, w = box
    (height, width), sy, sx = reduced, reduced[0] / full[0], reduced[1] / full[1]
    y0, x0 = min(height - 1, round(top * sy)), min(width - 1, round(left * sx))
    y1, x1 = min(height, round((top + h) * sy)), min(width, round((left + w) * sx))
    return y0, x0, max(1, y1 - y0), max(1, x1 - x0)


def pair(size: int | Sequence[int], what: str = "size") -> tuple[int, int]:
    """``size`` as ``(h, w)``: an int means a square."""
    if isinstance(size, bool):
        raise ValueError(f"{what} must be an int or (h, w), got {size!r}")
    if isinstance(size, int | np.integer):
        return int(size), int(size)
    if isinstance(size, Sequence) and len(size) == 2 and all(isinstance(s, int | np.integer) for s in size):
        return int(size[0]), int(size[1])
    raise ValueError(f"{what} must be an int or a pair (h, w) of ints, got {size!r}")


def positive_pair(size: int | Sequence[int], what: str = "size") -> tuple[int, int]:
    h, w = pair(size, what)
    if h <= 0 or w <= 0:
        raise ValueError(f"{what} must be positive, got {size!r}")
    return h, w


def get_image(results: dict[str, Any], key: str = "img") -> torch.Tensor:
    """The sample's image as a ``(C, H, W)`` tensor (a numpy ``(H, W[, C])`` array is converted)."""
    try:
        img = results[key]
    except KeyError:
        raise DataError(
            f"the sample has no {key!r}; put LoadImageFromFile first in the pipeline "
            f"(sample keys: {sorted(results)})"
        ) from None
    if isinstance(img, np.ndarray):
        img = torch.from_numpy(np.ascontiguousarray(img[..., None] if img.ndim == 2 else img)).permute(
            2, 0, 1
        )
    if not isinstance(img, torch.Tensor) or img.ndim != 3:
        shape = getattr(img, "shape", None)
        raise DataError(f"sample {key!r} must be a (C, H, W) tensor, got {type(img).__name__} {shape}")
    return img


def set_image(results: dict[str, Any], img: torch.Tensor, key: str = "img") -> None:
    """Store ``img`` and keep ``img_shape`` (``(H, W, C)``) in step with it."""
    results[key] = img
    if key == "img":
        results["img_shape"] = hwc(img)


def hwc(img: torch.Tensor) -> tuple[int, int, int]:
    """MMClassification's shape convention for metas: ``(H, W, C)``."""
    c, h, w = img.shape
    return int(h), int(w), int(c)


class _Scratch(threading.local):
    """One 0-d float and one 0-d int64 tensor per thread, refilled in place by each draw.

    ``torch.empty(()).uniform_(...)`` allocates a tensor per draw, which was about half of a draw's
    cost (a RandomResizedCrop makes five or six); filling a kept tensor gives the same values from
    the same generator state (``torch.rand`` and ``torch.randint`` are ``uniform_`` and ``random_``
    on a fresh tensor).
    """

    def __init__(self) -> None:
        self.real = torch.empty(())
        self.integer = torch.empty((), dtype=torch.int64)


_scratch = _Scratch()


def _real() -> torch.Tensor:
    """The thread's float scratch tensor, in torch's current default dtype (as ``torch.rand``'s)."""
    real = _scratch.real
    if real.dtype != torch.get_default_dtype():
        real = _scratch.real = torch.empty(())
    return real


def uniform(low: float, high: float) -> float:
    """A draw from torch's global RNG, so seeding torch makes pipelines reproducible."""
    return _real().uniform_(low, high).item() if high > low else float(low)


def randint(low: int, high: int) -> int:
    """An int in ``[low, high]`` (inclusive) from torch's global RNG."""
    return int(_scratch.integer.random_(low, high + 1).item()) if high > low else int(low)


def rand() -> float:
    """A draw from ``[0, 1)``: ``torch.rand(())``'s value."""
    return _real().uniform_().item()


class BaseTransform:
    """Common ``repr`` for transforms: the class name and the public attributes set in ``__init__``."""

    def __call__(self, results: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({fields})"
