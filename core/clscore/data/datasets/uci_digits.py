"""The embedded digits as a dataset: the default that lets the demo and the tests run anywhere."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import torch
from torchvision.transforms.v2 import functional as F

from clscore.data.datasets.digits_source import load_digits, split_indices
from clscore.data.datasets.in_memory import InMemoryDataset
from clscore.data.transforms._common import interpolation_mode


class Digits(InMemoryDataset):
    """UCI handwritten digits (1,797 real 8x8 scans, CC BY 4.0), embedded in clscore.

    ``split``: ``train`` (1,442 samples) or ``val`` (355; ``test`` is the same set); when left out,
    ``val`` in ``test_mode`` and ``train`` otherwise. The split is fixed: within each class, every 5th
    sample in file order is val (see :mod:`clscore.data.datasets.digits_source`).

    Images: the 0-16 scan scaled to 0-255 (``round(v * 255 / 16)``), resized from 8x8 to
    ``img_size`` x ``img_size`` with ``interpolation`` (bilinear, antialiased when shrinking, or
    nearest for crisp blocks), replicated to RGB: ``uint8`` ``(3, img_size, img_size)``, white strokes
    on black. Classes ``"0"`` .. ``"9"``.
    """

    NAME = "digits"

    def __init__(
        self,
        split: Literal["train", "val", "test"] | None = None,
        img_size: int = 32,
        interpolation: Literal["bilinear", "nearest"] = "bilinear",
        pipeline: Sequence[dict] | None = None,
        classes: str | Sequence[str] | None = None,
        test_mode: bool = False,
    ) -> None:
        if split is None:
            split = "val" if test_mode else "train"
        if split not in ("train", "val", "test"):
            raise ValueError(f"split must be train, val or test, got {split!r}")
        if isinstance(img_size, bool) or not isinstance(img_size, int) or img_size < 1:
            raise ValueError(f"img_size must be a positive int, got {img_size!r}")
        if interpolation not in ("bilinear", "nearest"):
            raise ValueError(f"interpolation must be 'bilinear' or 'nearest', got {interpolation!r}")
        self.img_size = img_size
        self.interpolation = interpolation
        super().__init__(split, pipeline=pipeline, classes=classes, test_mode=test_mode)

    def load_arrays(self) -> tuple[torch.Tensor, np.ndarray, list[str]]:
        scans, labels = load_digits()
        rows = split_indices(labels, self.split)
        scaled = (scans[rows].astype(np.int64) * 255 + 8) // 16
        images = torch.from_numpy(scaled.astype(np.uint8)).unsqueeze(1)
        if self.img_size != 8:
            images = F.resize(
                images,
                [self.img_size, self.img_size],
                interpolation=interpolation_mode(self.interpolation),
                antialias=True,
            )
        return images.contiguous(), labels[rows].copy(), [str(i) for i in range(10)]
