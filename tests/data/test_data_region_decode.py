"""Decoding a JPEG's crop by itself: the pixels of a full decode, or ``None`` so the caller decodes it all."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision.io import ImageReadMode, decode_jpeg

from clscore.data import region_decode
from clscore.data.image_io import EncodedImage
from clscore.plugins import build

needs_extension = pytest.mark.skipif(
    not region_decode.available(),
    reason="clscore.data._jpeg_region was not built (no libjpeg headers when clscore was installed)",
)


def _photo(size: tuple[int, int], seed: int = 0) -> Image.Image:
    """Smooth gradients plus noise: every DCT block and chroma sample differs from its neighbours."""
    rng = np.random.default_rng(seed)
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([xx * 255 / w, yy * 255 / h, (xx + yy) * 127 / (w + h)], axis=-1)
    return Image.fromarray(np.clip(base + rng.normal(0, 40, base.shape), 0, 255).astype(np.uint8))


def _jpeg(image: Image.Image, **save: object) -> bytearray:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **save)
    return bytearray(buffer.getvalue())


def _full(data: bytearray) -> torch.Tensor:
    return decode_jpeg(torch.frombuffer(data, dtype=torch.uint8), mode=ImageReadMode.RGB)


def _pil_reduced(data: bytearray, reduce: int) -> torch.Tensor:
    """PIL's own reduced decode (``draft``: libjpeg's DCT scaling), as a ``(3, H, W)`` tensor."""
    image = Image.open(io.BytesIO(bytes(data)))
    image.draft("RGB", (image.width // reduce, image.height // reduce))
    return torch.from_numpy(np.asarray(image.convert("RGB")).copy()).permute(2, 0, 1)


def _regions(height: int, width: int, count: int, seed: int) -> list[tuple[int, int, int, int]]:
    rng = random.Random(seed)
    edges = [(0, 0, height, width), (0, 0, 1, 1), (height - 1, width - 1, 1, 1), (0, width - 1, height, 1)]
    edges += [(height // 3, 0, height // 3, width), (0, width // 3, height, width // 3)]
    for _ in range(count):
        top, left = rng.randrange(height), rng.randrange(width)
        edges.append((top, left, rng.randrange(1, height - top + 1), rng.randrange(1, width - left + 1)))
    return edges


ENCODINGS = {
    "4:2:0": {"subsampling": 2, "quality": 90},
    "4:2:2": {"subsampling": 1, "quality": 90},
    "4:4:4": {"subsampling": 0, "quality": 95},
    "progressive": {"subsampling": 2, "progressive": True},
    "optimized": {"subsampling": 2, "optimize": True},
}


@needs_extension
@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
@pytest.mark.parametrize("size", [(500, 375), (97, 61)])  # an ImageNet-size photo; sides off the MCU grid
def test_every_region_has_the_pixels_of_a_full_decode(encoding, size):
    data = _jpeg(_photo(size), **ENCODINGS[encoding])
    full = _full(data)
    for top, left, h, w in _regions(size[1], size[0], 60, seed=len(encoding)):
        region = region_decode.decode_region(data, top, left, h, w)
        assert region is not None and region.shape == (3, h, w)
        assert torch.equal(region, full[:, top : top + h, left : left + w]), (encoding, top, left, h, w)


@needs_extension
@pytest.mark.parametrize("encoding", ["4:2:0", "4:2:2", "4:4:4", "progressive"])
@pytest.mark.parametrize("reduce", [2, 4, 8])
@pytest.mark.parametrize("size", [(500, 375), (97, 61)])
def test_reduced_regions_have_the_pixels_of_a_whole_reduced_decode(encoding, reduce, size):
    """With DCT scaling (the route for crops shrunk 2x or more) a region has the pixels of PIL's
    reduced decode of the whole image (``draft``), whose sides are ``ceil(side / reduce)``."""
    data = _jpeg(_photo(size), **ENCODINGS[encoding])
    whole = _pil_reduced(data, reduce)
    height, width = whole.shape[-2:]
    assert (height, width) == (-(-size[1] // reduce), -(-size[0] // reduce))
    for top, left, h, w in _regions(height, width, 20, seed=reduce):
        region = region_decode.decode_region(data, top, left, h, w, reduce)
        assert region is not None and region.shape == (3, h, w)
        assert torch.equal(region, whole[:, top : top + h, left : left + w]), (reduce, top, left, h, w)


@needs_extension
@pytest.mark.parametrize("orientation", [1, 6])
def test_whole_reduced_decodes_take_it_with_pils_pixels(orientation, monkeypatch):
    """``EncodedImage.decode(reduce)`` of a plain JPEG runs the extension (faster than PIL's draft),
    with PIL's pixels, EXIF orientation applied after."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = _jpeg(_photo((203, 150)), quality=90, exif=exif.tobytes())
    calls = []
    real = region_decode.decode_region
    monkeypatch.setattr(region_decode, "decode_region", lambda *a: calls.append(a) or real(*a))
    for reduce in (2, 4, 8):
        img = EncodedImage(bytearray(data)).decode(reduce)
        expected = _pil_reduced(data, reduce)
        if orientation == 6:  # rotate 90 degrees clockwise to display
            expected = expected.transpose(1, 2).flip(-1)
        assert torch.equal(img, expected), reduce
    assert [call[-1] for call in calls] == [2, 4, 8]


@needs_extension
@pytest.mark.parametrize("encoding", ["4:2:0", "4:2:2", "4:4:4"])
def test_rows_decoded_in_place_write_nothing_outside_the_output(encoding):
    """libjpeg writes whole decoded rows, wider than the region, straight into the output; what
    lands beside a row must stay inside the buffer and be overwritten or put back."""
    from clscore.data import _jpeg_region

    data = _jpeg(_photo((97, 61)), **ENCODINGS[encoding])
    full = _full(data).permute(1, 2, 0)
    guard = 4096
    for reduce in (1, 2, 8):
        whole = _pil_reduced(data, reduce).permute(1, 2, 0) if reduce > 1 else full
        height, width = whole.shape[:2]
        for top, left, h, w in _regions(height, width, 25, seed=reduce):
            buffer = bytearray(b"\xa5" * (2 * guard + h * w * 3))
            _jpeg_region.decode_region(data, memoryview(buffer)[guard:-guard], left, top, w, h, reduce)
            assert buffer[:guard] == buffer[-guard:] == b"\xa5" * guard, (reduce, top, left, h, w)
            pixels = torch.frombuffer(buffer[guard:-guard], dtype=torch.uint8).view(h, w, 3)
            assert torch.equal(pixels, whole[top : top + h, left : left + w]), (reduce, top, left, h, w)


@needs_extension
def test_grayscale_comes_out_as_rgb_like_torchvision():
    data = _jpeg(_photo((64, 48)).convert("L"))
    region = region_decode.decode_region(data, 5, 7, 30, 40)
    assert region is not None and torch.equal(region, _full(data)[:, 5:35, 7:47])


@needs_extension
def test_the_region_is_a_channels_last_view_the_resize_uses_without_a_copy():
    region = region_decode.decode_region(_jpeg(_photo((64, 48))), 0, 0, 20, 30)
    assert region is not None and region.stride() == (1, 90, 3)


@needs_extension
@pytest.mark.parametrize(
    ("what", "data", "box"),
    [
        ("truncated", _jpeg(_photo((120, 90)))[:1500], (0, 0, 80, 100)),
        ("CMYK", _jpeg(_photo((40, 30)).convert("CMYK")), (0, 0, 10, 10)),
        ("outside", _jpeg(_photo((40, 30))), (25, 0, 10, 10)),
        ("not a JPEG", bytearray(b"\x89PNG\r\n\x1a\n" + bytes(64)), (0, 0, 1, 1)),
        ("outside once reduced", _jpeg(_photo((40, 30))), (0, 0, 10, 11, 4)),
        ("a scale libjpeg 6b lacks", _jpeg(_photo((40, 30))), (0, 0, 10, 10, 3)),
    ],
)
def test_what_libjpeg_refuses_is_left_to_the_full_decoder(what, data, box):
    assert region_decode.decode_region(data, *box) is None, what


@pytest.fixture
def fresh_lookup():
    """The extension is looked up once per process: look again here, and again after the test."""
    region_decode._load.cache_clear()
    yield
    region_decode._load.cache_clear()


def test_switched_off_or_not_built_means_none(monkeypatch, fresh_lookup):
    monkeypatch.setenv("CLSCORE_REGION_DECODE", "0")
    assert not region_decode.available()
    assert region_decode.decode_region(_jpeg(_photo((40, 30))), 0, 0, 10, 10) is None


def test_only_upright_plain_jpegs_take_the_region_route():
    rotated = _photo((40, 30))
    exif = Image.Exif()
    exif[0x0112] = 6
    assert EncodedImage(_jpeg(rotated, exif=exif.tobytes())).decode_region(0, 0, 10, 10) is None
    png = io.BytesIO()
    rotated.save(png, "PNG")
    assert EncodedImage(bytearray(png.getvalue())).decode_region(0, 0, 10, 10) is None


@needs_extension
def test_random_resized_crop_gives_the_same_samples_with_and_without_it(tmp_path, monkeypatch):
    for index in range(6):
        folder = tmp_path / "images" / f"class{index % 2}"
        folder.mkdir(parents=True, exist_ok=True)
        _photo((300 + 20 * index, 200 + 10 * index), seed=index).save(folder / f"{index}.jpg", quality=90)
    pipeline = [
        {"type": "LoadImageFromFile"},
        {"type": "RandomResizedCrop", "size": 64},
        {"type": "RandomFlip", "flip_prob": 0.5},
    ]
    spec = {"type": "CustomDataset", "data_prefix": str(tmp_path / "images"), "pipeline": pipeline}

    def samples():
        dataset = build("dataset", spec)
        torch.manual_seed(0)
        return [dataset[i]["img"] for i in range(len(dataset)) for _ in range(4)]

    calls = []
    real = region_decode.decode_region
    monkeypatch.setattr(region_decode, "decode_region", lambda *a: calls.append(a) or real(*a))
    with_regions = samples()
    assert {call[-1] for call in calls} == {1, 2}  # the route was taken, at full and at half size
    monkeypatch.setattr(region_decode, "decode_region", lambda *a: None)
    whole = samples()
    assert all(torch.equal(a, b) for a, b in zip(with_regions, whole, strict=True))


@needs_extension
def test_damaged_files_and_bad_boxes_are_refused_never_crash():
    """Truncations, flipped bytes and boxes partly outside: decoded or ``None``, never a crash
    (the C code was also run under AddressSanitizer this way)."""
    rng = random.Random(0)
    originals = [_jpeg(_photo((97, 61), seed=s), subsampling=s, progressive=s == 2) for s in (0, 1, 2)]
    outcomes = set()
    for _ in range(300):
        data = bytearray(rng.choice(originals))
        if rng.random() < 0.4:
            data = data[: rng.randrange(1, len(data))]
        else:
            for _ in range(rng.randrange(1, 6)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        top, left = rng.randrange(-1, 70), rng.randrange(-1, 100)
        box = (top, left, rng.randrange(1, 70), rng.randrange(1, 100))
        region = region_decode.decode_region(data, *box, rng.choice((1, 1, 2, 4, 8)))
        outcomes.add(region is None)
    assert outcomes == {True, False}
