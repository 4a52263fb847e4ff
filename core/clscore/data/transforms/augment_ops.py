"""The pixel and colour ops of MMClassification's AutoAugment/RandAugment policies.

Each op is a transform on its own: applied with probability ``prob`` (skipped when a uniform draw
exceeds it, as MMClassification does), on the sample's uint8 ``(C, H, W)`` image. Parameter names
and defaults are MMClassification 0.25's. The arithmetic follows MMCV's default (OpenCV) backend so
that a policy gives the same pixels: luma is OpenCV's fixed-point ITU-R 601 rounding, blends that
OpenCV computes in float32 truncate, and ColorTransform (a uint8 blend in OpenCV) rounds. Where
torchvision's kernels do the same arithmetic (Equalize, Invert, Posterize, Brightness) they are used;
its contrast, saturation, sharpness and autocontrast kernels round or treat borders differently.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real
from typing import Any

import torch
from torchvision.transforms.v2 import functional as F

from clscore.data.transforms._common import BaseTransform, get_image, rand, set_image


def probability(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 <= float(value) <= 1:
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
    return float(value)


def number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a number, got {value!r}")
    return float(value)


def pad_value(pad_val: Any) -> tuple[float, ...]:
    """MMClassification's ``pad_val``: one number for every channel, or one per channel."""
    if isinstance(pad_val, Real) and not isinstance(pad_val, bool):
        return (float(pad_val),) * 3
    if isinstance(pad_val, Sequence) and not isinstance(pad_val, str) and len(pad_val) > 0:
        return tuple(number(v, "pad_val") for v in pad_val)
    raise ValueError(f"pad_val must be a number or one number per channel, got {pad_val!r}")


def fill_for(pad_val: tuple[float, ...], img: torch.Tensor) -> torch.Tensor:
    """``pad_val`` as a ``(C, 1, 1)`` float tensor matching ``img``'s channels."""
    channels = img.shape[0]
    values = pad_val[:1] * channels if len(set(pad_val)) == 1 else pad_val
    if len(values) != channels:
        raise ValueError(
            f"pad_val {list(pad_val)} has {len(pad_val)} values; the image has {channels} channels"
        )
    return torch.tensor(values, dtype=torch.float32).view(-1, 1, 1)


class RandomOp(BaseTransform):
    """Base of the policy ops: draws ``prob``, checks the image is uint8, calls :meth:`apply`."""

    def __init__(self, prob: float = 0.5) -> None:
        self.prob = probability(prob, "prob")

    def __call__(self, results: dict[str, Any]) -> dict[str, Any]:
        if rand() > self.prob:
            return results
        img = get_image(results)
        if img.dtype != torch.uint8:
            raise ValueError(f"{type(self).__name__} works on uint8 images (0-255); put it before Normalize")
        set_image(results, self.apply(img))
        return results

    def apply(self, img: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError


class SignedOp(RandomOp):
    """An op whose magnitude is negated with probability ``random_negative_prob`` at each call."""

    def __init__(self, prob: float = 0.5, random_negative_prob: float = 0.5) -> None:
        super().__init__(prob)
        self.random_negative_prob = probability(random_negative_prob, "random_negative_prob")

    def signed(self, value: float) -> float:
        return -value if rand() < self.random_negative_prob else value


def luma(img: torch.Tensor) -> torch.Tensor:
    """``(1, H, W)`` int luma of an RGB uint8 image, as OpenCV's RGB->gray rounds it.

    ITU-R 601 weights (0.299, 0.587, 0.114) in OpenCV 4's 15-bit fixed point, which sum to 1 exactly.
    """
    if img.shape[0] == 1:
        return img.to(torch.int32)
    r, g, b = img.to(torch.int32)
    return ((r * 9798 + g * 19235 + b * 3735 + (1 << 14)) >> 15).unsqueeze(0)


def blend(
    img: torch.Tensor, other: torch.Tensor | float, factor: float, *, rounding: bool = False
) -> torch.Tensor:
    """``img * factor + other * (1 - factor)`` clipped to uint8 (truncated unless ``rounding``).

    Computed as OpenCV's ``addWeighted`` does in float32: ``other * (1 - factor)`` rounded to
    float32, then one fused multiply-add (so values on a grey-level boundary truncate the same way).
    """
    alpha = float(torch.tensor(factor, dtype=torch.float32))
    beta = torch.tensor(1.0 - factor, dtype=torch.float32)
    rest = torch.as_tensor(other, dtype=torch.float32) * beta
    out = (img.to(torch.float64) * alpha + rest.to(torch.float64)).to(torch.float32)
    if rounding:
        out = out.round_()
    return out.clamp_(0, 255).to(torch.uint8)


class AutoContrast(RandomOp):
    """Stretch each channel linearly so its darkest value becomes 0 and its brightest 255.

    A flat channel is left as it is; values are truncated after the stretch (MMCV's ``auto_contrast``).
    """

    def apply(self, img: torch.Tensor) -> torch.Tensor:
        low = img.amin(dim=(1, 2), keepdim=True).double()
        high = img.amax(dim=(1, 2), keepdim=True).double()
        flat = high <= low
        # An IEEE division (a scalar over a tensor goes through a reciprocal, one ulp off at times).
        scale = torch.where(flat, 1.0, torch.full_like(low, 255.0) / (high - low).clamp(min=1))
        offset = torch.where(flat, 0.0, -low * scale)
        return (img.double() * scale + offset).clamp_(0, 255).to(torch.uint8)


class Equalize(RandomOp):
    """Equalise each channel's histogram, with PIL's lookup table (``ImageOps.equalize``)."""

    def apply(self, img: torch.Tensor) -> torch.Tensor:
        return F.equalize(img)


class Invert(RandomOp):
    """``255 - img``."""

    def apply(self, img: torch.Tensor) -> torch.Tensor:
        return F.invert(img)


class Posterize(RandomOp):
    """Keep the top ``bits`` bits of every value (``bits`` is rounded up; 0 or less gives black)."""

    def __init__(self, bits: float, prob: float = 0.5) -> None:
        super().__init__(prob)
        bits = number(bits, "bits")
        if bits > 8:
            raise ValueError(f"bits must be at most 8, got {bits}")
        self.bits = math.ceil(bits)

    def apply(self, img: torch.Tensor) -> torch.Tensor:
        return F.posterize(img, max(self.bits, 0))


class Solarize(RandomOp):
    """Invert the values at or above ``thr`` (``thr`` > 255 leaves the image as it is)."""

    def __init__(self, thr: float, prob: float = 0.5) -> None:
        super().__init__(prob)
        self.thr = number(thr, "thr")

    def apply(self, img: torch.Tensor) -> torch.Tensor:
        return torch.where(img < self.thr, img, 255 - img)


class SolarizeAdd(RandomOp):
    """Add ``magnitude`` to the values below ``thr``, clipping at 255 (values are truncated)."""

    def __init__(self, magnitude: float, thr: float = 128, prob: float = 0.5) -> None:
        super().__init__(prob)
        self.magnitude = number(magnitude, "magnitude")
        self.thr = number(thr, "thr")

    def apply(self, img: torch.Tensor) -> torch.Tensor:
        added = (img.to(torch.float32) + self.magnitude).clamp_(0, 255).to(torch.uint8)
        return torch.where(img < self.thr, added, img)


class _Enhance(SignedOp):
    """Blend with a degenerate image at factor ``1 + magnitude`` (magnitude negated at random)."""

    def __init__(self, magnitude: float, prob: float = 0.5, random_negative_prob: float = 0.5) -> None:
        super().__init__(prob, random_negative_prob)
        self.magnitude = number(magnitude, "magnitude")

    def apply(self, img: torch.Tensor) -> torch.Tensor:
        return self.enhance(img, 1.0 + self.signed(self.magnitude))

    def enhance(self, img: torch.Tensor, factor: float) -> torch.Tensor:
        raise NotImplementedError


class Brightness(_Enhance):
    """Scale the values by ``1 + magnitude`` (blend with black); ``magnitude`` is negated at random."""

    def enhance(self, img: torch.Tensor, factor: float) -> torch.Tensor:
        return F.adjust_brightness(img, factor)


class Contrast(_Enhance):
    """Blend with the image's mean luma at factor ``1 + magnitude``; ``magnitude`` is negated at random.

    The mean is rounded to an integer grey level, as MMCV's ``adjust_contrast`` does.
    """

    def enhance(self, img: torch.Tensor, factor: float) -> torch.Tensor:
        mean = torch.round(luma(img).to(torch.float64).mean()).item()
        return blend(img, mean, factor)


class ColorTransform(_Enhance):
    """Change the saturation: blend with the luma at factor ``1 + magnitude`` (negated at random).

    The result is rounded (MMCV blends uint8 images in OpenCV, which rounds).
    """

    def enhance(self, img: torch.Tensor, factor: float) -> torch.Tensor:
        return blend(img, luma(img).to(torch.float32), factor, rounding=True)


class Sharpness(_Enhance):
    """Blend with PIL's SMOOTH-filtered image at factor ``1 + magnitude`` (negated at random).

    The 3x3 smoothing kernel ``[[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13`` runs over the whole image,
    borders mirrored without repeating the edge (OpenCV's default), and is rounded to uint8.
    """

    def enhance(self, img: torch.Tensor, factor: float) -> torch.Tensor:
        return blend(img, smooth(img), factor)


def smooth(img: torch.Tensor) -> torch.Tensor:
    """PIL's SMOOTH kernel over a uint8 image, reflect-101 borders, rounded; float32 result."""
    channels, height, width = img.shape
    kernel = torch.ones(channels, 1, 3, 3, dtype=torch.float32)
    kernel[:, :, 1, 1] = 5.0
    x = img.to(torch.float32).unsqueeze(0)
    # Reflection needs two pixels along a side; a single row or column is mirrored onto itself.
    x = torch.nn.functional.pad(x, (1, 1, 0, 0), mode="reflect" if width > 1 else "replicate")
    x = torch.nn.functional.pad(x, (0, 0, 1, 1), mode="reflect" if height > 1 else "replicate")
    out = torch.nn.functional.conv2d(x, kernel / 13.0, groups=channels)[0]
    return out.round_().clamp_(0, 255)
