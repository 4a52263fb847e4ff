"""The geometric ops of MMClassification's policies: Rotate, Shear, Translate and Cutout.

The warps build OpenCV's affine matrix for each op (MMCV warps with ``cv2.warpAffine``) and sample
with ``torch.nn.functional.grid_sample``: coordinates are pixel indices (the centre of the top-left
pixel is 0, 0), samples outside the image take ``pad_val`` inside the interpolation kernel
(OpenCV's constant border), bicubic uses OpenCV's a = -0.75, and the result is rounded.
torchvision's ``affine`` is not used: it has no bicubic mode for tensors and re-weights the border
pixels when it fills. ``pad_val`` is in the image's channel order, which is RGB in clscore
(MMClassification's configs write it for their BGR images, e.g. the ImageNet mean reversed).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real
from typing import Any, Literal

import torch

from clscore.data.transforms._common import uniform
from clscore.data.transforms.augment_ops import RandomOp, SignedOp, fill_for, number, pad_value

#: MMCV's interpolation names -> grid_sample modes (warpAffine has no "area": it samples bilinearly).
_MODES = {"nearest": "nearest", "bilinear": "bilinear", "bicubic": "bicubic", "area": "bilinear"}


def _mode(interpolation: str) -> str:
    try:
        return _MODES[str(interpolation).lower()]
    except KeyError:
        raise ValueError(
            f"interpolation must be one of {', '.join(_MODES)} for warps, got {interpolation!r}"
        ) from None


def warp(
    img: torch.Tensor, matrix: Sequence[Sequence[float]], pad_val: tuple[float, ...], mode: str
) -> torch.Tensor:
    """Warp ``img`` by the forward 2x3 ``matrix`` (OpenCV's: output = matrix @ (x, y, 1), pixel indices).

    MMCV builds its shear and translation matrices in float32, which decides on which side of a
    half pixel a nearest sample falls; ``Shear`` and ``Translate`` round theirs the same way.

    The image is shifted by ``-pad_val`` and sampled with zero padding, so the border enters the
    kernel weights exactly as OpenCV's constant border does.
    """
    _, height, width = img.shape
    forward = torch.tensor([*matrix, (0.0, 0.0, 1.0)], dtype=torch.float64)
    inverse = torch.linalg.inv(forward)[:2]
    ys, xs = torch.meshgrid(
        torch.arange(height, dtype=torch.float64), torch.arange(width, dtype=torch.float64), indexing="ij"
    )
    src = inverse[:, 0, None, None] * xs + inverse[:, 1, None, None] * ys + inverse[:, 2, None, None]
    if mode == "nearest":  # OpenCV rounds halves up; grid_sample would round them to even
        src = torch.floor(src + 0.5)
    # grid_sample (align_corners=False) puts pixel i's centre at (2 i + 1) / size - 1.
    grid = torch.stack([(2 * src[0] + 1) / width - 1, (2 * src[1] + 1) / height - 1], dim=-1)
    fill = fill_for(pad_val, img)
    moved = torch.nn.functional.grid_sample(
        (img.to(torch.float32) - fill).unsqueeze(0),
        grid.to(torch.float32).unsqueeze(0),
        mode=mode,
        padding_mode="zeros",
        align_corners=False,
    )[0]
    return moved.add_(fill).round_().clamp_(0, 255).to(torch.uint8)


def _float32(matrix: Sequence[Sequence[float]]) -> list[list[float]]:
    return torch.tensor(matrix, dtype=torch.float32).tolist()


def _direction(direction: str) -> str:
    if direction not in ("horizontal", "vertical"):
        raise ValueError(f"direction must be 'horizontal' or 'vertical', got {direction!r}")
    return direction


class _Warp(SignedOp):
    """Shared parameters of Shear and Translate."""

    def __init__(
        self,
        magnitude: float,
        pad_val: float | Sequence[float] = 128,
        prob: float = 0.5,
        direction: Literal["horizontal", "vertical"] = "horizontal",
        random_negative_prob: float = 0.5,
        interpolation: str = "nearest",
    ) -> None:
        super().__init__(prob, random_negative_prob)
        self.magnitude = number(magnitude, "magnitude")
        self.pad_val = pad_value(pad_val)
        self.direction = _direction(direction)
        self.interpolation = interpolation
        self._mode = _mode(interpolation)


class Shear(_Warp):
    """Shear by the factor ``magnitude`` (the tangent, not an angle), about the top-left pixel.

    Horizontal: ``x' = x + magnitude * y``; vertical: ``y' = y + magnitude * x``. The magnitude is
    negated with ``random_negative_prob``; uncovered pixels take ``pad_val``.
    """

    def __init__(self, magnitude: float, interpolation: str = "bicubic", **kwargs: Any) -> None:
        super().__init__(magnitude, interpolation=interpolation, **kwargs)

    def apply(self, img: torch.Tensor) -> torch.Tensor:
        m = self.signed(self.magnitude)
        matrix = (
            ((1.0, m, 0.0), (0.0, 1.0, 0.0))
            if self.direction == "horizontal"
            else ((1.0, 0.0, 0.0), (m, 1.0, 0.0))
        )
        return warp(img, _float32(matrix), self.pad_val, self._mode)


class Translate(_Warp):
    """Shift by ``magnitude`` times the width (horizontal) or height (vertical); sub-pixel allowed.

    The magnitude is negated with ``random_negative_prob``; uncovered pixels take ``pad_val``.
    """

    def apply(self, img: torch.Tensor) -> torch.Tensor:
        magnitude = self.signed(self.magnitude)
        _, height, width = img.shape
        if self.direction == "horizontal":
            matrix = ((1.0, 0.0, magnitude * width), (0.0, 1.0, 0.0))
        else:
            matrix = ((1.0, 0.0, 0.0), (0.0, 1.0, magnitude * height))
        return warp(img, _float32(matrix), self.pad_val, self._mode)


class Rotate(SignedOp):
    """Rotate by ``angle`` degrees clockwise about ``center`` (``(x, y)`` pixel indices; default the
    image centre), scaled by ``scale``; ``angle`` is negated with ``random_negative_prob``.
    """

    def __init__(
        self,
        angle: float,
        center: Sequence[float] | None = None,
        scale: float = 1.0,
        pad_val: float | Sequence[float] = 128,
        prob: float = 0.5,
        random_negative_prob: float = 0.5,
        interpolation: str = "nearest",
    ) -> None:
        super().__init__(prob, random_negative_prob)
        self.angle = number(angle, "angle")
        if center is not None:
            if isinstance(center, str) or not isinstance(center, Sequence) or len(center) != 2:
                raise ValueError(f"center must be None or (x, y), got {center!r}")
            center = (number(center[0], "center"), number(center[1], "center"))
        self.center = center
        self.scale = number(scale, "scale")
        self.pad_val = pad_value(pad_val)
        self.interpolation = interpolation
        self._mode = _mode(interpolation)

    def apply(self, img: torch.Tensor) -> torch.Tensor:
        _, height, width = img.shape
        cx, cy = self.center if self.center is not None else ((width - 1) / 2, (height - 1) / 2)
        # OpenCV's rotation matrix for a counter-clockwise angle of -angle (i.e. clockwise by angle).
        theta = math.radians(-self.signed(self.angle))
        a, b = self.scale * math.cos(theta), self.scale * math.sin(theta)
        matrix = ((a, b, (1 - a) * cx - b * cy), (-b, a, b * cx + (1 - a) * cy))
        return warp(img, matrix, self.pad_val, self._mode)


class Cutout(RandomOp):
    """Fill a ``shape`` box (an int for a square, or ``(h, w)``) with ``pad_val``.

    The box is centred on a random point and clipped to the image; as MMCV's ``cutout`` draws it,
    the centre is uniform in ``[1, H] x [1, W]`` and the box's top-left corner is truncated to pixels.
    """

    def __init__(
        self, shape: int | Sequence[int], pad_val: float | Sequence[float] = 128, prob: float = 0.5
    ) -> None:
        super().__init__(prob)
        if isinstance(shape, Real) and not isinstance(shape, bool):
            side = int(number(shape, "shape"))
            shape = (side, side)
        elif isinstance(shape, Sequence) and not isinstance(shape, str) and len(shape) == 2:
            shape = (int(number(shape[0], "shape")), int(number(shape[1], "shape")))
        else:
            raise ValueError(f"shape must be a number or (h, w), got {shape!r}")
        if min(shape) < 0:
            raise ValueError(f"shape must not be negative, got {shape!r}")
        self.shape = shape
        self.pad_val = pad_value(pad_val)

    def apply(self, img: torch.Tensor) -> torch.Tensor:
        _, height, width = img.shape
        cut_h, cut_w = self.shape
        y0, x0 = uniform(1, height), uniform(1, width)
        top, left = int(max(0.0, y0 - cut_h / 2)), int(max(0.0, x0 - cut_w / 2))
        out = img.clone()
        out[:, top : top + cut_h, left : left + cut_w] = fill_for(self.pad_val, img).to(torch.uint8)
        return out
