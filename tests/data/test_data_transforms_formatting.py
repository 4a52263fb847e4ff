"""ImageToTensor, ToTensor and Collect: what the default collate needs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils.data import default_collate

from clscore.data.transforms.formatting import Collect, ImageToTensor, ToTensor, to_tensor
from clscore.errors import DataError


def test_to_tensor_labels_are_0d_int64():
    for label in (3, np.int64(3), np.array(3)):
        t = to_tensor(label)
        assert t.shape == () and t.dtype == torch.int64 and int(t) == 3
    assert to_tensor(0.5).dtype == torch.float32
    assert to_tensor([1, 2]).tolist() == [1, 2]
    with pytest.raises(TypeError):
        to_tensor("cat")
    with pytest.raises(DataError, match="'gt_label'"):
        ToTensor(["gt_label"])({"img": torch.zeros(1)})


def test_image_to_tensor_keeps_tensors_and_converts_arrays():
    img = torch.zeros(3, 4, 5, dtype=torch.uint8)
    assert ImageToTensor(["img"])({"img": img})["img"] is img
    out = ImageToTensor(["img"])({"img": np.zeros((4, 5, 3), dtype=np.uint8)})
    assert out["img"].shape == (3, 4, 5) and out["img"].dtype == torch.uint8 and out["img_shape"] == (4, 5, 3)
    assert ImageToTensor(["img"])({"img": np.zeros((4, 5), dtype=np.float32)})["img"].shape == (1, 4, 5)


def test_collect_keeps_keys_and_present_meta():
    results = {"img": torch.zeros(3, 2, 2), "gt_label": torch.tensor(1), "filename": "a.jpg", "extra": 1}
    out = Collect(["img", "gt_label"])(results)
    assert set(out) == {"img", "gt_label", "img_metas"}
    assert out["img_metas"] == {"filename": "a.jpg"}
    assert Collect(["img"], meta_keys=[])(results)["img_metas"] == {}
    with pytest.raises(DataError, match="'gt_label'"):
        Collect(["img", "gt_label"])({"img": torch.zeros(1)})


def test_collected_samples_collate_to_batches():
    samples = []
    for i in range(4):
        s = {
            "img": torch.rand(3, 8, 8),
            "gt_label": i % 2,
            "filename": f"{i}.jpg",
            "ori_shape": (10, 12, 3),
            "flip": bool(i % 2),
            "img_norm_cfg": {"mean": [1.0, 2.0, 3.0], "std": [1.0, 1.0, 1.0], "to_rgb": True},
        }
        samples.append(Collect(["img", "gt_label"])(ToTensor(["gt_label"])(s)))
    batch = default_collate(samples)
    assert batch["img"].shape == (4, 3, 8, 8)
    assert batch["gt_label"].dtype == torch.int64 and batch["gt_label"].tolist() == [0, 1, 0, 1]
    assert batch["img_metas"]["filename"] == ["0.jpg", "1.jpg", "2.jpg", "3.jpg"]
