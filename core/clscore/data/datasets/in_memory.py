"""Datasets held in memory as one ``uint8`` tensor (CIFAR, MNIST, Digits)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from clscore.data.datasets.base import BaseDataset
from clscore.data.transforms._common import hwc


class InMemoryDataset(BaseDataset):
    """Samples come with ``img`` already decoded: an RGB ``uint8`` ``(3, H, W)`` tensor.

    Subclasses implement :meth:`load_arrays`; one-channel data is replicated to three channels, so
    the same pipelines (and ``Normalize`` with three means) work as for photos. Filenames are
    ``<name>/<split>/<index>``, e.g. ``digits/val/00012``.
    """

    #: Short name used in the samples' ``filename``.
    NAME = "dataset"

    def __init__(
        self,
        split: str,
        pipeline: Sequence[dict] | None = None,
        classes: str | Sequence[str] | None = None,
        test_mode: bool = False,
    ) -> None:
        self.split = split
        self.images = torch.empty(0, 3, 1, 1, dtype=torch.uint8)
        super().__init__(pipeline=pipeline, classes=classes, test_mode=test_mode)

    def load_arrays(self) -> tuple[torch.Tensor, np.ndarray, list[str]]:
        """``(images (N, C, H, W) uint8 with C 1 or 3, labels (N,), default class names)``."""
        raise NotImplementedError

    def load(self, classes: list[str] | None) -> tuple[np.ndarray, list[str]]:
        images, labels, default_classes = self.load_arrays()
        self.images = images
        return labels, default_classes

    def get_sample(self, index: int) -> dict[str, Any]:
        img = self.images[index]
        img = img.repeat(3, 1, 1) if img.shape[0] == 1 else img.clone()
        if index < 0:
            index += len(self)
        name = f"{self.NAME}/{self.split}/{index:05d}"
        return {
            "img": img,
            "gt_label": np.int64(self.gt_labels[index]),
            "filename": name,
            "ori_filename": name,
            "ori_shape": hwc(img),
            "img_shape": hwc(img),
        }

    def describe(self) -> str:
        return f"{type(self).__name__}({self.split})"


class LocalSplitDataset(InMemoryDataset):
    """A standard dataset read from files in ``data_prefix``: the test split if ``test_mode``, else train."""

    def __init__(
        self,
        data_prefix: str,
        pipeline: Sequence[dict] | None = None,
        classes: str | Sequence[str] | None = None,
        test_mode: bool = False,
    ) -> None:
        self.data_prefix = os.fspath(data_prefix)
        super().__init__(
            "test" if test_mode else "train", pipeline=pipeline, classes=classes, test_mode=test_mode
        )
