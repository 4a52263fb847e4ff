"""The embedded UCI handwritten digits and their fixed train/val split (numpy only, no torch).

``digits/digits.csv.gz`` (see ``digits/ATTRIBUTION.md``): 1,797 rows of 64 pixel values (an 8x8
scan, row-major, 0-16) followed by the label 0-9.

Split (fixed, no randomness): within each class, samples are taken in file order and every 5th one
(positions 4, 9, 14, ... counting from 0) goes to **val**, the rest to **train**. That gives
1,442 train and 355 val samples, val holding 34-36 of each class.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from importlib import resources

import numpy as np

from clscore.errors import DataError

NUM_SAMPLES = 1797
TRAIN_SIZE = 1442
VAL_SIZE = 355
VAL_EVERY = 5
SPLITS = ("train", "val", "test")  # test is val: the set is too small for three parts


@lru_cache(maxsize=1)
def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 scans as ``uint8`` ``(N, 8, 8)`` with values 0-16, and their ``int64`` labels."""
    source = resources.files("clscore.data.datasets").joinpath("digits", "digits.csv.gz")
    try:
        with source.open("rb") as raw, gzip.open(raw, "rt") as text:
            table = np.loadtxt(text, delimiter=",", dtype=np.int64)
    except (OSError, ValueError) as exc:
        raise DataError(f"the embedded digits data is missing or damaged ({source}): {exc}") from None
    if table.shape != (NUM_SAMPLES, 65):
        raise DataError(f"the embedded digits data has shape {table.shape}, expected ({NUM_SAMPLES}, 65)")
    images = table[:, :64].reshape(-1, 8, 8).astype(np.uint8)
    labels = table[:, 64].copy()
    images.flags.writeable = False
    labels.flags.writeable = False
    return images, labels


def split_indices(labels: np.ndarray, split: str) -> np.ndarray:
    """Row indices (ascending) of ``split`` ("train", "val" or "test" = "val") under the fixed rule."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    position = np.empty(len(labels), dtype=np.int64)
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        position[members] = np.arange(len(members))
    in_val = position % VAL_EVERY == VAL_EVERY - 1
    return np.flatnonzero(in_val if split in ("val", "test") else ~in_val)
