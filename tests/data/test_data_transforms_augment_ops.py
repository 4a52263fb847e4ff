"""The policy ops, each against values worked out by hand or from the defining formula."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image, ImageOps

from clscore.data.transforms import augment_geometric_ops
from clscore.data.transforms.augment_geometric_ops import Cutout, Rotate, Shear, Translate
from clscore.data.transforms.augment_ops import (
    AutoContrast,
    Brightness,
    ColorTransform,
    Contrast,
    Equalize,
    Invert,
    Posterize,
    Sharpness,
    Solarize,
    SolarizeAdd,
)
from clscore.errors import ComponentError
from clscore.plugins import build, get_host

OPS = {
    "AutoContrast": {},
    "Equalize": {},
    "Invert": {},
    "Posterize": {"bits": 4},
    "Solarize": {"thr": 128},
    "SolarizeAdd": {"magnitude": 50},
    "Brightness": {"magnitude": 0.5},
    "Contrast": {"magnitude": 0.5},
    "ColorTransform": {"magnitude": 0.5},
    "Sharpness": {"magnitude": 0.5},
    "Rotate": {"angle": 30.0},
    "Shear": {"magnitude": 0.3},
    "Translate": {"magnitude": 0.3},
    "Cutout": {"shape": 4},
}


def run(op, img: torch.Tensor) -> torch.Tensor:
    return op({"img": img.clone()})["img"]


def image(h: int = 6, w: int = 7, seed: int = 0) -> torch.Tensor:
    return torch.from_numpy(np.random.default_rng(seed).integers(0, 256, (3, h, w), dtype=np.uint8))


def ramp(h: int, w: int) -> torch.Tensor:
    """Distinct values per pixel, the same in every channel."""
    return (torch.arange(h * w, dtype=torch.uint8) + 1).view(1, h, w).repeat(3, 1, 1)


def gray(values) -> torch.Tensor:
    t = torch.tensor(values, dtype=torch.uint8)
    return t.view(1, *t.shape).repeat(3, 1, 1)


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_is_registered_with_a_summary_and_prob_zero_changes_nothing(name):
    component = get_host().registry("transform").get(name)
    assert component.summary
    img = image(9, 11)
    assert torch.equal(run(build("transform", {"type": name, **OPS[name], "prob": 0.0}), img), img)
    out = build("transform", {"type": name, **OPS[name], "prob": 1.0})({"img": image(9, 11)})
    assert out["img"].dtype == torch.uint8 and out["img_shape"] == (9, 11, 3)


@pytest.mark.parametrize("name", sorted(OPS))
def test_ops_refuse_float_images_and_bad_probabilities(name):
    with pytest.raises(ValueError, match="before Normalize"):
        build("transform", {"type": name, **OPS[name], "prob": 1.0})({"img": image().float()})
    with pytest.raises(ComponentError, match=r"prob must be a number in \[0, 1\]"):
        build("transform", {"type": name, **OPS[name], "prob": 1.5})


def test_prob_is_the_chance_of_applying():
    torch.manual_seed(0)
    op = Invert(prob=0.3)
    img = image()
    applied = sum(not torch.equal(run(op, img), img) for _ in range(400))
    assert 90 < applied < 150


def test_invert_posterize_solarize_follow_their_formulas():
    img = image(5, 8)
    x = img.numpy().astype(int)
    assert np.array_equal(run(Invert(prob=1), img).numpy(), 255 - x)
    assert np.array_equal(run(Posterize(bits=4, prob=1), img).numpy(), x & 0b11110000)
    assert np.array_equal(run(Posterize(bits=2.3, prob=1), img).numpy(), x & 0b11100000)  # bits round up
    assert not run(Posterize(bits=0, prob=1), img).any()
    with pytest.raises(ValueError, match="at most 8"):
        Posterize(bits=9)
    assert np.array_equal(run(Solarize(thr=128, prob=1), img).numpy(), np.where(x < 128, x, 255 - x))
    assert torch.equal(run(Solarize(thr=256, prob=1), img), img)
    assert np.array_equal(run(Solarize(thr=0, prob=1), img).numpy(), 255 - x)


def test_solarize_add_adds_below_the_threshold_and_clips():
    img = gray([[0, 100, 127, 128, 250]])
    assert run(SolarizeAdd(magnitude=37.5, prob=1), img)[0].tolist() == [[37, 137, 164, 128, 250]]
    assert run(SolarizeAdd(magnitude=200, thr=256, prob=1), img)[0].tolist() == [[200, 255, 255, 255, 255]]


def test_autocontrast_stretches_each_channel_and_keeps_flat_ones():
    img = torch.stack(
        [torch.tensor([[0, 10, 20]]), torch.tensor([[100, 100, 100]]), torch.tensor([[5, 6, 7]])]
    )
    out = run(AutoContrast(prob=1), img.to(torch.uint8))
    assert out[0].tolist() == [[0, 127, 255]]  # 10 * 255 / 20 = 127.5, truncated
    assert out[1].tolist() == [[100, 100, 100]]
    assert out[2].tolist() == [[0, 127, 255]]
    x = image(6, 9).numpy().astype(np.float64)
    low, high = x.min(axis=(1, 2), keepdims=True), x.max(axis=(1, 2), keepdims=True)
    scale = 255.0 / (high - low)
    expected = np.floor(np.clip(x * scale - low * scale, 0, 255))
    assert np.array_equal(run(AutoContrast(prob=1), image(6, 9)).numpy(), expected)


def test_equalize_matches_pil():
    for seed, (h, w) in enumerate([(16, 16), (5, 31), (40, 3)]):
        img = image(h, w, seed) // 3 + 40  # a narrow histogram, so equalising changes it
        pil = np.asarray(ImageOps.equalize(Image.fromarray(img.permute(1, 2, 0).numpy())))
        out = run(Equalize(prob=1), img).permute(1, 2, 0).numpy()
        assert np.abs(out.astype(int) - pil).max() <= 1


def test_brightness_scales_by_one_plus_magnitude_with_a_random_sign():
    img = gray([[0, 10, 100, 200]])
    assert run(Brightness(0.5, prob=1, random_negative_prob=0), img)[0].tolist() == [[0, 15, 150, 255]]
    assert run(Brightness(0.5, prob=1, random_negative_prob=1), img)[0].tolist() == [[0, 5, 50, 100]]
    torch.manual_seed(0)
    outs = {tuple(run(Brightness(0.5, prob=1), img)[0, 0].tolist()) for _ in range(30)}
    assert outs == {(0, 15, 150, 255), (0, 5, 50, 100)}


def test_contrast_blends_with_the_mean_grey_level():
    img = gray([[0, 100, 200, 40]])  # mean 85
    # 1.5 x - 0.5 * 85, truncated and clipped
    assert run(Contrast(0.5, prob=1, random_negative_prob=0), img)[0].tolist() == [[0, 107, 255, 17]]
    # 0.5 x + 0.5 * 85
    assert run(Contrast(0.5, prob=1, random_negative_prob=1), img)[0].tolist() == [[42, 92, 142, 62]]


def test_color_transform_blends_with_the_luma_and_rounds():
    pixel = torch.tensor([200, 100, 50], dtype=torch.uint8).view(
        3, 1, 1
    )  # luma 0.299 R + 0.587 G + 0.114 B = 124.2
    more = run(ColorTransform(0.5, prob=1, random_negative_prob=0), pixel).flatten().tolist()
    assert more == [round(1.5 * 200 - 0.5 * 124), round(1.5 * 100 - 0.5 * 124), round(1.5 * 50 - 0.5 * 124)]
    less = run(ColorTransform(0.5, prob=1, random_negative_prob=1), pixel).flatten().tolist()
    assert less == [162, 112, 87]
    grey = gray([[3, 90, 255]])
    assert torch.equal(run(ColorTransform(0.9, prob=1), grey), grey)
    assert not run(ColorTransform(1.0, prob=1, random_negative_prob=1), pixel).flatten().tolist().count(200)


def test_sharpness_blends_with_the_smoothed_image_borders_mirrored():
    spike = gray([[0, 0, 0], [0, 130, 0], [0, 0, 0]])
    # PIL's SMOOTH kernel (1 1 1 / 1 5 1 / 1 1 1) / 13 with reflect-101 borders: the centre sees the
    # spike with weight 5, an edge pixel twice and a corner four times (its mirrored neighbours).
    smoothed = [[40, 20, 40], [20, 50, 20], [40, 20, 40]]
    assert run(Sharpness(1.0, prob=1, random_negative_prob=1), spike)[0].tolist() == smoothed  # factor 0
    sharper = run(Sharpness(1.0, prob=1, random_negative_prob=0), spike)[0].tolist()  # 2 x - smoothed
    assert sharper == [[0, 0, 0], [0, 210, 0], [0, 0, 0]]
    # A flat image is its own smoothing; float32 blending (as OpenCV's) may truncate it one level down.
    flat = torch.full((3, 4, 5), 77, dtype=torch.uint8)
    for negative in (0, 1):
        out = run(Sharpness(0.9, prob=1, random_negative_prob=negative), flat)
        assert out.unique().tolist() in ([77], [76])


def test_shear_moves_rows_by_magnitude_times_y():
    img = ramp(4, 6)
    pad = 9
    for direction in ("horizontal", "vertical"):
        for interpolation in ("nearest", "bilinear", "bicubic"):
            op = Shear(
                1.0,
                pad_val=pad,
                prob=1,
                direction=direction,
                random_negative_prob=0,
                interpolation=interpolation,
            )
            out = run(op, img)[0].numpy()
            x = img[0].numpy()
            for y in range(4):
                for col in range(6):
                    src = (y, col - y) if direction == "horizontal" else (y - col, col)
                    inside = 0 <= src[0] < 4 and 0 <= src[1] < 6
                    assert out[y, col] == (x[src] if inside else pad), (direction, interpolation, y, col)


def test_shear_negative_and_fractional_magnitudes():
    img = ramp(3, 5)
    out = run(Shear(1.0, pad_val=0, prob=1, random_negative_prob=1, interpolation="nearest"), img)[0]
    assert out[2].tolist() == [img[0, 2, 2].item(), img[0, 2, 3].item(), img[0, 2, 4].item(), 0, 0]
    # x' = x + 0.5 y: row 1 samples x - 0.5, which rounds half up to x (OpenCV's nearest)
    half = run(Shear(0.5, pad_val=0, prob=1, random_negative_prob=0, interpolation="nearest"), img)[0]
    assert torch.equal(half[1], img[0, 1])


def test_translate_moves_by_a_fraction_of_the_size():
    img = ramp(4, 8)
    out = run(Translate(0.25, pad_val=7, prob=1, random_negative_prob=0), img)[0]  # 0.25 * 8 = 2 pixels right
    assert out[:, :2].eq(7).all() and torch.equal(out[:, 2:], img[0, :, :6])
    out = run(Translate(0.25, pad_val=7, prob=1, direction="vertical", random_negative_prob=1), img)[0]
    assert out[3:].eq(7).all() and torch.equal(out[:3], img[0, 1:])  # 0.25 * 4 = 1 pixel up


def test_translate_half_a_pixel_blends_the_border_value_in():
    img = gray([[10, 20, 30, 40, 50, 60, 70, 80, 90, 100]])
    out = run(Translate(0.05, pad_val=200, prob=1, random_negative_prob=0, interpolation="bilinear"), img)
    # each output pixel is the mean of its source and left neighbour; the first one mixes in pad_val
    assert out[0, 0].tolist() == [105, 15, 25, 35, 45, 55, 65, 75, 85, 95]


def test_rotate_is_clockwise_about_the_centre():
    img = ramp(5, 5)
    x = img[0].numpy()
    clockwise = run(Rotate(90.0, prob=1, random_negative_prob=0), img)[0].numpy()
    assert np.array_equal(clockwise, np.rot90(x, k=-1))
    anti = run(Rotate(90.0, prob=1, random_negative_prob=1), img)[0].numpy()
    assert np.array_equal(anti, np.rot90(x, k=1))
    assert np.array_equal(run(Rotate(180.0, prob=1, interpolation="bicubic"), img)[0].numpy(), x[::-1, ::-1])


def test_rotate_scale_and_centre():
    img = ramp(6, 6)
    # zoom x2 about the top-left pixel: output (x, y) samples (x / 2, y / 2), halves rounding up
    out = run(Rotate(0.0, center=(0, 0), scale=2.0, prob=1), img)[0]
    expected = [[img[0, (y + 1) // 2, (c + 1) // 2].item() for c in range(6)] for y in range(6)]
    assert out.tolist() == expected
    corners = run(Rotate(45.0, pad_val=(1, 2, 3), prob=1), torch.full((3, 9, 9), 50, dtype=torch.uint8))
    assert corners[:, 0, 0].tolist() == [1, 2, 3] and corners[:, 4, 4].tolist() == [50, 50, 50]


def test_warp_parameters_are_checked():
    with pytest.raises(ValueError, match="direction"):
        Shear(0.1, direction="diagonal")
    with pytest.raises(ValueError, match="interpolation"):
        Translate(0.1, interpolation="lanczos")
    with pytest.raises(ValueError, match="center"):
        Rotate(10.0, center=(1, 2, 3))
    with pytest.raises(ValueError, match="pad_val"):
        run(Rotate(10.0, pad_val=(1, 2), prob=1), image())


def test_cutout_fills_a_box_around_the_drawn_centre(monkeypatch):
    draws = iter([3.7, 5.2])
    monkeypatch.setattr(augment_geometric_ops, "uniform", lambda low, high: next(draws))
    img = image(6, 9)
    out = run(Cutout((2, 4), pad_val=(1, 2, 3), prob=1), img)
    # top = int(3.7 - 1) = 2, left = int(5.2 - 2) = 3
    expected = img.clone()
    expected[:, 2:4, 3:7] = torch.tensor([1, 2, 3], dtype=torch.uint8).view(3, 1, 1)
    assert torch.equal(out, expected)


def test_cutout_box_is_clipped_and_centre_stays_inside():
    torch.manual_seed(0)
    for _ in range(50):
        out = run(Cutout(5.9, pad_val=0, prob=1), torch.full((3, 7, 4), 9, dtype=torch.uint8))
        zeros = (out == 0).all(0).nonzero()
        rows, cols = zeros[:, 0], zeros[:, 1]
        assert 0 < len(zeros) <= 25 and rows.max() - rows.min() < 5 and cols.max() - cols.min() < 5
    with pytest.raises(ValueError, match="shape"):
        Cutout("big")
