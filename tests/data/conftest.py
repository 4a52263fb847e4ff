"""Shared helpers for the data tests: tiny real image files written on the fly.

Helpers reach the tests through the ``kit`` fixture (no imports between test folders).
"""

from __future__ import annotations

import copy
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from PIL import Image

SEED_NORM = {"mean": [123.675, 116.28, 103.53], "std": [58.395, 57.12, 57.375], "to_rgb": True}
SEED_TRAIN_PIPELINE = [
    {"type": "LoadImageFromFile"},
    {"type": "RandomResizedCrop", "size": 224},
    {"type": "RandomFlip", "flip_prob": 0.5, "direction": "horizontal"},
    {"type": "Normalize", **SEED_NORM},
    {"type": "ImageToTensor", "keys": ["img"]},
    {"type": "ToTensor", "keys": ["gt_label"]},
    {"type": "Collect", "keys": ["img", "gt_label"]},
]
SEED_TEST_PIPELINE = [
    {"type": "LoadImageFromFile"},
    {"type": "Resize", "size": [256, -1]},
    {"type": "CenterCrop", "crop_size": 224},
    {"type": "Normalize", **SEED_NORM},
    {"type": "ImageToTensor", "keys": ["img"]},
    {"type": "Collect", "keys": ["img"]},
]


def photo(height: int, width: int, seed: int = 0) -> np.ndarray:
    """A smooth random RGB uint8 image (compresses like a photo, unlike white noise)."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, size=(4, 4, 3), dtype=np.uint8)
    return np.array(Image.fromarray(small).resize((width, height), Image.BILINEAR))


def write_image(path: Path, height: int = 40, width: int = 60, seed: int = 0, **save: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(photo(height, width, seed)).save(path, **save)
    return path


def make_tree(root: Path, layout: dict[str, list[str]], size: tuple[int, int] = (40, 60)) -> Path:
    """``root/<class>/<file>`` images for ``{class: [file names]}``."""
    for seed, (cls, names) in enumerate(layout.items()):
        for i, name in enumerate(names):
            write_image(root / cls / name, *size, seed=seed * 100 + i)
    return root


def chw(height: int, width: int, channels: int = 3, seed: int = 0) -> torch.Tensor:
    """A random uint8 (C, H, W) tensor."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (channels, height, width), dtype=torch.uint8, generator=generator)


@pytest.fixture
def kit() -> SimpleNamespace:
    """Helpers and the seed's pipelines (deep copies, so a test may edit them)."""
    return SimpleNamespace(
        photo=photo,
        write_image=write_image,
        make_tree=make_tree,
        chw=chw,
        seed_norm=copy.deepcopy(SEED_NORM),
        seed_train_pipeline=copy.deepcopy(SEED_TRAIN_PIPELINE),
        seed_test_pipeline=copy.deepcopy(SEED_TEST_PIPELINE),
    )


@pytest.fixture
def sample():
    """A sample dict factory: ``sample(h, w)`` holds a random RGB uint8 image."""

    def make(height: int = 32, width: int = 48, channels: int = 3, seed: int = 0) -> dict:
        img = chw(height, width, channels, seed)
        shape = (height, width, channels)
        return {"img": img, "gt_label": 1, "filename": "x", "ori_shape": shape, "img_shape": shape}

    return make


@pytest.fixture
def decode_reductions(monkeypatch) -> list[int]:
    """The ``reduce`` of every decode from here on: of a whole image, or of a crop alone where
    :mod:`clscore.data.region_decode` decoded it."""
    from clscore.data.image_io import EncodedImage

    reductions: list[int] = []
    decode, decode_region = EncodedImage.decode, EncodedImage.decode_region

    def spy(self, reduce=1):
        reductions.append(reduce)
        return decode(self, reduce)

    def spy_region(self, *box, reduce=1):
        region = decode_region(self, *box, reduce=reduce)
        if region is not None:
            reductions.append(reduce)
        return region

    monkeypatch.setattr(EncodedImage, "decode", spy)
    monkeypatch.setattr(EncodedImage, "decode_region", spy_region)
    return reductions
