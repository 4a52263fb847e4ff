"""Decoding: every colour mode to RGB uint8, EXIF orientation, and refusing broken or hostile files."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from clscore.data.image_io import decode_image, pil_to_tensor, read_image
from clscore.errors import DataError


def test_jpeg_and_png_decode_to_rgb_uint8_chw(tmp_path, kit):
    png = kit.write_image(tmp_path / "a.png", 30, 50)
    jpg = kit.write_image(tmp_path / "a.jpg", 30, 50, quality=95)
    expected = torch.from_numpy(kit.photo(30, 50)).permute(2, 0, 1)
    for path, tolerance in ((png, 0), (jpg, 12)):
        img = read_image(path)
        assert img.dtype == torch.uint8 and img.shape == (3, 30, 50) and img.is_contiguous()
        assert (img.int() - expected.int()).abs().float().mean() <= tolerance


def test_channel_order_is_rgb(tmp_path):
    Image.new("RGB", (4, 3), (255, 0, 0)).save(tmp_path / "red.png")
    img = read_image(tmp_path / "red.png")
    assert img[:, 0, 0].tolist() == [255, 0, 0]


def test_grayscale_and_bilevel_are_replicated(tmp_path):
    Image.new("L", (5, 4), 77).save(tmp_path / "gray.png")
    Image.new("1", (5, 4), 1).save(tmp_path / "bw.png")
    assert read_image(tmp_path / "gray.png").unique().tolist() == [77]
    bw = read_image(tmp_path / "bw.png")
    assert bw.shape == (3, 4, 5) and bw.unique().tolist() == [255]


def test_color_type_grayscale_gives_one_channel(tmp_path, kit):
    path = kit.write_image(tmp_path / "a.png", 10, 12)
    img = read_image(path, color_type="grayscale")
    assert img.shape == (1, 10, 12) and img.dtype == torch.uint8


def test_palette_with_transparency_composites_on_black(tmp_path):
    image = Image.new("P", (4, 2), 0)
    image.putpalette([255, 0, 0, 0, 255, 0] + [0, 0, 0] * 254)
    image.putpixel((1, 0), 1)
    image.info["transparency"] = 1
    image.save(tmp_path / "p.png", transparency=1)
    img = read_image(tmp_path / "p.png")
    assert img[:, 0, 0].tolist() == [255, 0, 0]  # opaque red stays red
    assert img[:, 0, 1].tolist() == [0, 0, 0]  # transparent green becomes black


def test_rgba_and_la_composite_on_black(tmp_path):
    rgba = np.zeros((2, 3, 4), dtype=np.uint8)
    rgba[0, 0] = (200, 100, 50, 128)
    rgba[0, 1] = (10, 20, 30, 255)
    rgba[0, 2] = (250, 250, 250, 0)
    Image.fromarray(rgba, "RGBA").save(tmp_path / "rgba.png")
    img = read_image(tmp_path / "rgba.png")
    expected = np.round(rgba[..., :3].astype(float) * rgba[..., 3:] / 255).astype(np.uint8)
    assert np.array_equal(img.permute(1, 2, 0).numpy(), expected)
    la = np.array([[[200, 255], [200, 0]]], dtype=np.uint8)
    Image.fromarray(la, "LA").save(tmp_path / "la.png")
    assert read_image(tmp_path / "la.png")[:, 0].T.tolist() == [[200, 200, 200], [0, 0, 0]]


@pytest.mark.parametrize(("suffix", "tolerance"), [(".tif", 0), (".jpg", 40)])
def test_cmyk_becomes_rgb(tmp_path, suffix, tolerance):
    path = tmp_path / f"cmyk{suffix}"
    Image.new("CMYK", (8, 8), (0, 255, 255, 0)).save(path)  # pure red in CMYK
    img = read_image(path).int()
    assert img.shape == (3, 8, 8)
    assert (img[0] >= 255 - tolerance).all() and (img[1:] <= tolerance).all()


def test_16_bit_ramp_scales_to_8_bit(tmp_path):
    ramp = np.arange(65536, dtype=np.uint16).reshape(256, 256)
    Image.fromarray(ramp).save(tmp_path / "ramp16.png")
    img = read_image(tmp_path / "ramp16.png")
    assert img.dtype == torch.uint8 and img.shape == (3, 256, 256)
    assert abs(img.float().mean().item() - 127.5) < 1.0
    assert img.min().item() == 0 and img.max().item() == 255


def test_32_bit_int_and_float_modes():
    as_int = Image.fromarray(np.array([[0, 65535, 70000, -5]], dtype=np.int32), mode="I")
    assert pil_to_tensor(as_int)[0, 0].tolist() == [0, 255, 255, 0]
    as_float = Image.fromarray(np.array([[0.0, 0.5, 1.0]], dtype=np.float32), mode="F")
    assert pil_to_tensor(as_float)[0, 0].tolist() == [0, 128, 255]


def test_exif_orientation_is_applied(tmp_path, kit):
    pixels = kit.photo(40, 60)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    Image.fromarray(pixels).save(tmp_path / "rot.jpg", exif=exif, quality=95)
    img = read_image(tmp_path / "rot.jpg")
    assert img.shape == (3, 60, 40)
    rotated = torch.from_numpy(np.ascontiguousarray(np.rot90(pixels, k=-1))).permute(2, 0, 1)
    assert (img.int() - rotated.int()).abs().float().mean() < 12
    assert read_image(tmp_path / "rot.jpg", exif_orientation=False).shape == (3, 40, 60)


def test_truncated_file_names_the_file(tmp_path, kit):
    path = kit.write_image(tmp_path / "cut.jpg", 64, 64, quality=95)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(DataError, match=r"cut\.jpg.*(truncated|corrupt)"):
        read_image(path)


@pytest.mark.parametrize(("content", "pattern"), [(b"", "empty"), (b"not an image at all", "not an image")])
def test_non_image_and_empty_files(tmp_path, content, pattern):
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(DataError, match=pattern) as info:
        read_image(path)
    assert str(path) in str(info.value)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(DataError, match=r"not found: .*nope\.jpg"):
        read_image(tmp_path / "nope.jpg")
    with pytest.raises(DataError, match="folder"):
        read_image(tmp_path)


@pytest.mark.parametrize("side", [40, 100])  # 1.6x the limit (a warning in PIL) and 10x (an error)
def test_decompression_bombs_are_refused(tmp_path, monkeypatch, side):
    Image.new("RGB", (side, side)).save(tmp_path / "bomb.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(DataError, match=r"decompression bomb: .*bomb\.png"):
        read_image(tmp_path / "bomb.png")


def test_decode_bytes_uses_name_in_errors():
    with pytest.raises(DataError, match=r"upload\.jpg"):
        decode_image(b"garbage", name="upload.jpg")
