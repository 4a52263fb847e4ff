"""Random erasing (Zhong et al., 2017) with MMClassification's parameters."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import torch

from clscore.data.transforms._common import BaseTransform, get_image, rand, randint, set_image, uniform


class RandomErasing(BaseTransform):
    """With probability ``erase_prob``, fill one random rectangle of the image.

    One draw, as in MMClassification: an area fraction uniform in ``[min_area_ratio,
    max_area_ratio]``, an aspect ratio log-uniform in ``aspect_range`` (a number ``r`` means
    ``(min(r, 1/r), max(r, 1/r))``); the rectangle is clipped to the image and placed uniformly.

    Fill (``fill_color``/``fill_std`` in the image's channel order, i.e. RGB, and in its current value
    range):

    - ``mode="const"``: every pixel ``fill_color``.
    - ``mode="rand"`` with ``fill_std`` None: independent noise per pixel and channel, uniform over
      0-255 on a ``uint8`` image (before ``Normalize``, where MMClassification puts it) and standard
      normal on a float image (after ``Normalize``, like timm).
    - ``mode="rand"`` with ``fill_std``: per-pixel normal noise around ``fill_color``.

    ``uint8`` images get the fill rounded and clipped to 0-255. MMClassification configs that wrote
    ``fill_color=mean[::-1]`` (BGR, for MMCV's BGR images) give a fill with red and blue swapped here,
    which for grey-ish means changes nothing that matters.
    """

    def __init__(
        self,
        erase_prob: float = 0.5,
        min_area_ratio: float = 0.02,
        max_area_ratio: float = 0.4,
        aspect_range: float | Sequence[float] = (3 / 10, 10 / 3),
        mode: Literal["const", "rand"] = "const",
        fill_color: float | Sequence[float] = (128, 128, 128),
        fill_std: float | Sequence[float] | None = None,
    ) -> None:
        if not 0 <= erase_prob <= 1:
            raise ValueError(f"erase_prob must be in [0, 1], got {erase_prob}")
        if not 0 <= min_area_ratio <= max_area_ratio <= 1:
            raise ValueError(
                f"need 0 <= min_area_ratio <= max_area_ratio <= 1, got {min_area_ratio}, {max_area_ratio}"
            )
        if isinstance(aspect_range, int | float):
            r = float(aspect_range)
            if r <= 0:
                raise ValueError(f"aspect_range must be positive, got {aspect_range}")
            aspect_range = (min(r, 1 / r), max(r, 1 / r))
        if len(aspect_range) != 2 or not 0 < aspect_range[0] <= aspect_range[1]:
            raise ValueError(f"aspect_range must be (min, max) with 0 < min <= max, got {aspect_range!r}")
        if mode not in ("const", "rand"):
            raise ValueError(f"mode must be 'const' or 'rand', got {mode!r}")
        self.erase_prob = erase_prob
        self.min_area_ratio = min_area_ratio
        self.max_area_ratio = max_area_ratio
        self.aspect_range = (float(aspect_range[0]), float(aspect_range[1]))
        self.mode = mode
        self.fill_color = fill_color
        self.fill_std = fill_std

    @staticmethod
    def _per_channel(value: float | Sequence[float], channels: int) -> torch.Tensor:
        values = torch.as_tensor(value, dtype=torch.float32).flatten()
        if values.numel() == 1:
            values = values.expand(channels)
        elif values.numel() != channels:
            raise ValueError(f"RandomErasing fill has {values.numel()} values for a {channels}-channel image")
        return values.view(channels, 1, 1)

    def _patch(self, img: torch.Tensor, h: int, w: int) -> torch.Tensor:
        c = img.shape[0]
        if self.mode == "const":
            patch = self._per_channel(self.fill_color, c).expand(c, h, w)
        elif self.fill_std is None:
            if img.dtype == torch.uint8:
                return torch.randint(0, 256, (c, h, w), dtype=torch.uint8)
            patch = torch.randn(c, h, w)
        else:
            mean = self._per_channel(self.fill_color, c)
            patch = mean + self._per_channel(self.fill_std, c) * torch.randn(c, h, w)
        if img.dtype == torch.uint8:
            return patch.round().clamp(0, 255).to(torch.uint8)
        return patch.to(img.dtype)

    def __call__(self, results: dict[str, Any]) -> dict[str, Any]:
        if rand() >= self.erase_prob:
            return results
        img = get_image(results)
        height, width = img.shape[-2:]
        log_range = (math.log(self.aspect_range[0]), math.log(self.aspect_range[1]))
        aspect = math.exp(uniform(*log_range))
        area = height * width * uniform(self.min_area_ratio, self.max_area_ratio)
        h = min(round(math.sqrt(area * aspect)), height)
        w = min(round(math.sqrt(area / aspect)), width)
        if h <= 0 or w <= 0:
            return results
        top = randint(0, height - h)
        left = randint(0, width - w)
        out = img.clone()
        out[:, top : top + h, left : left + w] = self._patch(img, h, w)
        set_image(results, out)
        return results
