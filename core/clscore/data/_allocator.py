"""Keep image-sized buffers in the process's heap between images (glibc's malloc).

Every sample allocates and frees the same few large buffers (the encoded file, the decoded image,
the crop, the resized output). With glibc's defaults, buffers over its mmap threshold are mapped
and unmapped each time, and a freed heap top over its trim threshold is given back to the kernel,
so the next image pays for fresh zeroed pages again: on ImageNet-size JPEGs that was 17 page faults
and 4-13 % of a worker's time per image (``benchmarks/bench_pipeline.py``). Raising both thresholds
once per process keeps the memory for reuse instead; what the process keeps is what it used at its
peak (bounded by the trim threshold).

Users choose otherwise through glibc's own variables (``MALLOC_MMAP_THRESHOLD_``,
``MALLOC_TRIM_THRESHOLD_``), which then win, or switch this off with ``CLSCORE_MALLOC_TUNING=0``.
Other C libraries, and allocators preloaded in glibc's place, are left alone.
"""

from __future__ import annotations

import ctypes
import os

#: mallopt's parameter numbers (malloc.h) and the values set.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD = 64 << 20  # a 12-megapixel RGB image is 36 MB
TRIM_THRESHOLD = 128 << 20
USER_VARIABLES = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")
OPT_OUT = "CLSCORE_MALLOC_TUNING"

_tuned: bool | None = None


def keep_image_buffers() -> bool:
    """Raise glibc's mmap and trim thresholds for this process (once); whether they were set.

    Forked DataLoader workers inherit the setting from the process that made them.
    """
    global _tuned
    if _tuned is None:
        _tuned = _tune()
    return _tuned


def _tune() -> bool:
    if os.environ.get(OPT_OUT, "1").strip() == "0" or any(name in os.environ for name in USER_VARIABLES):
        return False
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return False
        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError, ValueError):  # not glibc, or no confstr/dlopen on this platform
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
