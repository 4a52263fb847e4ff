"""Crops, resizes and flips: sizes, MMClassification semantics, odd inputs, reproducibility."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from clscore.data.transforms.geometric import CenterCrop, RandomCrop, RandomFlip, RandomResizedCrop, Resize
from clscore.errors import ComponentError
from clscore.plugins import build

ODD_SHAPES = [(1, 1), (3, 2000), (2000, 3), (2, 5), (375, 500)]


@pytest.mark.parametrize(("h", "w"), ODD_SHAPES)
@pytest.mark.parametrize("channels", [3, 1])
def test_every_geometric_transform_takes_odd_inputs(sample, h, w, channels):
    torch.manual_seed(0)
    cases = [
        (RandomResizedCrop(224), (224, 224)),
        (RandomResizedCrop((20, 30), interpolation="bicubic"), (20, 30)),
        (Resize((16, -1)), None),
        (Resize(24), (24, 24)),
        (CenterCrop(224), (224, 224)),
        (RandomCrop(32, padding=4), (32, 32)),
        (RandomCrop(32, padding=4, padding_mode="reflect", pad_if_needed=True), (32, 32)),
        (RandomFlip(1.0), (h, w)),
        (RandomFlip(1.0, direction="vertical"), (h, w)),
    ]
    for transform, size in cases:
        out = transform(sample(h, w, channels))
        img = out["img"]
        assert img.dtype == torch.uint8 and img.shape[0] == channels, transform
        if size is not None:
            assert tuple(img.shape[1:]) == size, transform
        assert out["img_shape"] == (img.shape[1], img.shape[2], channels)


def test_random_resized_crop_box_is_inside_and_reproducible():
    rrc = RandomResizedCrop(224)
    torch.manual_seed(3)
    boxes = [rrc.crop_box(375, 500) for _ in range(200)]
    for top, left, h, w in boxes:
        assert top >= 0 and top + h <= 375 and left >= 0 and left + w <= 500
        assert 0.08 * 375 * 500 * 0.9 <= h * w <= 375 * 500
        assert 3 / 4 * 0.9 <= w / h <= 4 / 3 * 1.1
    torch.manual_seed(3)
    assert [rrc.crop_box(375, 500) for _ in range(200)] == boxes


def test_random_resized_crop_fallback_is_a_central_crop_with_clamped_ratio():
    rrc = RandomResizedCrop(8, max_attempts=0)
    assert rrc.crop_box(3, 2000) == (0, 998, 3, 4)  # too wide: height kept, width = round(3 * 4/3)
    assert rrc.crop_box(2000, 3) == (998, 0, 4, 3)
    assert rrc.crop_box(100, 100) == (0, 0, 100, 100)
    assert rrc.crop_box(1, 1) == (0, 0, 1, 1)


def test_random_resized_crop_full_scale_keeps_content(sample):
    s = sample(16, 16)
    rrc = RandomResizedCrop(16, scale=(1.0, 1.0), ratio=(1.0, 1.0))
    assert torch.equal(rrc(dict(s))["img"], s["img"])


def test_random_resized_crop_rejects_unsupported_options():
    with pytest.raises(ComponentError, match="efficientnet_style"):
        build("transform", {"type": "RandomResizedCrop", "size": 224, "efficientnet_style": True})
    with pytest.raises(ComponentError, match="interpolation 'lanczos'"):
        build("transform", {"type": "RandomResizedCrop", "size": 224, "interpolation": "lanczos"})
    with pytest.raises(ComponentError, match="scale"):
        build("transform", {"type": "RandomResizedCrop", "size": 224, "scale": [1.0, 0.5]})
    build("transform", {"type": "RandomResizedCrop", "size": 224, "backend": "pillow"})  # accepted, ignored


@pytest.mark.parametrize(
    ("size", "side", "shape", "expected"),
    [
        (224, "short", (375, 500), (224, 224)),  # an int is a square, as in MMClassification
        ((256, -1), "short", (375, 500), (256, 341)),  # int(256 * 500 / 375) = 341
        ((256, -1), "short", (500, 375), (341, 256)),
        ((256, -1), "long", (375, 500), (192, 256)),
        ((256, -1), "height", (500, 375), (256, 192)),
        ((256, -1), "width", (375, 500), (192, 256)),
        ((-1, 100), "short", (50, 200), (25, 100)),
        ((10, 20), "short", (375, 500), (10, 20)),
        ((256, -1), "short", (3, 2000), (256, 170666)),
        ((8, -1), "short", (1, 1), (8, 8)),
        ((4, -1), "long", (3, 2000), (1, 4)),  # never below 1 pixel
    ],
)
def test_resize_target_sizes(size, side, shape, expected):
    assert Resize(size, adaptive_side=side).target_size(*shape) == expected


@pytest.mark.parametrize("interpolation", ["bilinear", "bicubic", "area", "nearest"])
@pytest.mark.parametrize("backend", ["cv2", "pillow"])
@pytest.mark.parametrize("channels", [3, 1])
def test_uint8_resizes_are_torchvisions_pixel_for_pixel(interpolation, backend, channels):
    """The channels-last fast path is the same op as torchvision's resize, whatever the input layout."""
    from torchvision.transforms.v2 import functional as F

    from clscore.data.transforms._common import Resizer

    generator = torch.Generator().manual_seed(0)
    hwc = torch.randint(0, 256, (60, 80, channels), dtype=torch.uint8, generator=generator)
    resizer = Resizer(interpolation, backend)
    for img in (hwc.permute(2, 0, 1), hwc.permute(2, 0, 1).contiguous()):
        for box, size in (
            ((3, 5, 40, 50), (224, 224)),
            ((0, 0, 60, 80), (17, 23)),
            ((10, 1, 9, 70), (32, 32)),
        ):
            top, left, h, w = box
            expected = F.resize(
                img[:, top : top + h, left : left + w].contiguous(), list(size),
                interpolation=resizer.mode, antialias=resizer.antialias,
            )  # fmt: skip
            out = resizer.crop(img, box, size)
            assert out.dtype == torch.uint8 and torch.equal(out, expected), (box, size)


@pytest.mark.parametrize("interpolation", ["bilinear", "bicubic"])
@pytest.mark.parametrize("box", [(0, 0, 60, 80), (3, 5, 40, 50)])
def test_uint8_resizes_of_decoded_images_stay_channels_last(interpolation, box):
    """A decoded image (a ``(C, H, W)`` view of ``(H, W, C)`` memory) and crops of it resize into
    ``(H, W, C)`` memory: the kernel then writes its output directly, instead of packing it pixel by
    pixel into channels-first memory (which cost about a third of the resize)."""
    from clscore.data.transforms._common import Resizer

    decoded = torch.randint(0, 256, (60, 80, 3), dtype=torch.uint8).permute(2, 0, 1)
    out = Resizer(interpolation).crop(decoded, box, (24, 32))
    assert out.shape == (3, 24, 32) and out.permute(1, 2, 0).is_contiguous()


def test_resize_skips_images_already_at_size(sample):
    s = sample(256, 300)
    assert Resize((256, -1))(dict(s))["img"] is s["img"]


def test_resize_pillow_backend_shrinks_like_pil_antialiased_bilinear(kit):
    pixels = kit.photo(375, 500)
    expected = torch.from_numpy(np.array(Image.fromarray(pixels).resize((341, 256), Image.BILINEAR)))
    img = torch.from_numpy(pixels).permute(2, 0, 1).contiguous()
    out = Resize((256, -1), backend="pillow")({"img": img})["img"].permute(1, 2, 0)
    assert (out.int() - expected.int()).abs().max() <= 1
    step = torch.tensor([[[0, 0, 255, 255], [0, 0, 255, 255]]], dtype=torch.uint8).repeat(3, 1, 1)
    assert Resize((1, 2), backend="pillow")({"img": step})["img"][0].tolist() == [[36, 219]]  # PIL's


@pytest.mark.parametrize(
    ("row", "width", "expected"),
    [  # OpenCV INTER_LINEAR: sample at x = (i + 0.5) * in / out - 0.5, no antialiasing
        ([0, 0, 255, 255], 2, [0, 255]),  # x = 0.5, 2.5
        ([0, 90, 180], 2, [23, 158]),  # x = 0.25, 1.75: 22.5 and 157.5, rounded half up
        ([0, 30, 60, 90, 120, 150, 180, 210], 3, [25, 105, 185]),  # x = 0.83, 3.5, 6.17
    ],
)
def test_resize_cv2_backend_is_bilinear_without_antialiasing(row, width, expected):
    img = torch.tensor([row, row], dtype=torch.uint8).expand(3, -1, -1).contiguous()
    for resize in (Resize((2, width)), Resize((2, width), backend="cv2"), Resize((2, width), backend=None)):
        assert resize({"img": img})["img"][0].tolist() == [expected, expected]


def test_seed_test_resize_matches_unantialiased_interpolation_within_one_level(kit):
    """MMClassification's default test pipeline: Resize (256, -1) with cv2, CenterCrop 224, on 640x427."""
    img = kit.chw(427, 640, seed=3)  # texture, where antialiasing matters
    out = CenterCrop(224)(Resize((256, -1))({"img": img}))["img"]
    assert out.shape == (3, 224, 224)
    reference = torch.nn.functional.interpolate(
        img[None].double(), size=(256, 383), mode="bilinear", align_corners=False, antialias=False
    )[0]  # 383 = int(256 * 640 / 427); the crop starts at round((383 - 224) / 2) = 80 (79.5 -> 80)
    expected = reference[:, 16:240, 80:304].round()
    assert (out.double() - expected).abs().max() <= 1
    antialiased = CenterCrop(224)(Resize((256, -1), backend="pillow")({"img": img}))["img"]
    assert (antialiased.double() - expected).abs().mean() > 10  # the backends really differ


@pytest.mark.parametrize("transform", [Resize, RandomResizedCrop, CenterCrop])
def test_resizing_transforms_reject_unknown_backends(transform):
    with pytest.raises(ValueError, match="backend must be one of cv2, pillow"):
        transform(8, backend="opencv")


@pytest.mark.parametrize("bad", [0, (-1, -1), (0, 5), (-2, 10)])
def test_resize_rejects_bad_sizes(bad):
    with pytest.raises(ValueError):
        Resize(bad)


def test_center_crop_takes_the_centre_and_pads_small_images():
    img = torch.arange(36, dtype=torch.uint8).view(1, 6, 6).repeat(3, 1, 1)
    out = CenterCrop(2)({"img": img})["img"]
    assert out[0].tolist() == [[14, 15], [20, 21]]
    out = CenterCrop((2, 4))({"img": img})["img"]
    assert out[0].tolist() == [[13, 14, 15, 16], [19, 20, 21, 22]]
    small = CenterCrop(3)({"img": torch.full((3, 1, 1), 9, dtype=torch.uint8)})["img"]
    assert small[0].tolist() == [[0, 0, 0], [0, 9, 0], [0, 0, 0]]


def test_random_crop_with_padding_covers_all_offsets():
    img = torch.full((3, 32, 32), 200, dtype=torch.uint8)
    crop = RandomCrop(32, padding=4, pad_val=7)
    torch.manual_seed(0)
    seen = set()
    for _ in range(300):
        out = crop({"img": img})["img"]
        assert out.shape == (3, 32, 32)
        rows = (out[0] == 200).any(dim=1).nonzero()
        cols = (out[0] == 200).any(dim=0).nonzero()
        seen.add((int(rows.min()), int(cols.min())))
        assert set(out.unique().tolist()) <= {7, 200}
    assert {r for r, _ in seen} == set(range(5)) and {c for _, c in seen} == set(range(5))


def test_random_crop_padding_modes_and_per_channel_fill():
    img = torch.arange(16, dtype=torch.uint8).view(1, 4, 4).repeat(3, 1, 1)
    out = RandomCrop(6, padding=1, padding_mode="edge")({"img": img})["img"]
    assert out[0, 0].tolist() == [0, 0, 1, 2, 3, 3]
    out = RandomCrop(6, padding=(1, 1), pad_val=(1, 2, 3))({"img": img})["img"]
    assert out[:, 0, 0].tolist() == [1, 2, 3]
    grown = RandomCrop(6, pad_if_needed=True, padding_mode="reflect")(
        {"img": torch.ones(3, 1, 1, dtype=torch.uint8)}
    )
    assert grown["img"].shape == (3, 6, 6)


def test_random_flip_probability_and_meta(sample):
    s = sample(4, 6)
    out = RandomFlip(1.0)(dict(s))
    assert torch.equal(out["img"], s["img"].flip(-1)) and out["flip"] is True
    assert out["flip_direction"] == "horizontal"
    out = RandomFlip(1.0, direction="vertical")(dict(s))
    assert torch.equal(out["img"], s["img"].flip(-2))
    out = RandomFlip(0.0)(dict(s))
    assert out["img"] is s["img"] and out["flip"] is False
    torch.manual_seed(0)
    flips = [RandomFlip(0.5)(dict(s))["flip"] for _ in range(400)]
    assert 150 < sum(flips) < 250
    with pytest.raises(ValueError):
        RandomFlip(0.5, direction="diagonal")
