"""Reading the sample's image from disk."""

from __future__ import annotations

import os
from typing import Any, Literal

from clscore.data.image_io import EncodedImage, open_image
from clscore.data.transforms._common import BaseTransform, hwc


class LoadImageFromFile(BaseTransform):
    """Decode the sample's image file into ``img``: an RGB ``uint8`` tensor ``(3, H, W)``.

    The path is ``img_prefix/img_info["filename"]`` (or ``filename`` when there is no ``img_info``).
    Decoding follows :mod:`clscore.data.image_io`: JPEGs through libjpeg-turbo, EXIF orientation
    applied (``exif_orientation``), every colour mode converted to RGB, truncated files and
    decompression bombs refused with an error naming the file. ``color_type="grayscale"`` gives one
    channel instead. ``to_float32`` casts to float32 (still 0-255). ``file_client_args`` is accepted
    for MMClassification configs and ignored: images are always read from the local file system.

    ``reduced_decode`` (default on): when the next step of the pipeline is RandomResizedCrop or
    Resize and it shrinks the image by 2x or more, a JPEG is decoded at 1/2, 1/4 or 1/8 of its size
    by the JPEG decoder itself, which is several times faster on large photos; the crop is still
    drawn on the full-size image. Before RandomResizedCrop, only the crop of an upright JPEG is
    decoded (at full or reduced size) where clscore was built with libjpeg's headers
    (:mod:`clscore.data.region_decode`; the same pixels). ``ori_shape`` is always the full size.
    Switch it off to get the full-size decode followed by the crop and resize.

    The image may be a channels-last view (``img.is_contiguous()`` false); every transform accepts
    it, and batching makes it contiguous.

    Samples that already hold an ``img`` and no ``img_info`` (the in-memory datasets: CIFAR, MNIST,
    Digits) pass through with only ``to_float32``/``color_type`` applied, so one pipeline serves both.
    """

    def __init__(
        self,
        to_float32: bool = False,
        color_type: Literal["color", "grayscale"] = "color",
        file_client_args: dict | None = None,
        exif_orientation: bool = True,
        reduced_decode: bool = True,
    ) -> None:
        if color_type not in ("color", "grayscale"):
            raise ValueError(f"color_type must be 'color' or 'grayscale', got {color_type!r}")
        self.to_float32 = to_float32
        self.color_type = color_type
        self.exif_orientation = exif_orientation
        self.reduced_decode = reduced_decode
        self._channels = 1 if color_type == "grayscale" else 3

    @property
    def fusable(self) -> bool:
        """Whether a pipeline may hand the undecoded image to the next step (see :meth:`open`)."""
        return self.reduced_decode and not self.to_float32

    def open(self, results: dict[str, Any]) -> EncodedImage | None:
        """Read the sample's file and its header, fill the file metas; ``None`` for in-memory samples."""
        if "img" in results and "img_info" not in results:
            return None
        info = results.get("img_info")
        relative = info.get("filename") if info else None
        if relative is None:
            relative = results.get("filename")
            if relative is None:
                raise KeyError("LoadImageFromFile needs img_info['filename'] or filename in the sample")
        prefix = results.get("img_prefix")
        path = os.path.join(prefix, relative) if prefix else relative
        encoded = open_image(path, color_type=self.color_type, exif_orientation=self.exif_orientation)
        results["filename"] = path
        results["ori_filename"] = relative
        results["ori_shape"] = (encoded.height, encoded.width, self._channels)
        return encoded

    def __call__(self, results: dict[str, Any]) -> dict[str, Any]:
        encoded = self.open(results)
        if encoded is not None:
            img = encoded.decode()
        else:
            img = results["img"]
            if self.color_type == "grayscale" and img.shape[0] == 3:
                from torchvision.transforms.v2.functional import rgb_to_grayscale

                img = rgb_to_grayscale(img)
        if self.to_float32:
            img = img.float()
        results["img"] = img
        shape = hwc(img)
        results["img_shape"] = shape
        if "ori_shape" not in results:
            results["ori_shape"] = shape
        return results
