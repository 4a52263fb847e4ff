"""Reduced-size decoding leaves the augmentation statistics as torchvision's: crop boxes and flips."""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image
from torchvision import transforms as T

from clscore.data.compose import Compose
from clscore.data.transforms.geometric import RandomResizedCrop

SEEDS = 400


def _ks_statistic(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sample Kolmogorov-Smirnov distance between the empirical distributions of ``a`` and ``b``."""
    grid = np.sort(np.concatenate([a, b]))
    cdf_a = np.searchsorted(np.sort(a), grid, side="right") / len(a)
    cdf_b = np.searchsorted(np.sort(b), grid, side="right") / len(b)
    return float(np.abs(cdf_a - cdf_b).max())


def test_crop_boxes_and_flips_match_torchvision_on_the_same_seeds(
    tmp_path, kit, monkeypatch, decode_reductions
):
    height, width = 150, 200
    path = tmp_path / "photo.jpg"
    Image.fromarray(kit.photo(height, width)).save(path, quality=90)
    boxes = []
    crop_box = RandomResizedCrop.crop_box

    def record_box(self, h, w):
        assert (h, w) == (height, width)  # drawn at full resolution even when decoding smaller
        boxes.append(crop_box(self, h, w))
        return boxes[-1]

    monkeypatch.setattr(RandomResizedCrop, "crop_box", record_box)
    reductions = decode_reductions
    pipeline = Compose(
        [{"type": "LoadImageFromFile"}, {"type": "RandomResizedCrop", "size": 16}, {"type": "RandomFlip"}]
    )
    ours_flips, theirs_boxes, theirs_flips = [], [], []
    reference = torch.empty(3, height, width)
    for seed in range(SEEDS):
        torch.manual_seed(seed)
        ours_flips.append(pipeline({"filename": str(path)})["flip"])
        torch.manual_seed(seed)  # torchvision's RandomResizedCrop, then RandomHorizontalFlip's draw
        theirs_boxes.append(T.RandomResizedCrop.get_params(reference, [0.08, 1.0], [3 / 4, 4 / 3]))
        theirs_flips.append(bool(torch.rand(1) < 0.5))
    assert set(reductions) == {2, 4, 8}  # the reduced decodes really ran (crops of 49-150 px to 16)
    ours, theirs = np.array(boxes, dtype=float), np.array(theirs_boxes, dtype=float)
    same = (ours == theirs).all(axis=1)
    assert same.mean() >= 0.97  # the same draws; a few differ by float32/float64 rounding of log(ratio)
    assert np.mean(np.array(ours_flips) == np.array(theirs_flips)) >= 0.97
    for column in (lambda b: b[:, 2] * b[:, 3] / (height * width), lambda b: b[:, 3] / b[:, 2]):
        assert _ks_statistic(column(ours), column(theirs)) < 0.05  # areas, then aspect ratios
    assert abs(np.mean(ours_flips) - 0.5) < 0.1
