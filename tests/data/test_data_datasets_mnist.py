"""MNIST and Fashion-MNIST from idx files the tests write (plain and gzipped)."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest
import torch

from clscore.data.datasets.mnist import MNIST, FashionMNIST, read_idx_ubyte
from clscore.errors import DataError


def _idx(array: np.ndarray) -> bytes:
    return bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def _write(folder, name, array, gz=False):
    folder.mkdir(parents=True, exist_ok=True)
    data = _idx(array)
    if gz:
        (folder / f"{name}.gz").write_bytes(gzip.compress(data))
    else:
        (folder / name).write_bytes(data)


def _mnist(folder, gz=False):
    rng = np.random.default_rng(0)
    train = rng.integers(0, 256, (5, 28, 28), dtype=np.uint8)
    _write(folder, "train-images-idx3-ubyte", train, gz)
    _write(folder, "train-labels-idx1-ubyte", np.array([5, 0, 4, 1, 9], dtype=np.uint8), gz)
    _write(folder, "t10k-images-idx3-ubyte", train[:2], gz)
    _write(folder, "t10k-labels-idx1-ubyte", np.array([7, 2], dtype=np.uint8), gz)
    return train


@pytest.mark.parametrize("gz", [False, True])
def test_mnist_grayscale_is_replicated_to_rgb(tmp_path, gz):
    train = _mnist(tmp_path, gz)
    ds = MNIST(data_prefix=str(tmp_path))
    assert len(ds) == 5 and ds.gt_labels.tolist() == [5, 0, 4, 1, 9] and ds.classes[0] == "0 - zero"
    img = ds[2]["img"]
    assert img.shape == (3, 28, 28) and img.dtype == torch.uint8
    assert all(torch.equal(img[c], torch.from_numpy(train[2])) for c in range(3))
    assert ds[2]["filename"] == "mnist/train/00002"
    test = MNIST(data_prefix=str(tmp_path), test_mode=True)
    assert test.gt_labels.tolist() == [7, 2]


def test_torchvision_raw_layout_and_fashion_classes(tmp_path):
    _mnist(tmp_path / "raw")
    ds = FashionMNIST(data_prefix=str(tmp_path))
    assert ds.classes[0] == "T-shirt/top" and ds.classes[9] == "Ankle boot"
    assert ds[0]["filename"] == "fashion_mnist/train/00000"


def test_missing_and_broken_files(tmp_path):
    with pytest.raises(
        DataError, match=r"file not found: .*train-images-idx3-ubyte \(or \.gz\).*yann\.lecun"
    ):
        MNIST(data_prefix=str(tmp_path))
    with pytest.raises(DataError, match="fashion-mnist"):
        FashionMNIST(data_prefix=str(tmp_path))
    _mnist(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(DataError, match="truncated"):
        MNIST(data_prefix=str(tmp_path))
    path.write_bytes(b"\x00\x00\x0d\x01rest")
    with pytest.raises(DataError, match="magic"):
        read_idx_ubyte(str(path))
