"""How the test pipeline is fitted to inference inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from clscore.apis.pipeline import (
    InferencePipeline,
    LoaderSettings,
    image_to_tensor,
    innermost_dataset,
    memory_image_size,
    model_input_size,
    split_dataset_cfg,
    strip_labels,
)
from clscore.errors import ConfigError, DataError

NORM = {"type": "Normalize", "mean": [127.5] * 3, "std": [127.5] * 3}
FORMAT = [
    {"type": "ImageToTensor", "keys": ["img"]},
    {"type": "ToTensor", "keys": ["gt_label"]},
    {"type": "Collect", "keys": ["img", "gt_label"]},
]
SEED_TEST = [
    {"type": "LoadImageFromFile"},
    {"type": "Resize", "size": [256, -1]},
    {"type": "CenterCrop", "crop_size": 224},
    NORM,
    *FORMAT,
]


def test_strip_labels_removes_label_keys_and_empty_transforms():
    assert strip_labels(FORMAT) == [
        {"type": "ImageToTensor", "keys": ["img"]},
        {"type": "Collect", "keys": ["img"]},
    ]


def test_file_dataset_keeps_its_loader_and_memory_inputs_skip_it():
    pipe = InferencePipeline(SEED_TEST, memory_size=None)
    assert [t["type"] for t in pipe.file_steps] == [
        "LoadImageFromFile",
        "Resize",
        "CenterCrop",
        "Normalize",
        "ImageToTensor",
        "Collect",
    ]
    assert [t["type"] for t in pipe.memory_steps] == [
        "Resize",
        "CenterCrop",
        "Normalize",
        "ImageToTensor",
        "Collect",
    ]
    out = pipe(np.full((300, 400, 3), 200, np.uint8))
    assert out["img"].shape == (3, 224, 224) and out["img"].dtype == torch.float32
    assert set(out) == {"img", "img_metas"}


def test_in_memory_dataset_gets_loader_and_resize_in_front():
    cfg = {"data": {"test": {"type": "Digits", "img_size": 16, "pipeline": [NORM, *FORMAT]}}}
    pipe = InferencePipeline.from_config(cfg)
    assert pipe.memory_size == (16, 16)
    assert [t["type"] for t in pipe.file_steps] == [
        "LoadImageFromFile",
        "Resize",
        "Normalize",
        "ImageToTensor",
        "Collect",
    ]
    assert [t["type"] for t in pipe.memory_steps] == ["Resize", "Normalize", "ImageToTensor", "Collect"]
    assert pipe(torch.zeros(3, 40, 30, dtype=torch.uint8))["img"].shape == (3, 16, 16)


def test_png_and_array_give_the_same_tensor(tmp_path):
    rng = np.random.default_rng(0)
    array = rng.integers(0, 256, (20, 24, 3), dtype=np.uint8)
    Image.fromarray(array).save(tmp_path / "x.png")
    pipe = InferencePipeline([{"type": "LoadImageFromFile"}, {"type": "Resize", "size": 12}, NORM], None)
    torch.testing.assert_close(pipe(str(tmp_path / "x.png"))["img"], pipe(array)["img"], atol=0, rtol=0)


def test_memory_image_size():
    assert memory_image_size({"type": "Digits"}) == (32, 32)  # the default img_size
    assert memory_image_size({"type": "Digits", "img_size": 8}) == (8, 8)
    assert memory_image_size({"type": "CustomDataset", "data_prefix": "x"}) is None


def test_wrappers_and_split_fallback():
    inner = {"type": "Digits", "pipeline": [NORM]}
    assert innermost_dataset({"type": "RepeatDataset", "times": 2, "dataset": inner}) == inner
    assert innermost_dataset({"type": "ConcatDataset", "datasets": [inner, {"type": "X"}]}) == inner
    assert split_dataset_cfg({"data": {"val": inner}})[0] == "val"
    with pytest.raises(ConfigError, match=r"data\.test or data\.val"):
        split_dataset_cfg({"data": {"train": inner}})


def test_model_input_size():
    assert model_input_size({"data": {"test": {"type": "ImageNet", "pipeline": SEED_TEST}}}) == (224, 224)
    keep_aspect = [{"type": "LoadImageFromFile"}, {"type": "Resize", "size": [256, -1]}, NORM]
    assert model_input_size({"data": {"test": {"type": "ImageNet", "pipeline": keep_aspect}}}) is None
    assert model_input_size({"data": {"val": {"type": "Digits", "img_size": 16, "pipeline": [NORM]}}}) == (
        16,
        16,
    )


def test_image_to_tensor_conversions():
    gray = np.arange(12, dtype=np.uint8).reshape(3, 4)
    out = image_to_tensor(gray)
    assert out.shape == (3, 3, 4) and out.dtype == torch.uint8 and torch.equal(out[0], out[2])
    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[..., 0], rgba[..., 3] = 255, 0
    assert int(image_to_tensor(rgba).max()) == 0  # fully transparent red composites to black
    assert image_to_tensor(Image.new("L", (5, 4)), LoaderSettings(color_type="grayscale")).shape == (1, 4, 5)
    assert image_to_tensor(torch.ones(1, 2, 2)).tolist() == [[[255.0, 255.0]] * 2] * 3  # 0-1 float scaled
    assert (
        image_to_tensor(torch.zeros(3, 2, 2, dtype=torch.uint8), LoaderSettings(to_float32=True)).dtype
        == torch.float32
    )
    with pytest.raises(DataError, match="uint8 or floating point"):
        image_to_tensor(torch.zeros(3, 2, 2, dtype=torch.int32))
    with pytest.raises(DataError, match="C 1, 3 or 4"):
        image_to_tensor(np.zeros((4, 4, 2), np.uint8))
