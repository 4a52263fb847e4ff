"""The JPEG header reader that spares PIL on the fast route: it must agree with PIL or step aside."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image, ImageOps

from clscore.data import image_io
from clscore.data.image_io import EncodedImage, open_image
from clscore.errors import DataError


def _tiff(order: str, entries: list[tuple[int, int, int, bytes]]) -> bytes:
    """A TIFF block with IFD0 holding ``entries`` of (tag, type, count, 4-byte value)."""
    mark = {"<": b"II", ">": b"MM"}[order]
    ifd = struct.pack(order + "H", len(entries))
    for tag, kind, count, value in entries:
        ifd += struct.pack(order + "HHI", tag, kind, count) + value
    return mark + struct.pack(order + "HI", 42, 8) + ifd + struct.pack(order + "I", 0)


def _orientation_exif(order: str, value: int, kind: int = 3) -> bytes:
    packed = struct.pack(order + ("H" if kind == 3 else "I"), value).ljust(4, b"\0")
    software = (0x0131, 2, 4, b"abc\0")  # another tag first, as cameras write them
    return b"Exif\0\0" + _tiff(order, [software, (0x0112, kind, 1, packed)])


def _jpeg(mode: str = "RGB", size: tuple[int, int] = (37, 23), **save: object) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "white" if mode != "CMYK" else (0, 0, 0, 0)).save(buffer, "JPEG", **save)
    return buffer.getvalue()


def _with_exif_blocks(data: bytes, *blocks: bytes) -> bytes:
    """``data`` with APP1 segments ``blocks`` inserted right after the SOI marker."""
    segments = b"".join(b"\xff\xe1" + struct.pack(">H", len(b) + 2) + b for b in blocks)
    return data[:2] + segments + data[2:]


_XMP_ROTATED = b'http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><rdf:Description tiff:Orientation="6"/></x:xmpmeta>'


def _pil_view(data: bytes) -> tuple[int, int]:
    """(height, width) as displayed, by PIL's exif_transpose."""
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    return image.height, image.width


PLAIN = {
    "baseline": _jpeg(),
    "progressive": _jpeg(progressive=True),
    "grayscale": _jpeg("L"),
    "4:4:4 with a comment": _jpeg(subsampling=0, comment=b"hello"),
    "icc profile": _jpeg(icc_profile=b"\0" * 300),
    "restart markers": _jpeg(size=(64, 64), restart_marker_blocks=1),
    **{
        f"exif {order} orientation {v}": _jpeg(exif=_orientation_exif(order, v))
        for order in "<>"
        for v in (1, 3, 6, 8)
    },
    "exif orientation 0 (out of range)": _jpeg(exif=_orientation_exif("<", 0)),
    "exif orientation 9 (out of range)": _jpeg(exif=_orientation_exif(">", 9)),
    "exif without orientation": _jpeg(exif=b"Exif\0\0" + _tiff("<", [(0x0131, 2, 4, b"abc\0")])),
    "fill bytes before a marker": (lambda d: d[:2] + b"\xff\xff" + d[2:])(_jpeg()),
}


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_the_header_reader_agrees_with_pil(name):
    data = PLAIN[name]
    header = image_io._plain_jpeg_header(data)
    assert header is not None, "a plain JPEG must take the fast route"
    (width, height), orientation = header
    pil = Image.open(io.BytesIO(data))
    assert (width, height) == pil.size
    assert orientation == image_io._orientation(pil)
    encoded = EncodedImage(data)
    assert (encoded.height, encoded.width) == _pil_view(data) and encoded.reducible
    assert tuple(encoded.decode().shape[1:]) == _pil_view(data)


UNUSUAL = {
    "cmyk": _jpeg("CMYK"),
    "orientation stored as LONG": _jpeg(exif=_orientation_exif("<", 6, kind=4)),
    "two EXIF blocks (PIL joins them)": _with_exif_blocks(
        _jpeg(), _orientation_exif("<", 6), b"Exif\0\0abcd"
    ),
    "EXIF IFD pointing past the block": _jpeg(exif=b"Exif\0\0II*\0" + struct.pack("<I", 999)),
    "EXIF with an unknown byte order": _jpeg(exif=b"Exif\0\0XX*\0\x08\0\0\0"),
    "XMP orientation without EXIF": _with_exif_blocks(_jpeg(), _XMP_ROTATED),
    "EXIF without orientation, XMP with one": _with_exif_blocks(
        _jpeg(exif=b"Exif\0\0" + _tiff("<", [(0x0131, 2, 4, b"abc\0")])), _XMP_ROTATED
    ),
    "segment running past the end": _jpeg()[:30],
    "no frame header": b"\xff\xd8\xff\xd9",
    "junk after SOI": b"\xff\xd8\xff\x00junk",
    "12-bit frame": (lambda d: d.replace(b"\xff\xc0\x00\x11\x08", b"\xff\xc0\x00\x11\x0c", 1))(_jpeg()),
    "lossless frame": (lambda d: d.replace(b"\xff\xc0", b"\xff\xc3", 1))(_jpeg()),
}


@pytest.mark.parametrize("name", sorted(UNUSUAL))
def test_unusual_jpegs_are_left_to_pil(name):
    assert image_io._plain_jpeg_header(UNUSUAL[name]) is None


@pytest.mark.parametrize(
    "name",
    ["orientation stored as LONG", "XMP orientation without EXIF", "EXIF without orientation, XMP with one"],
)
def test_where_the_reader_steps_aside_the_orientation_is_pils(tmp_path, name):
    """As ``ImageOps.exif_transpose``: EXIF's orientation, else the XMP block's."""
    path = tmp_path / "a.jpg"
    path.write_bytes(UNUSUAL[name])
    encoded = open_image(path)
    assert encoded.orientation == (Image.open(path).getexif().get(0x0112) or 1)
    assert (encoded.height, encoded.width) == _pil_view(path.read_bytes())
    assert tuple(encoded.decode().shape[1:]) == _pil_view(path.read_bytes())


@pytest.mark.parametrize("name", ["segment running past the end", "no frame header", "junk after SOI"])
def test_broken_headers_get_pils_error_naming_the_file(tmp_path, name):
    path = tmp_path / "broken.jpg"
    path.write_bytes(UNUSUAL[name])
    with pytest.raises(DataError, match=r"broken\.jpg"):
        open_image(path).decode()


def test_grayscale_reads_skip_the_reader(monkeypatch):
    monkeypatch.setattr(image_io, "_plain_jpeg_header", lambda data: pytest.fail("read the header"))
    assert EncodedImage(PLAIN["baseline"], color_type="grayscale").decode().shape == (1, 23, 37)
