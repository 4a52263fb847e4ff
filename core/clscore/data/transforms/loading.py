"""Reading the sample's image from disk."""

from __future__ import annotations

import os
from typing import Any, Literal

from clscore.data.image_io import read_image
from clscore.data.transforms._common import BaseTransform, hwc


class LoadImageFromFile(BaseTransform):
    """Decode the sample's image file into ``img``: an RGB ``uint8`` tensor ``(3, H, W)``.

    The path is ``img_prefix/img_info["filename"]`` (or ``filename`` when there is no ``img_info``).
    Decoding follows :mod:`clscore.data.image_io`: EXIF orientation applied (``exif_orientation``),
    every colour mode converted to RGB, truncated files and decompression bombs refused with an error
    naming the file. ``color_type="grayscale"`` gives one channel instead. ``to_float32`` casts to
    float32 (still 0-255). ``file_client_args`` is accepted for MMClassification configs and ignored:
    images are always read from the local file system.

    Samples that already hold an ``img`` and no ``img_info`` (the in-memory datasets: CIFAR, MNIST,
    Digits) pass through with only ``to_float32``/``color_type`` applied, so one pipeline serves both.
    """

    def __init__(
        self,
        to_float32: bool = False,
        color_type: Literal["color", "grayscale"] = "color",
        file_client_args: dict | None = None,
        exif_orientation: bool = True,
    ) -> None:
        if color_type not in ("color", "grayscale"):
            raise ValueError(f"color_type must be 'color' or 'grayscale', got {color_type!r}")
        self.to_float32 = to_float32
        self.color_type = color_type
        self.exif_orientation = exif_orientation

    def __call__(self, results: dict[str, Any]) -> dict[str, Any]:
        if "img" in results and "img_info" not in results:
            img = results["img"]
            if self.color_type == "grayscale" and img.shape[0] == 3:
                from torchvision.transforms.v2.functional import rgb_to_grayscale

                img = rgb_to_grayscale(img)
        else:
            info = results.get("img_info") or {}
            relative = info.get("filename", results.get("filename"))
            if relative is None:
                raise KeyError("LoadImageFromFile needs img_info['filename'] or filename in the sample")
            prefix = results.get("img_prefix")
            path = os.path.join(prefix, relative) if prefix else relative
            img = read_image(path, color_type=self.color_type, exif_orientation=self.exif_orientation)
            results["filename"] = path
            results["ori_filename"] = relative
            results["ori_shape"] = hwc(img)
        if self.to_float32:
            img = img.float()
        results["img"] = img
        results["img_shape"] = hwc(img)
        results.setdefault("ori_shape", hwc(img))
        return results
