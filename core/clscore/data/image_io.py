"""Safe image decoding into RGB ``uint8`` tensors: libjpeg-turbo for JPEGs, PIL for the rest.

Every image that enters clscore goes through here, so the rules live in one place:

- 8-bit JPEGs (RGB or grayscale) decode with ``torchvision.io.decode_jpeg``, and 8-bit RGB or gray
  PNGs without EXIF with clscore's own zlib loop (:mod:`clscore.data.png_decode`; torchvision's
  ``decode_png`` where that is not built or refuses the file); their headers (size, EXIF
  orientation) are read here, without PIL. Every other format, CMYK JPEGs, headers out of the
  ordinary, and any file those decoders reject take the PIL route. Both routes use libjpeg-turbo's
  default (integer, "islow") IDCT, so they give the same pixels (tests/data pin the tolerance).
- A JPEG may be decoded at 1/2, 1/4 or 1/8 of each side (``reduce``): the DCT scaling of libjpeg,
  through :mod:`clscore.data.region_decode` where it is built, else PIL's ``draft`` (the same
  pixels). The pipeline asks for it only when the result is shrunk by at least that
  much anyway (see :class:`EncodedImage` and :mod:`clscore.data.compose`).
- EXIF orientation is applied unless switched off, so a phone photo tagged "rotate 90°" has the same
  shape in training and in inference; a JPEG whose EXIF block has none takes its XMP block's, as
  PIL's ``ImageOps.exif_transpose`` does.
- Colour modes become RGB: grayscale and bilevel are replicated to three channels; palette images
  (with or without a transparent index), ``LA``, ``RGBA`` and other alpha modes are **composited on
  black** (``rgb * alpha / 255``), so hidden colours under transparent pixels never leak in; ``CMYK``
  and ``YCbCr`` use PIL's conversion; 16-bit and 32-bit integer images (``I;16*``, ``I``) are read as
  0-65535 and scaled by 255/65535 (a full ramp has a mean of about 127); floating-point images
  (``F``) are read as 0-1 when their maximum is at most 1, else as 0-255.
- A missing, truncated or non-image file raises :class:`~clscore.errors.DataError` naming it.
- The first decode in a process keeps image-sized buffers in its heap for the next image
  (:mod:`clscore.data._allocator`).
- Decompression bombs are refused from the header, before any pixel is decoded, on both routes:
  ``Image.MAX_IMAGE_PIXELS`` is kept, and PIL's ``DecompressionBombWarning`` (between 1x and 2x the
  limit) is escalated to the same error as PIL's own ``DecompressionBombError`` (above 2x).
"""

from __future__ import annotations

import functools
import io
import os
import stat
import struct
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Literal, TypeVar

import numpy as np
from PIL import Image, UnidentifiedImageError

from clscore.data._allocator import keep_image_buffers
from clscore.errors import DataError

T = TypeVar("T")

if TYPE_CHECKING:
    import torch

ColorType = Literal["color", "grayscale"]

_ALPHA_MODES = {"RGBA", "LA", "PA", "RGBa", "La"}
_HIGH_BIT_MODES = {"I", "I;16", "I;16L", "I;16B", "I;16N"}
_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, struct.error, IndexError, TypeError)
_JPEG_FORMATS = {"JPEG", "MPO"}  # MPO: a phone camera's JPEG with extra pictures after the first
_TURBO_MODES = {"RGB", "L"}
_ORIENTATION_TAG = 0x0112
#: The reduction factors libjpeg's DCT scaling offers (1/1, 1/2, 1/4, 1/8 of each side).
JPEG_REDUCTIONS = (8, 4, 2)


def reduced_size(height: int, width: int, reduce: int) -> tuple[int, int]:
    """The size libjpeg gives a ``height`` x ``width`` JPEG decoded at ``1/reduce``: each side rounded up."""
    return -(-height // reduce), -(-width // reduce)


def read_image(
    path: str | os.PathLike[str],
    *,
    color_type: ColorType = "color",
    exif_orientation: bool = True,
) -> torch.Tensor:
    """Decode the image file at ``path`` into a contiguous ``uint8`` tensor ``(3, H, W)`` RGB
    (``(1, H, W)`` for ``color_type="grayscale"``)."""
    image = open_image(path, color_type=color_type, exif_orientation=exif_orientation)
    return image.decode().contiguous()


def decode_image(
    data: bytes,
    *,
    name: str = "<bytes>",
    color_type: ColorType = "color",
    exif_orientation: bool = True,
) -> torch.Tensor:
    """Decode encoded image bytes; ``name`` is what error messages call them."""
    image = EncodedImage(data, name=name, color_type=color_type, exif_orientation=exif_orientation)
    return image.decode().contiguous()


def open_image(
    path: str | os.PathLike[str],
    *,
    color_type: ColorType = "color",
    exif_orientation: bool = True,
) -> EncodedImage:
    """Read the file at ``path`` and its image header; the pixels are decoded by ``.decode()``."""
    name = os.fspath(path)
    if not isinstance(name, str):
        name = os.fsdecode(name)
    data = _read_file(name)
    return EncodedImage(data, name=name, color_type=color_type, exif_orientation=exif_orientation)


class EncodedImage:
    """An image's bytes with the header read: its size is known, its pixels are decoded on demand.

    ``height``/``width`` are the displayed size (after EXIF orientation). :meth:`decode` with
    ``reduce`` 2, 4 or 8 gives a JPEG at ``ceil(side / reduce)`` per side, decoded that small by
    libjpeg (several times cheaper than decoding everything and shrinking); other formats ignore
    ``reduce``, and :attr:`reducible` says which case applies. The header is checked (decompression
    bombs, unknown formats) when the object is made, so a bad file fails before any decoding.
    """

    __slots__ = (
        "_kind",
        "_pil",
        "color_type",
        "data",
        "exif_orientation",
        "height",
        "name",
        "orientation",
        "reducible",
        "width",
    )

    def __init__(
        self,
        data: bytes | bytearray,
        *,
        name: str = "<bytes>",
        color_type: ColorType = "color",
        exif_orientation: bool = True,
    ) -> None:
        if color_type not in ("color", "grayscale"):
            raise ValueError(f"color_type must be 'color' or 'grayscale', got {color_type!r}")
        if not data:
            raise DataError(f"empty image file (0 bytes): {name}")
        self.data, self.name, self.color_type = data, name, color_type
        self.exif_orientation, self.reducible, self.orientation = exif_orientation, False, 1
        self._pil: Image.Image | None = None
        self._kind, size = "", None
        if color_type == "color":  # the common formats' headers are read here, without PIL
            if (size := _plain_png_size(data)) is not None:
                self._kind = "PNG"
            elif (header := _plain_jpeg_header(data)) is not None:
                self._kind, self.reducible = "JPEG", True
                size, orientation = header
                self.orientation = orientation if exif_orientation else 1
        if size is not None:
            _refuse_bombs(size, name)
            width, height = size
            self.height, self.width = (width, height) if self.orientation >= 5 else (height, width)
        else:
            self._open_pil()

    def _open_pil(self) -> Image.Image:
        data = self.data
        self._pil = image = _checked(lambda: Image.open(io.BytesIO(data)), self.name)
        self.reducible = image.format in _JPEG_FORMATS and image.mode in _TURBO_MODES
        if not self.reducible:  # PIL decodes everything else now; EXIF may sit after the pixels (PNG)
            _checked(image.load, self.name)
        self.orientation = _orientation(image) if self.exif_orientation else 1
        width, height = image.size
        self.height, self.width = (width, height) if self.orientation >= 5 else (height, width)
        return image

    def decode(self, reduce: int = 1) -> torch.Tensor:
        """The pixels as a ``uint8`` ``(C, H, W)`` tensor (possibly a channels-last view).

        ``reduce`` (1, 2, 4 or 8) shrinks JPEGs while decoding; check the result's shape.
        """
        image = self._pil
        if image is None:
            if self._kind == "PNG":
                img = _decode_png(self.data, self.height, self.width)
            elif reduce <= 1:
                img = _decode_turbo(self.data, png=False)
            else:  # a reduced JPEG: clscore's decoder where built (same pixels, faster than PIL's)
                img = self._decode_reduced(reduce)
            if img is not None:
                return _orient(img, self.orientation)
            # libpng/libjpeg refused it (PIL decodes it or says what is wrong), or a reduced decode
            image = self._open_pil()
        if self.reducible:
            if reduce > 1:
                image.draft(image.mode, (max(1, image.width // reduce), max(1, image.height // reduce)))
            elif self.color_type == "color":
                img = _decode_turbo(self.data, png=False)
                if img is not None:
                    return _orient(img, self.orientation)
            _checked(image.load, self.name)
        return _orient(pil_to_tensor(image, color_type=self.color_type, name=self.name), self.orientation)

    def _decode_reduced(self, reduce: int) -> torch.Tensor | None:
        """The whole plain JPEG (as stored, before EXIF orientation) at ``ceil(side / reduce)`` by
        :mod:`clscore.data.region_decode`; ``None`` where it is not built or libjpeg refused."""
        height, width = (self.width, self.height) if self.orientation >= 5 else (self.height, self.width)
        region_decode = _own_decoders()[1]
        return region_decode.decode_region(self.data, 0, 0, *reduced_size(height, width, reduce), reduce)

    def decode_region(
        self, top: int, left: int, height: int, width: int, reduce: int = 1
    ) -> torch.Tensor | None:
        """Only the box ``(top, left, height, width)`` of a plain upright JPEG, decoded by itself
        (:mod:`clscore.data.region_decode`); ``None`` where that does not apply: decode it all.

        With ``reduce`` the box is in the pixels of ``decode(reduce)``, ``ceil(side / reduce)`` a side.
        """
        if self._kind != "JPEG" or self._pil is not None or self.orientation != 1:
            return None
        return _own_decoders()[1].decode_region(self.data, top, left, height, width, reduce)

    def __repr__(self) -> str:
        kind = self._kind if self._pil is None else self._pil.format
        return f"EncodedImage({self.name!r}, {kind}, {self.height}x{self.width})"


def open_pil(data: bytes, *, name: str = "<bytes>", exif_orientation: bool = True) -> Image.Image:
    """Open and fully decode ``data`` with PIL, refusing bombs, truncated and non-image data."""
    if not data:
        raise DataError(f"empty image file (0 bytes): {name}")
    image = _checked(lambda: Image.open(io.BytesIO(data)), name)
    _checked(image.load, name)
    if exif_orientation:
        method = _TRANSPOSE.get(_orientation(image))
        if method is not None:
            image = image.transpose(method)
    return image


def to_rgb_pil(image: Image.Image) -> Image.Image:
    """``image`` as an 8-bit RGB PIL image, following the module's conversion rules."""
    mode = image.mode
    if mode == "RGB":
        return image
    if mode in _HIGH_BIT_MODES or mode == "F":
        return Image.fromarray(_high_bit_to_uint8(image), mode="L").convert("RGB")
    if mode == "P" and "transparency" in image.info:
        image, mode = image.convert("RGBA"), "RGBA"
    if mode in _ALPHA_MODES:
        rgba = np.asarray(image.convert("RGBA"), dtype=np.uint16)
        rgb = (rgba[..., :3] * rgba[..., 3:4] + 127) // 255
        return Image.fromarray(rgb.astype(np.uint8), mode="RGB")
    return image.convert("RGB")


def pil_to_tensor(
    image: Image.Image, *, color_type: ColorType = "color", name: str = "<image>"
) -> torch.Tensor:
    """A PIL image as a contiguous ``uint8`` tensor ``(C, H, W)``: RGB for ``color``, one channel for
    ``grayscale``."""
    import torch

    if color_type not in ("color", "grayscale"):
        raise ValueError(f"color_type must be 'color' or 'grayscale', got {color_type!r}")
    try:
        rgb = to_rgb_pil(image)
        if color_type == "grayscale":
            rgb = rgb.convert("L")
    except _DECODE_ERRORS as exc:
        raise DataError(f"cannot convert image {name} (mode {image.mode}) to RGB: {exc}") from None
    array = np.asarray(rgb)  # read-only view of one copy of the pixels
    chw = array[None] if array.ndim == 2 else array.transpose(2, 0, 1)
    return torch.from_numpy(chw.copy())  # the one copy that makes it writable and (C, H, W)


# -- internals --------------------------------------------------------------------------------------
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _bomb_error(name: str, detail: object) -> DataError:
    return DataError(
        f"refused a possible decompression bomb: {name} ({detail}). The limit is "
        f"Image.MAX_IMAGE_PIXELS = {Image.MAX_IMAGE_PIXELS} pixels; shrink the image if it is genuine."
    )


def _refuse_bombs(size: tuple[int, int], name: str) -> None:
    """PIL's size rule, for headers read without PIL: more than ``MAX_IMAGE_PIXELS`` is refused."""
    limit = Image.MAX_IMAGE_PIXELS
    if limit and max(1, size[0]) * max(1, size[1]) > limit:
        raise _bomb_error(name, f"{size[0]}x{size[1]} = {size[0] * size[1]} pixels")


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _plain_png_size(data: bytes | bytearray) -> tuple[int, int] | None:
    """``(width, height)`` of an 8-bit gray or RGB PNG without EXIF (libpng's fast case), else None.

    Walks the chunk headers only; anything unusual (palette, alpha, 16 bits, an ``eXIf`` chunk, a
    malformed chunk list) returns None and leaves the file to PIL and its rules.
    """
    if data[:8] != _PNG_SIGNATURE or data[12:16] != b"IHDR" or len(data) < 33:
        return None
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    if depth != 8 or colour not in (0, 2):
        return None
    offset, end = 8, len(data)
    while offset + 8 <= end:
        kind = data[offset + 4 : offset + 8]
        if kind == b"eXIf":
            return None
        if kind == b"IEND":
            return width, height
        offset += 12 + int.from_bytes(data[offset : offset + 4], "big")
    return None  # no IEND: truncated; PIL says so


#: Start-of-frame markers libjpeg-turbo decodes through torchvision: baseline, extended, progressive.
_TURBO_FRAMES = {0xC0, 0xC1, 0xC2}
#: The APP1 signature of an XMP block (PIL reads an orientation there when EXIF has none).
_XMP = b"http://ns.adobe.com/xap/1.0/\x00"
#: Markers without a length field: TEM and the restart markers.
_BARE_MARKERS = {0x01, *range(0xD0, 0xD8)}


def _plain_jpeg_header(data: bytes | bytearray) -> tuple[tuple[int, int], int] | None:
    """``((width, height), exif_orientation)`` of an 8-bit gray or 3-channel JPEG, else None.

    Walks the marker segments up to the frame header, as PIL's reader does, and reads the
    orientation from the EXIF block. Anything unusual (4 channels, 12 bits, arithmetic or lossless
    coding, an EXIF block it cannot read plainly, a malformed segment list) returns None and leaves
    the file to PIL and its rules.
    """
    if data[:3] != b"\xff\xd8\xff":
        return None
    orientation, exif_seen, xmp_seen, offset, end = 0, False, False, 2, len(data)  # 0: none seen
    while offset + 4 <= end:
        if data[offset] != 0xFF:
            return None
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte
            offset += 1
            continue
        if marker in _BARE_MARKERS:
            offset += 2
            continue
        length = int.from_bytes(data[offset + 2 : offset + 4], "big")
        if length < 2 or offset + 2 + length > end:
            return None
        if marker == 0xE1 and data[offset + 4 : offset + 10] == b"Exif\x00\x00":
            if exif_seen:  # PIL joins split EXIF blocks: let it
                return None
            found = _exif_orientation(data[offset + 10 : offset + 2 + length])
            if found is None:
                return None
            exif_seen, orientation = True, found
        elif marker == 0xE1 and data[offset + 4 : offset + 4 + len(_XMP)] == _XMP:
            xmp_seen = True
        elif 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a frame header
            if marker not in _TURBO_FRAMES or length < 8:
                return None
            precision, height, width, channels = struct.unpack(">BHHB", data[offset + 4 : offset + 10])
            if precision != 8 or channels not in (1, 3) or not height or not width:
                return None
            if xmp_seen and not orientation:  # PIL then looks in the XMP block: let it
                return None
            return (width, height), orientation or 1
        elif marker in (0xDA, 0xD9):  # scan data or the end before any frame header
            return None
        offset += 2 + length
    return None


def _exif_orientation(tiff: bytes | bytearray) -> int | None:
    """The orientation (1-8) in IFD0 of an EXIF block: 1 when out of range, as PIL's ``getexif``
    gives it, 0 when absent; None when the block is not plainly readable (PIL then decides)."""
    order = {b"II": "<", b"MM": ">"}.get(bytes(tiff[:2]))
    if order is None or len(tiff) < 8:
        return None
    (ifd,) = struct.unpack(order + "I", tiff[4:8])
    if ifd < 8 or ifd + 2 > len(tiff):
        return None
    (count,) = struct.unpack(order + "H", tiff[ifd : ifd + 2])
    if ifd + 2 + 12 * count > len(tiff):
        return None
    for entry in range(ifd + 2, ifd + 2 + 12 * count, 12):
        tag, kind, number = struct.unpack(order + "HHI", tiff[entry : entry + 8])
        if tag == _ORIENTATION_TAG:
            if kind != 3 or number != 1:  # not one SHORT, the type EXIF prescribes
                return None
            (value,) = struct.unpack(order + "H", tiff[entry + 8 : entry + 10])
            return value if 1 <= value <= 8 else 1
    return 0


def _checked(step: Callable[[], T], name: str) -> T:
    """Run a PIL step (open or load) with the module's error rules; decompression-bomb warnings
    become errors."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return step()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb_error(name, exc) from None
    except UnidentifiedImageError:
        raise DataError(f"not an image, or a format PIL cannot read: {name}") from None
    except _DECODE_ERRORS as exc:
        raise DataError(f"cannot decode image {name}: {exc} (the file may be truncated or corrupt)") from None


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation (1-8) of a PIL image; 1 when absent or unreadable."""
    if "exif" not in image.info and "xmp" not in image.info and image.format in _JPEG_FORMATS:
        return 1  # the JPEG header carried no EXIF or XMP block: skip building an Exif object
    try:
        value = image.getexif().get(_ORIENTATION_TAG, 1)
    except (*_DECODE_ERRORS, KeyError, ZeroDivisionError):
        return 1  # unreadable EXIF: keep the pixels as stored rather than failing on metadata
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _orient(img: torch.Tensor, orientation: int) -> torch.Tensor:
    """Apply EXIF ``orientation`` to a ``(C, H, W)`` tensor, as PIL's ``exif_transpose`` does."""
    if orientation <= 1:
        return img
    if orientation >= 5:  # 5-8 swap the axes first
        img = img.transpose(-2, -1)
    flips = {2: (-1,), 3: (-2, -1), 4: (-2,), 6: (-1,), 7: (-2, -1), 8: (-2,)}.get(orientation)
    return img.flip(flips) if flips else img


# os.open flags: never block on a FIFO (it is refused as not a regular file right after opening)
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def _read_file(name: str) -> bytearray:
    """The bytes of the regular file ``name``, as a bytearray the decoders can read without a copy.

    One open and one ``fstat`` (no separate existence check); a missing path, a folder or a special
    file raises :class:`DataError` naming it.
    """
    try:
        fd = os.open(name, _OPEN_FLAGS)
    except OSError:
        if os.path.exists(name) and not os.path.isfile(name):
            raise DataError(f"not an image file (it is a folder or a special file): {name}") from None
        if not os.path.exists(name):
            raise DataError(f"image file not found: {name}") from None
        raise  # e.g. no permission: an OSError, reported with its reason
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise DataError(f"not an image file (it is a folder or a special file): {name}")
        data = bytearray(info.st_size + 1)  # one byte more: a file grown since fstat fills it
        done = 0
        if hasattr(os, "readv"):  # straight into the buffer
            with memoryview(data) as view:
                while done < len(data) and (count := os.readv(fd, [view[done:]])):
                    done += count
                    if done == info.st_size:  # all that fstat promised, and no more: no extra read for 0
                        break
        del data[done:]  # the file is at most as long as fstat said (or there is no readv)
        if done > info.st_size:  # it grew since fstat: read to the end, as a plain read does
            while chunk := os.read(fd, 1 << 16):
                data += chunk
        return data
    finally:
        os.close(fd)


_decoders: tuple = ()


def _load_decoders() -> tuple:
    """torchvision's JPEG and PNG decoders as ``(frombuffer, uint8, mode, decode_jpeg, decode_png)``,
    each decoder called as ``decoder(buffer, mode, False)``.

    Its registered ops are called directly where they exist: the public functions add a deprecation
    warning and a usage log to every call, a third of the cost of a small PNG. Same ops, same pixels.
    """
    import torch
    from torchvision.io import ImageReadMode, decode_jpeg, decode_png

    keep_image_buffers()  # once per decoding process: see clscore.data._allocator

    try:
        ops = torch.ops.image  # the overloads themselves: one Python frame fewer per call
        return (
            torch.frombuffer,
            torch.uint8,
            ImageReadMode.RGB.value,
            ops.decode_jpeg.default,
            ops.decode_png.default,
        )
    except (AttributeError, RuntimeError):  # another torchvision layout: the public functions
        return (
            torch.frombuffer,
            torch.uint8,
            ImageReadMode.RGB,
            lambda buffer, mode, exif: decode_jpeg(buffer, mode=mode, apply_exif_orientation=exif),
            lambda buffer, mode, exif: decode_png(buffer, mode=mode, apply_exif_orientation=exif),
        )


def _decode_turbo(data: bytes | bytearray, *, png: bool) -> torch.Tensor | None:
    """torchvision's ``decode_png``/``decode_jpeg`` to RGB, or ``None`` when it refuses the data
    (then PIL decides)."""
    global _decoders
    if not _decoders:
        _decoders = _load_decoders()
    frombuffer, uint8, rgb, decode_jpeg, decode_png = _decoders
    buffer = frombuffer(data if isinstance(data, bytearray) else bytearray(data), dtype=uint8)
    try:
        return (decode_png if png else decode_jpeg)(buffer, rgb, False)
    except RuntimeError:
        return None


def _decode_png(data: bytes | bytearray, height: int, width: int) -> torch.Tensor | None:
    """A plain PNG through clscore's decoder where built (:mod:`clscore.data.png_decode`), else, or
    when it refuses the data, through torchvision's; ``None`` when both refuse (then PIL decides)."""
    img = _own_decoders()[0].decode_png(data, height, width)
    return img if img is not None else _decode_turbo(data, png=True)


@functools.cache
def _own_decoders() -> tuple[ModuleType, ModuleType]:
    """:mod:`~clscore.data.png_decode` and :mod:`~clscore.data.region_decode`, imported on the first
    decode (they import torch, which this module leaves until pixels are needed), not per image."""
    from clscore.data import png_decode, region_decode

    return png_decode, region_decode


def _high_bit_to_uint8(image: Image.Image) -> np.ndarray:
    array = np.asarray(image)
    if image.mode == "F":
        values = array.astype(np.float64)
        finite = values[np.isfinite(values)]
        scale = 255.0 if finite.size and finite.max() <= 1.0 else 1.0
        return np.clip(np.nan_to_num(values) * scale, 0, 255).round().astype(np.uint8)
    values = np.clip(array.astype(np.int64), 0, 65535)
    return ((values * 255 + 32767) // 65535).astype(np.uint8)
