"""clscore's plain-PNG decoder: PIL's pixels for every row filter and chunk layout, ``None`` for the rest."""

from __future__ import annotations

import io
import random
import struct
import zlib

import numpy as np
import pytest
import torch
from PIL import Image

from clscore.data import png_decode
from clscore.data.image_io import EncodedImage, read_image
from clscore.errors import DataError

needs_extension = pytest.mark.skipif(
    not png_decode.available(),
    reason="clscore.data._png_plain was not built (no zlib headers when clscore was installed)",
)


def _chunk(kind: bytes, body: bytes, crc: int | None = None) -> bytes:
    crc = zlib.crc32(kind + body) if crc is None else crc
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def _filtered(rows: np.ndarray, kinds: list[int], bpp: int) -> bytes:
    """The PNG scanlines of ``rows`` (H x W*C bytes), row ``y`` filtered with ``kinds[y % len]``."""
    out = bytearray()
    prior = np.zeros(rows.shape[1], dtype=np.int64)
    for y, row in enumerate(rows.astype(np.int64)):
        kind = kinds[y % len(kinds)]
        left = np.concatenate([np.zeros(bpp, np.int64), row[:-bpp]])
        upper_left = np.concatenate([np.zeros(bpp, np.int64), prior[:-bpp]])
        if kind == 0:
            predicted = np.zeros_like(row)
        elif kind == 1:
            predicted = left
        elif kind == 2:
            predicted = prior
        elif kind == 3:
            predicted = (left + prior) // 2
        else:
            p = left + prior - upper_left
            pa, pb, pc = abs(p - left), abs(p - prior), abs(p - upper_left)
            predicted = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, prior, upper_left))
        out.append(kind)
        out += ((row - predicted) % 256).astype(np.uint8).tobytes()
        prior = row
    return bytes(out)


def _png(
    pixels: np.ndarray,
    kinds: tuple[int, ...] = (0, 1, 2, 3, 4),
    *,
    split: int = 0,
    extra: tuple[bytes, ...] = (),
    colour: int | None = None,
    depth: int = 8,
    interlace: int = 0,
    compressed: bytes | None = None,
    trailer: tuple[bytes, ...] = (),
) -> bytearray:
    """A PNG written by hand: chosen row filters, IDAT split every ``split`` bytes, extra chunks."""
    height, width = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    colour = {1: 0, 3: 2, 4: 6}[channels] if colour is None else colour
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, interlace)
    if compressed is None:
        compressed = zlib.compress(_filtered(pixels.reshape(height, -1), list(kinds), channels))
    pieces = [compressed[i : i + split] for i in range(0, len(compressed), split)] if split else [compressed]
    data = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + b"".join(extra)
    data += b"".join(_chunk(b"IDAT", piece) for piece in pieces) + b"".join(trailer) + _chunk(b"IEND", b"")
    return bytearray(data)


def _pil(data: bytes | bytearray) -> torch.Tensor:
    return torch.from_numpy(np.asarray(Image.open(io.BytesIO(bytes(data))).convert("RGB")).copy()).permute(
        2, 0, 1
    )


def _pixels(height: int, width: int, channels: int, seed: int = 0) -> np.ndarray:
    """Gradients plus noise, so every filter predicts something different."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width]
    base = np.stack([xx * 7 + yy * 3, xx * 2 + yy * 11, (xx * yy) % 256], axis=-1)[..., :channels]
    image = (base + rng.integers(0, 40, base.shape)) % 256
    return image.astype(np.uint8).squeeze(-1) if channels == 1 else image.astype(np.uint8)


def _decode(data: bytes | bytearray) -> torch.Tensor | None:
    image = Image.open(io.BytesIO(bytes(data)))
    return png_decode.decode_png(data, image.height, image.width)


@needs_extension
@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("kinds", [(0,), (1,), (2,), (3,), (4,), (4, 3, 2, 1, 0)])
@pytest.mark.parametrize(("height", "width"), [(1, 1), (2, 1), (1, 5), (7, 3), (33, 47)])
def test_every_row_filter_gives_pils_pixels(channels, kinds, height, width):
    data = _png(_pixels(height, width, channels), kinds)
    decoded = _decode(data)
    assert decoded is not None and decoded.shape == (3, height, width) and decoded.dtype == torch.uint8
    assert torch.equal(decoded, _pil(data))


@needs_extension
@pytest.mark.parametrize("mode", ["RGB", "L"])
@pytest.mark.parametrize("save", [{}, {"optimize": True}, {"compress_level": 0}, {"compress_level": 9}])
def test_pils_own_pngs_decode_to_its_pixels(mode, save, kit):
    buffer = io.BytesIO()
    Image.fromarray(kit.photo(64, 80)).convert(mode).save(buffer, "PNG", **save)
    data = bytearray(buffer.getvalue())
    decoded = _decode(data)
    assert decoded is not None and torch.equal(decoded, _pil(data))


@needs_extension
@pytest.mark.parametrize(
    ("what", "options"),
    [
        ("IDAT split into many chunks", {"split": 7}),
        ("one byte per IDAT (the checksum in its own chunks)", {"split": 1}),
        (
            "ancillary chunks before and after the data",
            {
                "extra": (_chunk(b"tEXt", b"k\x00v"),),
                "trailer": (_chunk(b"tIME", b"\x07\xea\x0c\x03\x00\x00\x00"),),
            },
        ),
        ("a suggested palette in an RGB image", {"extra": (_chunk(b"PLTE", bytes(range(12))),)}),
        (
            "a transparent colour key, ignored as PIL's RGB conversion does",
            {"extra": (_chunk(b"tRNS", b"\x00\x01\x00\x02\x00\x03"),)},
        ),
        ("an empty IDAT after the stream's end", {"trailer": (_chunk(b"IDAT", b""),)}),
    ],
)
def test_chunk_layouts_that_pil_reads_give_its_pixels(what, options):
    data = _png(_pixels(9, 13, 3), **options)
    decoded = _decode(data)
    assert decoded is not None and torch.equal(decoded, _pil(data)), what


def _refusals() -> list[tuple[str, bytearray]]:
    rgb = _pixels(6, 5, 3)
    good = _png(rgb)
    rgba = np.concatenate([rgb, np.full((6, 5, 1), 128, np.uint8)], axis=-1)
    stream = zlib.compress(_filtered(rgb.reshape(6, -1), [0], 3))
    bad_crc = bytearray(good)
    bad_crc[40] ^= 0x01  # inside the IDAT data: its CRC no longer matches
    return [
        ("RGBA (alpha is composited elsewhere)", _png(rgba)),
        ("palette", _png(rgb[..., 0], colour=3, extra=(_chunk(b"PLTE", bytes(range(256)) * 3),))),
        ("16 bits", _png(rgb, depth=16)),
        ("interlaced", _png(rgb, interlace=1)),
        ("bad CRC", bad_crc),
        ("truncated in the data", good[:45]),
        ("no IEND", good[:-12]),
        ("compressed stream cut short", _png(rgb, compressed=stream[:-9])),
        (
            "more image data than the size",
            _png(rgb, compressed=zlib.compress(_filtered(np.tile(rgb, (2, 1, 1)).reshape(12, -1), [0], 3))),
        ),
        ("data after the stream's end", _png(rgb, compressed=stream + b"\x00\x00")),
        (
            "a second run of IDAT chunks",
            _png(
                rgb,
                compressed=stream[:20],
                trailer=(_chunk(b"tEXt", b"k\x00v"), _chunk(b"IDAT", stream[20:])),
            ),
        ),
        (
            "an unknown row filter",
            _png(rgb, compressed=zlib.compress(b"\x05" + _filtered(rgb.reshape(6, -1), [0], 3)[1:])),
        ),
        ("an unknown critical chunk", _png(rgb, extra=(_chunk(b"ZZZZ", b""),))),
        ("not a PNG", bytearray(b"GIF89a" + bytes(60))),
    ]


@needs_extension
@pytest.mark.parametrize(("what", "data"), _refusals(), ids=[what for what, _ in _refusals()])
def test_anything_else_is_refused_for_the_general_decoder(what, data):
    assert png_decode.decode_png(data, 6, 5) is None, what


@needs_extension
def test_a_size_other_than_the_headers_is_refused():
    data = _png(_pixels(6, 5, 3))
    assert png_decode.decode_png(data, 5, 6) is None
    assert png_decode.decode_png(data, 6, 5) is not None


@needs_extension
def test_damaged_files_are_refused_never_crash():
    """Truncations and flipped bytes: PIL's pixels or ``None``, never a crash (the C code was also run
    under AddressSanitizer this way)."""
    rng = random.Random(0)
    originals = [
        _png(_pixels(17, 11, c, seed=c), kinds, split=split)
        for c, kinds, split in ((3, (4, 1, 2), 0), (1, (3, 4), 50), (3, (0, 2), 13))
    ]
    outcomes = set()
    for _ in range(400):
        data = bytearray(rng.choice(originals))
        if rng.random() < 0.3:
            data = data[: rng.randrange(1, len(data))]
        else:
            for _ in range(rng.randrange(1, 4)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        decoded = png_decode.decode_png(data, 17, 11)
        if decoded is not None:
            assert torch.equal(decoded, _pil(data))
        outcomes.add(decoded is None)
    assert outcomes == {True, False}


@needs_extension
def test_image_io_takes_this_route_for_plain_pngs_and_falls_back_when_refused(tmp_path, monkeypatch):
    calls = []
    real = png_decode.decode_png
    monkeypatch.setattr(png_decode, "decode_png", lambda *a: calls.append(a[1:]) or real(*a))
    path = tmp_path / "a.png"
    path.write_bytes(_png(_pixels(12, 20, 3)))
    assert torch.equal(read_image(path), _pil(path.read_bytes())) and calls == [(12, 20)]
    # an ancillary chunk with a bad CRC: refused here, decoded by libpng, which skips the chunk
    damaged = _png(_pixels(12, 20, 3), trailer=(_chunk(b"tEXt", b"k\x00v", crc=0),))
    assert png_decode.decode_png(damaged, 12, 20) is None
    assert torch.equal(EncodedImage(damaged).decode(), _pil(path.read_bytes()))
    # cut inside the data: refused here, and the general decoders name the file
    (tmp_path / "cut.png").write_bytes(path.read_bytes()[:60])
    with pytest.raises(DataError, match=r"cut\.png"):
        read_image(tmp_path / "cut.png")


@pytest.fixture
def fresh_lookup():
    """The extension is looked up once per process: look again here, and again after the test."""
    png_decode._load.cache_clear()
    yield
    png_decode._load.cache_clear()


def test_switched_off_or_not_built_means_none_and_pngs_still_decode(monkeypatch, fresh_lookup, tmp_path):
    monkeypatch.setenv("CLSCORE_PNG_DECODE", "0")
    data = _png(_pixels(8, 9, 1))
    assert not png_decode.available() and png_decode.decode_png(data, 8, 9) is None
    assert torch.equal(EncodedImage(data).decode(), _pil(data))
