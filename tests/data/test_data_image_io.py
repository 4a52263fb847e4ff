"""Decoding: every colour mode to RGB uint8, EXIF orientation, and refusing broken or hostile files."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from PIL import Image, ImageOps

from clscore.data.image_io import decode_image, open_image, open_pil, pil_to_tensor, read_image
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
    with pytest.raises(DataError, match=r"not found: .*a\.png/b\.png"):  # a file where a folder should be
        (tmp_path / "a.png").write_bytes(b"x")
        read_image(tmp_path / "a.png" / "b.png")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    os.mkfifo(tmp_path / "pipe.png")
    with pytest.raises(DataError, match="special file"):
        read_image(tmp_path / "pipe.png")


def test_whole_file_is_read_whatever_its_size(tmp_path, kit):
    path = kit.write_image(tmp_path / "big.png", 600, 800)  # bigger than one read chunk
    data = path.read_bytes()
    assert len(data) > 1 << 16
    assert torch.equal(read_image(path), decode_image(data))


@pytest.mark.parametrize("change", [-100, -1, 1, 100])
def test_a_file_that_changed_size_since_fstat_is_read_to_its_end(tmp_path, kit, monkeypatch, change):
    from clscore.data import image_io

    path = kit.write_image(tmp_path / "a.png", 30, 40)
    real_fstat = os.fstat

    def fstat(fd):  # the size fstat saw differs from the file's by the time it is read
        info = list(real_fstat(fd))
        info[6] += change
        return os.stat_result(info)

    monkeypatch.setattr(image_io.os, "fstat", fstat)
    assert image_io._read_file(str(path)) == path.read_bytes()


@pytest.mark.parametrize("side", [40, 100])  # 1.6x the limit (a warning in PIL) and 10x (an error)
def test_decompression_bombs_are_refused(tmp_path, monkeypatch, side):
    Image.new("RGB", (side, side)).save(tmp_path / "bomb.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(DataError, match=r"decompression bomb: .*bomb\.png"):
        read_image(tmp_path / "bomb.png")


def test_decode_bytes_uses_name_in_errors():
    with pytest.raises(DataError, match=r"upload\.jpg"):
        decode_image(b"garbage", name="upload.jpg")


# -- the two JPEG routes -----------------------------------------------------------------------------
def _pil_route(path) -> torch.Tensor:
    return pil_to_tensor(open_pil(path.read_bytes(), name=str(path)))


@pytest.mark.parametrize(
    "save",
    [
        {"quality": 90},
        {"quality": 75, "subsampling": 0},  # 4:4:4
        {"quality": 95, "subsampling": 2, "progressive": True},
        {"quality": 50, "subsampling": 1},  # 4:2:2
    ],
)
def test_libjpeg_turbo_route_gives_the_pil_routes_pixels(tmp_path, kit, save):
    """Both routes run libjpeg-turbo's integer IDCT: measured identical here; allowed max 1, mean 0.01."""
    noisy = kit.photo(75, 101).astype(int) + np.random.default_rng(0).integers(-20, 21, (75, 101, 3))
    path = tmp_path / "a.jpg"
    Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(path, **save)
    fast, slow = open_image(path).decode(), _pil_route(path)
    assert fast.shape == slow.shape == (3, 75, 101) and fast.dtype == torch.uint8
    diff = (fast.int() - slow.int()).abs()
    assert diff.max() <= 1 and diff.float().mean() <= 0.01


def test_grayscale_jpeg_is_replicated_on_the_fast_route(tmp_path, kit):
    path = tmp_path / "g.jpg"
    Image.fromarray(kit.photo(20, 30)).convert("L").save(path, quality=90)
    img = read_image(path)
    assert img.shape == (3, 20, 30) and torch.equal(img[0], img[1]) and torch.equal(img[0], img[2])
    assert torch.equal(img, _pil_route(path))
    assert torch.equal(read_image(path, color_type="grayscale"), img[:1])


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_matches_pils_exif_transpose(tmp_path, kit, orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / f"o{orientation}.jpg"
    Image.fromarray(kit.photo(24, 40)).save(path, exif=exif, quality=95)
    expected = ImageOps.exif_transpose(Image.open(path).convert("RGB"))
    expected = torch.from_numpy(np.array(expected)).permute(2, 0, 1)
    encoded = open_image(path)
    assert (encoded.height, encoded.width) == tuple(expected.shape[1:])
    assert torch.equal(encoded.decode(), expected)
    assert torch.equal(_pil_route(path), expected)
    reduced = open_image(path).decode(2)  # oriented the same way when decoded small
    assert reduced.shape[1:] == ((expected.shape[1] + 1) // 2, (expected.shape[2] + 1) // 2)


def test_jpeg_bombs_are_refused_from_the_header_before_decoding(tmp_path, monkeypatch):
    Image.new("RGB", (100, 100)).save(tmp_path / "bomb.jpg")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    import clscore.data.image_io as image_io

    monkeypatch.setattr(image_io, "_decode_turbo", lambda *a, **k: pytest.fail("decoded a bomb"))
    with pytest.raises(DataError, match=r"decompression bomb: .*bomb\.jpg"):
        open_image(tmp_path / "bomb.jpg")


@pytest.mark.parametrize("reduce", [2, 4, 8])
def test_reduced_jpeg_decode_is_the_image_shrunk(tmp_path, kit, reduce):
    path = tmp_path / "big.jpg"
    Image.fromarray(kit.photo(208, 296)).save(path, quality=95)  # whole 16x16 blocks: area is exact
    full = read_image(path)
    small = open_image(path).decode(reduce)
    size = (208 // reduce, 296 // reduce)
    assert small.shape == (3, *size) and small.dtype == torch.uint8
    shrunk = torch.nn.functional.interpolate(full[None].float(), size=size, mode="area")[0]
    assert (small.float() - shrunk).abs().mean() < 1.5
    odd = tmp_path / "odd.jpg"
    Image.fromarray(kit.photo(203, 301)).save(odd)
    assert open_image(odd).decode(reduce).shape[1:] == (-(-203 // reduce), -(-301 // reduce))  # rounded up


def test_only_rgb_and_gray_jpegs_are_reducible(tmp_path, kit):
    png = kit.write_image(tmp_path / "a.png", 40, 60)
    Image.new("CMYK", (40, 60)).save(tmp_path / "c.jpg")
    for path, shape in ((png, (3, 40, 60)), (tmp_path / "c.jpg", (3, 60, 40))):
        encoded = open_image(path)
        assert not encoded.reducible and encoded.decode(4).shape == shape


def test_non_ascii_names_on_both_routes(tmp_path, kit):
    for name in ("chat é 猫.jpg", "chat é 猫.png"):
        path = kit.write_image(tmp_path / name, 9, 11)
        assert read_image(path).shape == (3, 9, 11)


@pytest.mark.parametrize("clscores_decoder", [True, False])
@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_plain_pngs_decode_without_pil_to_the_pil_routes_pixels(
    tmp_path, kit, mode, clscores_decoder, monkeypatch
):
    """clscore's PNG decoder where built (tests/data/test_data_png_decode.py), else libpng's."""
    path = tmp_path / "a.png"
    Image.fromarray(kit.photo(13, 17)).convert(mode).save(path)
    import clscore.data.image_io as image_io
    from clscore.data import png_decode

    if not clscores_decoder:
        monkeypatch.setattr(png_decode, "decode_png", lambda *a: None)
    calls = []
    decode = image_io._decode_turbo
    monkeypatch.setattr(image_io, "_decode_turbo", lambda *a, **k: calls.append(k) or decode(*a, **k))
    monkeypatch.setattr(image_io, "pil_to_tensor", None)  # PIL's route is not taken
    assert torch.equal(read_image(path), _pil_route(path))
    assert calls == ([] if clscores_decoder and png_decode.available() else [{"png": True}])


def test_png_with_exif_orientation_and_truncated_png(tmp_path, kit):
    exif = Image.Exif()
    exif[0x0112] = 8
    Image.fromarray(kit.photo(10, 30)).save(tmp_path / "rot.png", exif=exif)
    assert read_image(tmp_path / "rot.png").shape == (3, 30, 10)
    path = kit.write_image(tmp_path / "cut.png", 64, 64)
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(DataError, match=r"cut\.png.*(truncated|corrupt)"):
        read_image(path)
