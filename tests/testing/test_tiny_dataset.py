from __future__ import annotations

import pytest
import torch

from clscore.testing import isolated_host, use_host
from clscore.testing.data import TinyDataset


def test_samples_follow_the_dataset_contract():
    dataset = TinyDataset(num_samples=6, num_classes=3, size=(8, 12))
    assert len(dataset) == 6 and dataset.classes == ["class_0", "class_1", "class_2"]
    sample = dataset[4]
    assert sample["img"].dtype == torch.uint8 and sample["img"].shape == (3, 8, 12)
    assert int(sample["gt_label"]) == 1
    assert sample["ori_shape"] == sample["img_shape"] == (8, 12, 3)
    assert sample["filename"] == "tiny/train/00004"


def test_images_are_deterministic_and_classes_differ_in_brightness():
    a, b = TinyDataset(num_samples=4, seed=3), TinyDataset(num_samples=4, seed=3)
    assert torch.equal(a.images, b.images)
    assert not torch.equal(a.images, TinyDataset(num_samples=4, seed=4).images)
    means = [a[i]["img"].float().mean().item() for i in range(2)]
    assert means[1] > means[0] + 50


def test_pipeline_is_applied():
    with use_host(isolated_host()):
        dataset = TinyDataset(
            pipeline=[
                {"type": "Normalize", "mean": [0, 0, 0], "std": [255, 255, 255]},
                {"type": "Collect", "keys": ["img"]},
            ]
        )
        sample = dataset[0]
    assert set(sample) == {"img", "img_metas"}
    assert sample["img"].dtype == torch.float32 and float(sample["img"].max()) <= 1.0


def test_bad_sizes_are_rejected():
    with pytest.raises(ValueError, match="must be positive"):
        TinyDataset(num_samples=0)
