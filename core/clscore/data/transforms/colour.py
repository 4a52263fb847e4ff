"""Colour transforms: normalisation, jitter, grayscale and PCA lighting noise."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as F

from clscore.data.transforms._common import BaseTransform, get_image, rand, set_image


class Normalize(BaseTransform):
    """Cast ``img`` to float32 and normalise it per channel: ``(img - mean) / std``.

    ``mean``/``std`` are on the 0-255 scale, one value per channel (or one for all); the result
    writes ``img_norm_cfg`` (``mean``, ``std``, ``to_rgb``) into the sample.

    Colour order rule: images inside clscore are always RGB (the decoder and the in-memory datasets
    give RGB), and ``mean``/``std`` are given in RGB order. ``to_rgb`` therefore never swaps
    channels: it is accepted, and recorded in ``img_norm_cfg``, only as a statement of intent. The
    seed's config (``to_rgb: true``, written for MMCV's BGR decoder) and MMClassification's CIFAR
    config (``to_rgb: false``, written for RGB arrays) both meant "the model gets RGB", and both give
    exactly that here.

    ``to_bgr: true`` is the one way to reorder channels: after normalising in RGB, the output is
    BGR, for models trained on BGR input (e.g. weights converted from Caffe).
    """

    def __init__(
        self,
        mean: Sequence[float],
        std: Sequence[float],
        to_rgb: bool = True,
        to_bgr: bool = False,
    ) -> None:
        if len(mean) != len(std) or not len(mean):
            raise ValueError(f"mean and std must have the same non-zero length, got {mean!r} and {std!r}")
        if any(float(s) == 0 for s in std):
            raise ValueError(f"std must not contain 0, got {std!r}")
        self.mean = [float(m) for m in mean]
        self.std = [float(s) for s in std]
        self.to_rgb = bool(to_rgb)
        self.to_bgr = bool(to_bgr)
        self._mean = torch.tensor(self.mean, dtype=torch.float32).view(-1, 1, 1)
        self._std = torch.tensor(self.std, dtype=torch.float32).view(-1, 1, 1)

    def __call__(self, results: dict[str, Any]) -> dict[str, Any]:
        img = get_image(results)
        channels = img.shape[0]
        if len(self.mean) not in (1, channels):
            raise ValueError(
                f"Normalize has {len(self.mean)} mean/std values but the image has {channels} channels"
            )
        # one pass casts to a fresh contiguous float32 tensor (a decoded image is a channels-last
        # view: computing on it as it is runs several times slower); then in place
        out = img.to(torch.float32, memory_format=torch.contiguous_format, copy=True)
        out.sub_(self._mean).div_(self._std)
        if self.to_bgr:
            out = out.flip(0)
        set_image(results, out)
        results["img_norm_cfg"] = {"mean": list(self.mean), "std": list(self.std), "to_rgb": self.to_rgb}
        return results


class ColorJitter(BaseTransform):
    """Randomly change brightness, contrast, saturation and hue, in a random order (torchvision's v2).

    Each factor is drawn from ``[max(0, 1 - x), 1 + x]`` (hue: ``[-hue, hue]``, at most 0.5).
    """

    def __init__(
        self,
        brightness: float = 0.0,
        contrast: float = 0.0,
        saturation: float = 0.0,
        hue: float = 0.0,
    ) -> None:
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
        self.hue = hue
        self._jitter = v2.ColorJitter(
            brightness=brightness, contrast=contrast, saturation=saturation, hue=hue
        )

    def __call__(self, results: dict[str, Any]) -> dict[str, Any]:
        set_image(results, self._jitter(get_image(results)))
        return results


class RandomGrayscale(BaseTransform):
    """With probability ``gray_prob``, replace the image by its luma (ITU-R 601), keeping the channels."""

    def __init__(self, gray_prob: float = 0.1) -> None:
        if not 0 <= gray_prob <= 1:
            raise ValueError(f"gray_prob must be in [0, 1], got {gray_prob}")
        self.gray_prob = gray_prob

    def __call__(self, results: dict[str, Any]) -> dict[str, Any]:
        if rand() < self.gray_prob:
            img = get_image(results)
            if img.shape[0] == 3:
                set_image(results, F.rgb_to_grayscale(img, num_output_channels=3))
        return results


class Lighting(BaseTransform):
    """AlexNet-style PCA lighting noise: add ``eigvec @ (alpha * eigval)`` to every pixel.

    ``alpha`` is drawn per image from N(0, ``alphastd``); ``eigval`` (3,) and ``eigvec`` (3, 3, one
    eigenvector per column) are in RGB order on the 0-255 scale, as MMClassification's configs give
    them. The output is float32 and not clipped (as MMCV's ``adjust_lighting``); put it just before
    ``Normalize``. ``to_rgb`` follows :class:`Normalize`'s colour rule: images are always RGB
    already, so it never swaps channels.
    """

    def __init__(
        self,
        eigval: Sequence[float],
        eigvec: Sequence[Sequence[float]],
        alphastd: float = 0.1,
        to_rgb: bool = True,
    ) -> None:
        values = torch.tensor(eigval, dtype=torch.float32)
        vectors = torch.tensor(eigvec, dtype=torch.float32)
        if values.ndim != 1 or vectors.shape != (3, values.shape[0]):
            raise ValueError(
                f"eigval must be (n,) and eigvec (3, n); got {tuple(values.shape)}, {tuple(vectors.shape)}"
            )
        self.eigval = [float(v) for v in eigval]
        self.eigvec = [[float(v) for v in row] for row in eigvec]
        self.alphastd = float(alphastd)
        self.to_rgb = bool(to_rgb)
        self._eigval = values
        self._eigvec = vectors

    def __call__(self, results: dict[str, Any]) -> dict[str, Any]:
        img = get_image(results)
        if img.shape[0] != 3:
            raise ValueError(f"Lighting needs a 3-channel image, got {img.shape[0]} channels")
        alpha = torch.normal(0.0, self.alphastd, size=self._eigval.shape) if self.alphastd > 0 else 0.0
        shift = self._eigvec @ (alpha * self._eigval)
        set_image(results, img.to(torch.float32) + shift.view(3, 1, 1))
        return results
