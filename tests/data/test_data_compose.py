"""Compose: pipelines from config dicts (through the registry) and callables."""

from __future__ import annotations

import pickle

import pytest
import torch
from PIL import Image

from clscore.data.compose import Compose
from clscore.errors import ComponentError
from clscore.plugins import build


def test_builds_configs_through_the_registry_and_runs_in_order():
    calls = []

    def mark(results):
        calls.append(results["img"].shape)
        return results

    pipe = Compose([{"type": "Resize", "size": 4}, mark, {"type": "CenterCrop", "crop_size": 2}])
    out = pipe({"img": torch.zeros(3, 10, 20, dtype=torch.uint8)})
    assert calls == [(3, 4, 4)] and out["img"].shape == (3, 2, 2)
    assert len(pipe) == 3 and "Resize" in repr(pipe)


def test_empty_pipeline_is_identity_and_none_drops_the_sample():
    sample = {"img": torch.zeros(1)}
    assert Compose(None)(sample) is sample
    assert Compose([lambda r: None, pytest.fail])(sample) is None


def test_bad_entries_are_reported():
    with pytest.raises(ComponentError, match="unknown transform 'RandomFlipp'; did you mean 'RandomFlip'"):
        Compose([{"type": "RandomFlipp"}])
    with pytest.raises(TypeError, match="entry 1"):
        Compose([{"type": "RandomFlip"}, 42])
    with pytest.raises(TypeError, match="list of transform configs"):
        Compose({"type": "RandomFlip"})


def test_compose_is_a_registered_transform():
    pipe = build("transform", {"type": "Compose", "transforms": [{"type": "RandomFlip", "flip_prob": 1.0}]})
    img = torch.arange(4, dtype=torch.uint8).view(1, 1, 4)
    assert pipe({"img": img})["img"].flatten().tolist() == [3, 2, 1, 0]


def _big_jpeg(tmp_path, kit, height=600, width=800):
    path = tmp_path / "big.jpg"
    Image.fromarray(kit.photo(height, width)).save(path, quality=95)
    return str(path)


@pytest.mark.parametrize(
    ("resize", "reduce"),
    [
        ({"type": "Resize", "size": [64, -1]}, 8),  # 600 / 8 = 75 >= 64
        ({"type": "Resize", "size": [100, -1]}, 4),
        ({"type": "Resize", "size": [300, -1]}, 2),
        ({"type": "Resize", "size": [301, -1]}, 1),
    ],
)
def test_loader_and_resize_decode_a_jpeg_as_small_as_the_output_allows(
    tmp_path, kit, decode_reductions, resize, reduce
):
    path = _big_jpeg(tmp_path, kit)
    reductions = decode_reductions
    out = Compose([{"type": "LoadImageFromFile"}, resize])({"filename": path})
    assert reductions == [reduce]
    full = Compose([{"type": "LoadImageFromFile", "reduced_decode": False}, resize])({"filename": path})
    assert reductions == [reduce, 1]
    assert out["img"].shape == full["img"].shape and out["ori_shape"] == full["ori_shape"] == (600, 800, 3)
    assert out["img_shape"] == full["img_shape"] and out["filename"] == path
    assert (out["img"].float() - full["img"].float()).abs().mean() < 3  # smooth photo: same picture


def test_fused_random_resized_crop_draws_the_same_boxes_and_flips(tmp_path, kit, decode_reductions):
    path = _big_jpeg(tmp_path, kit)
    train = [{"type": "LoadImageFromFile"}, {"type": "RandomResizedCrop", "size": 32}, {"type": "RandomFlip"}]
    fused, plain = Compose(train), Compose([*train[:1], lambda r: r, *train[1:]])  # a no-op splits them
    reductions = decode_reductions
    for seed in range(6):
        torch.manual_seed(seed)
        a = fused({"filename": path})
        torch.manual_seed(seed)
        b = plain({"filename": path})
        assert a["flip"] == b["flip"] and a["img"].shape == b["img"].shape == (3, 32, 32)
        assert (a["img"].float() - b["img"].float()).abs().mean() < 6  # the same crop, decoded smaller
    assert max(reductions[::2]) > 1 and set(reductions[1::2]) == {1}


def test_in_memory_samples_and_edited_pipelines_still_work(kit):
    pipe = Compose([{"type": "LoadImageFromFile"}, {"type": "Resize", "size": 4}])
    out = pipe({"img": kit.chw(10, 20)})
    assert out["img"].shape == (3, 4, 4)
    pipe.transforms.append(build("transform", {"type": "CenterCrop", "crop_size": 2}))
    assert pipe({"img": kit.chw(10, 20)})["img"].shape == (3, 2, 2)
    assert pickle.loads(pickle.dumps(pipe))({"img": kit.chw(10, 20)})["img"].shape == (3, 2, 2)
