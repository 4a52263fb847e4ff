"""Helpers shared by the transforms: reading and writing the sample's image, sizes, interpolation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torchvision.transforms.v2 import InterpolationMode

from clscore.errors import DataError

# MMCV's cv2/pillow names -> torchvision's tensor interpolation modes. Downscaling always uses
# antialiasing, so "area" (cv2's choice for shrinking) maps onto antialiased bilinear.
_INTERPOLATION = {
    "nearest": InterpolationMode.NEAREST,
    "nearest-exact": InterpolationMode.NEAREST_EXACT,
    "bilinear": InterpolationMode.BILINEAR,
    "bicubic": InterpolationMode.BICUBIC,
    "area": InterpolationMode.BILINEAR,
}


def interpolation_mode(name: str) -> InterpolationMode:
    """The torchvision mode for an MMCV interpolation name; unknown names raise ``ValueError``."""
    try:
        return _INTERPOLATION[str(name).lower()]
    except KeyError:
        raise ValueError(
            f"interpolation {name!r} is not supported on tensors; use one of {', '.join(_INTERPOLATION)}"
        ) from None


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


def uniform(low: float, high: float) -> float:
    """A draw from torch's global RNG, so seeding torch makes pipelines reproducible."""
    return float(torch.empty(()).uniform_(low, high)) if high > low else float(low)


def randint(low: int, high: int) -> int:
    """An int in ``[low, high]`` (inclusive) from torch's global RNG."""
    return int(torch.randint(low, high + 1, ())) if high > low else int(low)


def rand() -> float:
    return float(torch.rand(()))


class BaseTransform:
    """Common ``repr`` for transforms: the class name and the public attributes set in ``__init__``."""

    def __call__(self, results: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({fields})"
