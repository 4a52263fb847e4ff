"""LoadImageFromFile: paths, meta keys, float option, in-memory pass-through, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from clscore.data.transforms.loading import LoadImageFromFile
from clscore.errors import DataError


def test_loads_prefix_and_relative_name(tmp_path, kit):
    kit.write_image(tmp_path / "cat" / "a.png", 30, 40)
    out = LoadImageFromFile()(
        {"img_prefix": str(tmp_path), "img_info": {"filename": "cat/a.png"}, "gt_label": 0}
    )
    assert out["img"].shape == (3, 30, 40) and out["img"].dtype == torch.uint8
    assert out["filename"] == str(tmp_path / "cat" / "a.png") and out["ori_filename"] == "cat/a.png"
    assert out["ori_shape"] == out["img_shape"] == (30, 40, 3)


def test_filename_without_prefix_float_and_grayscale(tmp_path, kit):
    path = kit.write_image(tmp_path / "a.png", 6, 7)
    out = LoadImageFromFile(to_float32=True)({"filename": str(path)})
    assert out["img"].dtype == torch.float32 and out["img"].max() > 1
    gray = LoadImageFromFile(color_type="grayscale")({"filename": str(path)})
    assert gray["img"].shape == (1, 6, 7) and gray["img_shape"] == (6, 7, 1)


def test_in_memory_samples_pass_through():
    img = torch.full((3, 4, 4), 9, dtype=torch.uint8)
    out = LoadImageFromFile()({"img": img, "filename": "digits/val/00001"})
    assert out["img"] is img and out["img_shape"] == (4, 4, 3)
    assert LoadImageFromFile(color_type="grayscale")({"img": img})["img"].shape == (1, 4, 4)


def test_missing_file_names_it(tmp_path):
    with pytest.raises(DataError, match=r"not found: .*cat/missing\.jpg"):
        LoadImageFromFile()({"img_prefix": str(tmp_path), "img_info": {"filename": "cat/missing.jpg"}})


def test_file_client_args_is_accepted_and_ignored(tmp_path, kit):
    path = kit.write_image(tmp_path / "a.jpg", 5, 5)
    out = LoadImageFromFile(file_client_args={"backend": "disk"})({"filename": str(path)})
    assert np.prod(out["img"].shape) == 75
