"""RandomErasing: MMClassification's one-draw rectangle, fills on uint8 and float images."""

from __future__ import annotations

import pytest
import torch

from clscore.data.transforms.erasing import RandomErasing


@pytest.mark.parametrize(("h", "w"), [(1, 1), (3, 2000), (2000, 3), (224, 224)])
@pytest.mark.parametrize("mode", ["const", "rand"])
def test_erasing_takes_odd_inputs(sample, h, w, mode):
    torch.manual_seed(0)
    out = RandomErasing(erase_prob=1.0, mode=mode)(sample(h, w))
    assert out["img"].shape == (3, h, w) and out["img"].dtype == torch.uint8


def test_probability_zero_changes_nothing(sample):
    s = sample(10, 10)
    assert RandomErasing(erase_prob=0.0)(dict(s))["img"] is s["img"]


def test_const_fill_is_one_rectangle_of_the_right_area():
    img = torch.zeros(3, 100, 100, dtype=torch.uint8)
    erase = RandomErasing(erase_prob=1.0, min_area_ratio=0.1, max_area_ratio=0.2, fill_color=(10, 20, 30))
    torch.manual_seed(1)
    for _ in range(20):
        out = erase({"img": img})["img"]
        mask = out[0] == 10
        rows, cols = mask.any(1).nonzero().flatten(), mask.any(0).nonzero().flatten()
        h, w = len(rows), len(cols)
        assert int(mask.sum()) == h * w  # a filled rectangle
        assert rows.tolist() == list(range(int(rows[0]), int(rows[0]) + h))
        assert 0.1 * 10000 * 0.7 <= h * w <= 0.2 * 10000 * 1.3 or h == 100 or w == 100
        assert torch.equal(out[:, mask], torch.tensor([[10], [20], [30]], dtype=torch.uint8).expand(3, h * w))
    assert img.sum() == 0  # the input is not modified in place


def test_rand_fills_uint8_uniform_and_float_normal():
    torch.manual_seed(0)
    out = RandomErasing(1.0, 1.0, 1.0, 1.0, mode="rand")({"img": torch.zeros(3, 64, 64, dtype=torch.uint8)})[
        "img"
    ]
    assert 100 < out.float().mean() < 155 and out.max() > 240  # uniform 0-255
    out = RandomErasing(1.0, 1.0, 1.0, 1.0, mode="rand")({"img": torch.zeros(3, 64, 64)})["img"]
    assert abs(out.mean()) < 0.1 and 0.9 < out.std() < 1.1  # standard normal after Normalize
    out = RandomErasing(1.0, 1.0, 1.0, 1.0, mode="rand", fill_color=(100, 100, 100), fill_std=(5, 5, 5))(
        {"img": torch.zeros(3, 64, 64, dtype=torch.uint8)}
    )["img"]
    assert 98 < out.float().mean() < 102 and 4 < out.float().std() < 6


def test_aspect_range_number_and_validation():
    assert RandomErasing(aspect_range=3.0).aspect_range == (1 / 3, 3.0)
    with pytest.raises(ValueError):
        RandomErasing(min_area_ratio=0.5, max_area_ratio=0.1)
    with pytest.raises(ValueError):
        RandomErasing(mode="noise")
