"""Normalize's colour rule, jitter, grayscale and lighting."""

from __future__ import annotations

import pytest
import torch

from clscore.data.compose import Compose
from clscore.data.transforms.colour import ColorJitter, Lighting, Normalize, RandomGrayscale

MEAN = [123.675, 116.28, 103.53]
STD = [58.395, 57.12, 57.375]
ODD_SHAPES = [(1, 1), (3, 2000), (2000, 3), (75, 100)]
EIGVAL = [55.4625, 4.7940, 1.1475]
EIGVEC = [[-0.5836, -0.6948, 0.4203], [-0.5808, -0.0045, -0.8140], [-0.5675, 0.7192, 0.4009]]


def test_normalize_values_and_meta():
    img = torch.tensor([255, 0, 128], dtype=torch.uint8).view(3, 1, 1)
    out = Normalize(MEAN, STD)({"img": img})
    expected = [(255 - 123.675) / 58.395, (0 - 116.28) / 57.12, (128 - 103.53) / 57.375]
    assert out["img"].dtype == torch.float32
    assert out["img"].flatten().tolist() == pytest.approx(expected, rel=1e-6)
    assert out["img_norm_cfg"] == {"mean": MEAN, "std": STD, "to_rgb": True}
    assert out["img_shape"] == (1, 1, 3)


def test_normalize_gives_the_same_bits_for_uint8_and_float_input():
    """uint8 images take a fused cast-and-subtract; it must equal casting first (the float route, and
    the engine's batched step on the device), bit for bit, and leave the input alone."""
    img = torch.randint(0, 256, (3, 37, 29), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    original = img.clone()
    step = Normalize(MEAN, STD)
    fused = step({"img": img})["img"]
    assert fused.dtype == torch.float32 and torch.equal(img, original)
    assert torch.equal(fused, step({"img": img.float()})["img"])
    channels_last = img.permute(1, 2, 0).contiguous().permute(2, 0, 1)
    assert torch.equal(step({"img": channels_last})["img"], fused)


def test_normalize_gives_the_same_bits_for_a_channels_last_view():
    hwc = torch.randint(0, 256, (9, 11, 3), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    view, plain = hwc.permute(2, 0, 1), hwc.permute(2, 0, 1).contiguous()
    step = Normalize([123.675, 116.28, 103.53], [58.395, 57.12, 57.375])
    out = step({"img": view})["img"]
    assert out.is_contiguous() and out.dtype == torch.float32
    assert torch.equal(out, step({"img": plain})["img"])
    assert torch.equal(out, (plain.float() - step._mean) / step._std)


def test_seed_and_cifar_colour_configs_give_identical_rgb_input(sample):
    """The seed writes to_rgb: true (for MMCV's BGR decoder), MMCls's CIFAR config to_rgb: false
    (for RGB arrays); both meant "the model gets RGB", so both give the same RGB-normalised tensor."""
    s = sample(8, 9)
    seed_cfg = Compose([{"type": "Normalize", "mean": MEAN, "std": STD, "to_rgb": True}])
    cifar_cfg = Compose([{"type": "Normalize", "mean": MEAN, "std": STD, "to_rgb": False}])
    a, b = seed_cfg(dict(s))["img"], cifar_cfg(dict(s))["img"]
    assert torch.equal(a, b)
    red_first = (s["img"][0].float() - MEAN[0]) / STD[0]
    assert torch.allclose(a[0], red_first)  # channel 0 is red, normalised with the red mean


def test_to_bgr_reverses_channels_after_normalising(sample):
    s = sample(5, 5)
    rgb = Normalize(MEAN, STD)(dict(s))["img"]
    bgr = Normalize(MEAN, STD, to_bgr=True)(dict(s))["img"]
    assert torch.equal(bgr, rgb.flip(0))


def test_normalize_checks_channels_and_std():
    with pytest.raises(ValueError, match="2 mean/std values but the image has 3"):
        Normalize([1, 2], [1, 1])({"img": torch.zeros(3, 2, 2, dtype=torch.uint8)})
    with pytest.raises(ValueError):
        Normalize([1, 2, 3], [1, 0, 1])
    out = Normalize([10.0], [2.0])({"img": torch.full((1, 2, 2), 20, dtype=torch.uint8)})
    assert out["img"].unique().tolist() == [5.0]


@pytest.mark.parametrize(("h", "w"), ODD_SHAPES)
def test_colour_transforms_take_odd_inputs(sample, h, w):
    torch.manual_seed(0)
    for transform in (
        ColorJitter(0.4, 0.4, 0.4, 0.1),
        RandomGrayscale(1.0),
        Normalize(MEAN, STD),
        Lighting(EIGVAL, EIGVEC),
    ):
        out = transform(sample(h, w))
        assert out["img"].shape == (3, h, w), transform


def test_color_jitter_is_reproducible_and_keeps_uint8(sample):
    jitter = ColorJitter(brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1)
    torch.manual_seed(7)
    a = jitter(sample(16, 16))["img"]
    torch.manual_seed(7)
    b = jitter(sample(16, 16))["img"]
    assert a.dtype == torch.uint8 and torch.equal(a, b)
    assert not torch.equal(a, sample(16, 16)["img"])
    assert torch.equal(ColorJitter()(sample(6, 6))["img"], sample(6, 6)["img"])  # all zero: identity


def test_random_grayscale_uses_luma_and_keeps_three_channels():
    img = torch.tensor([255, 0, 0], dtype=torch.uint8).view(3, 1, 1).repeat(1, 2, 2)
    out = RandomGrayscale(1.0)({"img": img})["img"]
    assert out.shape == (3, 2, 2) and out.unique().tolist() == [76]  # 0.299 * 255
    assert RandomGrayscale(0.0)({"img": img})["img"] is img


def test_lighting_adds_the_pca_shift():
    img = torch.zeros(3, 2, 2, dtype=torch.uint8)
    assert torch.equal(Lighting(EIGVAL, EIGVEC, alphastd=0.0)({"img": img})["img"], img.float())
    torch.manual_seed(0)
    out = Lighting(EIGVAL, EIGVEC, alphastd=0.1)({"img": img})["img"]
    torch.manual_seed(0)
    alpha = torch.normal(0.0, 0.1, size=(3,))
    shift = torch.tensor(EIGVEC) @ (alpha * torch.tensor(EIGVAL))
    assert out.dtype == torch.float32
    assert torch.allclose(out[:, 0, 0], shift) and torch.allclose(out[:, 1, 1], shift)
    with pytest.raises(ValueError):
        Lighting([1.0, 2.0], EIGVEC)
