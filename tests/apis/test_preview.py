"""Pipeline previews undo Normalize so users see their images."""

from __future__ import annotations

import numpy as np
import torch

from clscore.apis.preview import normalize_params, preview_samples, to_picture

NORM = {"type": "Normalize", "mean": [123.675, 116.28, 103.53], "std": [58.395, 57.12, 57.375]}


def test_normalize_is_undone():
    from clscore.plugins import build

    img = torch.randint(0, 256, (3, 5, 7), dtype=torch.uint8)
    normed = build("transform", NORM)({"img": img})["img"]
    picture = to_picture(normed, normalize_params([{"type": "LoadImageFromFile"}, NORM]))
    assert picture.shape == (5, 7, 3) and picture.dtype == np.uint8
    assert np.array_equal(picture, img.permute(1, 2, 0).numpy())


def test_to_bgr_and_gray():
    from clscore.plugins import build

    img = torch.randint(0, 256, (3, 4, 4), dtype=torch.uint8)
    bgr = {**NORM, "to_bgr": True}
    normed = build("transform", bgr)({"img": img})["img"]
    assert np.array_equal(to_picture(normed, normalize_params([bgr])), img.permute(1, 2, 0).numpy())
    assert to_picture(torch.full((1, 2, 2), 300.0), None).tolist() == [[[255] * 3] * 2] * 2


def test_preview_samples_are_reproducible(trained):
    from clscore.config import Config

    cfg = Config.fromfile(trained.config)
    pictures, labels = preview_samples(cfg, "train", n=4, seed=1)
    again, _ = preview_samples(cfg, "train", n=4, seed=1)
    assert len(pictures) == 4 and pictures[0].shape == (32, 32, 3)
    assert all(np.array_equal(a, b) for a, b in zip(pictures, again))
    assert all(label.split(": ")[1] in [str(i) for i in range(10)] for label in labels)
