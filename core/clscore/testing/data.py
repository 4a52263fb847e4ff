"""``TinyDataset``: a handful of in-memory images, so a plugin's test can train without any file."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from clscore.data.datasets.in_memory import InMemoryDataset


class TinyDataset(InMemoryDataset):
    """``num_samples`` random RGB ``uint8`` images of ``size``, labels cycling through ``num_classes``.

    Each class has its own mean brightness, so a model can learn something in a few steps. The
    images are made from ``seed``, identical on every call; samples carry the keys every clscore
    dataset gives (``img`` ``(3, H, W)`` uint8, ``gt_label``, ``filename``, ``ori_shape``,
    ``img_shape``) and go through ``pipeline`` like any dataset's.
    """

    NAME = "tiny"

    def __init__(
        self,
        pipeline: Sequence[dict] | None = None,
        num_samples: int = 8,
        num_classes: int = 2,
        size: int | Sequence[int] = 32,
        seed: int = 0,
        test_mode: bool = False,
    ) -> None:
        if num_samples <= 0 or num_classes <= 0:
            raise ValueError(
                f"num_samples and num_classes must be positive, got {num_samples}, {num_classes}"
            )
        self.num_samples = num_samples
        self.num_classes = num_classes
        self.size = (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))
        self.seed = seed
        super().__init__("val" if test_mode else "train", pipeline=pipeline, test_mode=test_mode)

    def load_arrays(self) -> tuple[torch.Tensor, np.ndarray, list[str]]:
        labels = np.arange(self.num_samples, dtype=np.int64) % self.num_classes
        generator = torch.Generator().manual_seed(self.seed)
        noise = torch.randint(-40, 41, (self.num_samples, 3, *self.size), generator=generator)
        level = torch.from_numpy((labels + 1) * 255 // (self.num_classes + 1))
        images = (level.view(-1, 1, 1, 1) + noise).clamp(0, 255).to(torch.uint8)
        return images, labels, [f"class_{i}" for i in range(self.num_classes)]
