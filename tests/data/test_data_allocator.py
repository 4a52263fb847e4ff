"""The heap tuning that keeps image-sized buffers between images: page faults, opt-outs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not os.confstr("CS_GNU_LIBC_VERSION"), reason="glibc only"
)

#: Frees and re-allocates a 48 MB buffer (over glibc's largest automatic mmap threshold, 32 MB),
#: writing one byte per page; prints whether tuning took and the page faults per round.
SCRIPT = r"""
import json, resource
from clscore.data._allocator import keep_image_buffers
tuned = keep_image_buffers()
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
rounds, before = 20, None
for index in range(rounds + 1):
    if index == 1:
        before = faults()
    buffer = bytearray(48 << 20)
    buffer[:: 4096] = b"x" * len(range(0, 48 << 20, 4096))
    del buffer
print(json.dumps({"tuned": tuned, "faults_per_round": (faults() - before) / rounds}))
"""


def _run(**env: str) -> dict:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "CLSCORE_MALLOC"))}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env={**environ, **env}, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_tuned_process_reuses_its_buffers_instead_of_faulting_in_fresh_pages():
    tuned, default = _run(), _run(CLSCORE_MALLOC_TUNING="0")
    assert tuned["tuned"] is True and default["tuned"] is False
    pages = (48 << 20) // 4096
    assert default["faults_per_round"] >= pages * 0.9  # mapped and unmapped every time
    assert tuned["faults_per_round"] < pages * 0.01  # kept in the heap


def test_the_users_own_malloc_variables_win():
    assert _run(MALLOC_TRIM_THRESHOLD_="1000000")["tuned"] is False


def test_decoding_tunes_the_process(tmp_path):
    script = (
        "import numpy as np; from PIL import Image; import clscore.data._allocator as a;"
        "from clscore.data.image_io import read_image;"
        f"p = {str(tmp_path / 'a.jpg')!r}; Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(p);"
        "assert a._tuned is None; read_image(p); print(a._tuned)"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "CLSCORE_MALLOC"))}
    done = subprocess.run(
        [sys.executable, "-c", script], env=environ, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "True"
