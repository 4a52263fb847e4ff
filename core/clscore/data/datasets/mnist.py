"""MNIST and Fashion-MNIST from the idx files in a local folder (never downloaded)."""

from __future__ import annotations

import gzip
import math
import os

import numpy as np
import torch

from clscore.data.datasets.in_memory import LocalSplitDataset
from clscore.errors import DataError


def read_idx_ubyte(path: str) -> np.ndarray:
    """An unsigned-byte idx array (the MNIST file format; ``.gz`` files are decompressed)."""
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            data = fh.read()
    except (OSError, EOFError) as exc:
        raise DataError(f"cannot read {path}: {exc}") from None
    if len(data) < 4 or data[0] or data[1] or data[2] != 0x08:
        raise DataError(f"{path} is not an unsigned-byte idx file (bad magic number)")
    ndim = data[3]
    header = 4 + 4 * ndim
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    if len(data) != header + math.prod(dims):
        raise DataError(f"{path} is truncated: header says {dims}, file has {len(data) - header} data bytes")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


class MNIST(LocalSplitDataset):
    """MNIST handwritten digits: 60,000 train / 10,000 test grayscale 28x28, as RGB (replicated).

    ``data_prefix`` holds the four idx files (``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``), optionally ``.gz``, directly or in
    ``raw/`` (torchvision's layout). ``test_mode`` selects the t10k files.
    """

    #: Side of every image, so inference can bring image files to the size the model was trained on.
    IMG_SIZE = 28

    NAME = "mnist"
    SOURCE = "http://yann.lecun.com/exdb/mnist/ (mirror: https://ossci-datasets.s3.amazonaws.com/mnist/)"
    FILES = {
        "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
        "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
    }
    DEFAULT_CLASSES = (
        "0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
        "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine",
    )  # fmt: skip

    def _find(self, name: str) -> str:
        for folder in (self.data_prefix, os.path.join(self.data_prefix, "raw")):
            for candidate in (name, f"{name}.gz"):
                path = os.path.join(folder, candidate)
                if os.path.isfile(path):
                    return path
        files = ", ".join(n for pair in self.FILES.values() for n in pair)
        raise DataError(
            f"{type(self).__name__}: file not found: {os.path.join(self.data_prefix, name)} (or .gz). "
            f"Expected the idx files {files} in {self.data_prefix}; get them from {self.SOURCE}. "
            "clscore never downloads data."
        )

    def load_arrays(self) -> tuple[torch.Tensor, np.ndarray, list[str]]:
        images_file, labels_file = (self._find(n) for n in self.FILES[self.split])
        images = read_idx_ubyte(images_file)
        labels = read_idx_ubyte(labels_file)
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise DataError(
                f"{images_file} and {labels_file} do not match: images {images.shape}, labels {labels.shape}"
            )
        return (
            torch.from_numpy(images.copy()).unsqueeze(1),
            labels.astype(np.int64),
            list(self.DEFAULT_CLASSES),
        )

    def describe(self) -> str:
        return f"{type(self).__name__}({self.data_prefix}, {self.split})"


class FashionMNIST(MNIST):
    """Fashion-MNIST: Zalando's 28x28 grayscale clothing images in MNIST's idx format and file names."""

    NAME = "fashion_mnist"
    SOURCE = "https://github.com/zalandoresearch/fashion-mnist"
    DEFAULT_CLASSES = (
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    )  # fmt: skip
