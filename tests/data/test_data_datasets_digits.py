"""The embedded UCI digits: counts, the fixed split, image format."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from clscore.data.datasets.digits_source import TRAIN_SIZE, VAL_SIZE, load_digits, split_indices
from clscore.data.datasets.uci_digits import Digits
from clscore.plugins import build


def test_sizes_classes_and_split():
    train, val = Digits(split="train"), Digits(split="val")
    assert len(train) == TRAIN_SIZE == 1442 and len(val) == VAL_SIZE == 355
    assert len(train) + len(val) == 1797
    assert train.classes == val.classes == [str(i) for i in range(10)]
    assert np.bincount(val.gt_labels).tolist() == [35, 36, 35, 36, 36, 36, 36, 35, 34, 36]
    assert np.bincount(train.gt_labels).tolist() == [143, 146, 142, 147, 145, 146, 145, 144, 140, 144]


def test_split_rule_every_fifth_of_each_class_is_val():
    _, labels = load_digits()
    val = split_indices(labels, "val")
    train = split_indices(labels, "train")
    assert not set(val) & set(train) and len(set(val) | set(train)) == 1797
    zeros = np.flatnonzero(labels == 0)
    assert set(zeros[4::5]) == set(val) & set(zeros)
    assert np.array_equal(split_indices(labels, "test"), val)
    with pytest.raises(ValueError):
        split_indices(labels, "holdout")


def test_images_are_rgb_uint8_at_img_size():
    ds = Digits(split="val", img_size=24)
    sample = ds[12]
    assert sample["img"].dtype == torch.uint8 and sample["img"].shape == (3, 24, 24)
    assert torch.equal(sample["img"][0], sample["img"][2])
    assert sample["filename"] == "digits/val/00012" and sample["ori_shape"] == (24, 24, 3)
    assert isinstance(sample["gt_label"], np.int64) and sample["gt_label"] == ds.gt_labels[12]


def test_native_size_is_the_scan_scaled_to_255():
    scans, labels = load_digits()
    ds = Digits(split="train", img_size=8)
    first = split_indices(labels, "train")[0]
    expected = np.round(scans[first].astype(float) * 255 / 16 + 1e-9).astype(np.uint8)
    assert np.array_equal(ds[0]["img"][0].numpy(), expected)
    assert ds[0]["img"].max() <= 255 and int(scans.max()) == 16


def test_nearest_gives_blocks_and_test_mode_defaults_to_val():
    ds = Digits(split="train", img_size=32, interpolation="nearest")
    img = ds[0]["img"][0]
    assert torch.equal(img, img[::4, ::4].repeat_interleave(4, 0).repeat_interleave(4, 1))
    assert len(build("dataset", {"type": "Digits", "test_mode": True})) == 355
    assert len(build("dataset", {"type": "Digits", "split": "test"})) == 355
    assert len(Digits()) == 1442


def test_digits_demo_pipeline_collates():
    pipeline = [
        {"type": "RandomCrop", "size": 32, "padding": 2},
        {"type": "Normalize", "mean": [33.0, 33.0, 33.0], "std": [70.0, 70.0, 70.0], "to_rgb": False},
        {"type": "ToTensor", "keys": ["gt_label"]},
        {"type": "Collect", "keys": ["img", "gt_label"]},
    ]
    ds = build("dataset", {"type": "Digits", "split": "train", "pipeline": pipeline})
    batch = next(iter(torch.utils.data.DataLoader(ds, batch_size=8)))
    assert batch["img"].shape == (8, 3, 32, 32) and batch["img"].dtype == torch.float32
    assert batch["gt_label"].tolist() == ds.gt_labels[:8].tolist()
    assert batch["img_metas"]["filename"][3] == "digits/train/00003"
