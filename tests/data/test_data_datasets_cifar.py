"""CIFAR-10/100 from python-pickle batches the tests write; safe unpickling; missing files."""

from __future__ import annotations

import os
import pickle

import numpy as np
import pytest
import torch

from clscore.data.datasets.cifar import CIFAR10, CIFAR100
from clscore.errors import DataError
from clscore.plugins import build

CIFAR10_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def _dump(path, obj):
    with open(path, "wb") as fh:
        pickle.dump(obj, fh, protocol=2)


def _images(n, seed):
    return np.random.default_rng(seed).integers(0, 256, size=(n, 3072), dtype=np.uint8)


@pytest.fixture
def cifar10(tmp_path):
    folder = tmp_path / "cifar10" / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    for i in range(1, 6):
        _dump(folder / f"data_batch_{i}", {"data": _images(2, i), "labels": [i, (i + 3) % 10]})
    _dump(folder / "test_batch", {"data": _images(3, 0), "labels": [0, 9, 4]})
    _dump(folder / "batches.meta", {"label_names": CIFAR10_NAMES, "num_vis": 3072})
    return tmp_path / "cifar10"


def test_train_and_test_splits(cifar10):
    train = CIFAR10(data_prefix=str(cifar10))
    assert len(train) == 10 and train.classes == CIFAR10_NAMES
    assert train.gt_labels.tolist() == [1, 4, 2, 5, 3, 6, 4, 7, 5, 8]
    test = CIFAR10(data_prefix=str(cifar10), test_mode=True)
    assert len(test) == 3 and test.gt_labels.tolist() == [0, 9, 4]


def test_samples_are_rgb_chw_uint8_in_cifar_byte_order(cifar10):
    ds = CIFAR10(data_prefix=str(cifar10), test_mode=True)
    sample = ds[1]
    raw = _images(3, 0)[1]
    assert sample["img"].dtype == torch.uint8 and sample["img"].shape == (3, 32, 32)
    assert sample["img"][0].flatten().tolist() == raw[:1024].tolist()  # first 1024 bytes: red plane
    assert sample["img"][2, 31, 31] == raw[3071]
    assert sample["filename"] == "cifar10/test/00001" and sample["img_shape"] == (32, 32, 3)
    assert sample["gt_label"] == 9
    sample["img"][:] = 0  # samples are copies: the dataset is unchanged
    assert torch.equal(ds[1]["img"][0].flatten(), torch.from_numpy(raw[:1024]))


def test_cifar_pipeline_from_mmcls_config(cifar10):
    pipeline = [
        {"type": "RandomCrop", "size": 32, "padding": 4},
        {"type": "RandomFlip", "flip_prob": 0.5, "direction": "horizontal"},
        {
            "type": "Normalize",
            "mean": [125.307, 122.961, 113.8575],
            "std": [51.5865, 50.847, 51.255],
            "to_rgb": False,
        },
        {"type": "ImageToTensor", "keys": ["img"]},
        {"type": "ToTensor", "keys": ["gt_label"]},
        {"type": "Collect", "keys": ["img", "gt_label"]},
    ]
    ds = build("dataset", {"type": "CIFAR10", "data_prefix": str(cifar10), "pipeline": pipeline})
    batch = next(iter(torch.utils.data.DataLoader(ds, batch_size=4)))
    assert batch["img"].shape == (4, 3, 32, 32) and batch["gt_label"].tolist() == [1, 4, 2, 5]


def test_folder_itself_may_be_given(cifar10):
    assert len(CIFAR10(data_prefix=str(cifar10 / "cifar-10-batches-py"))) == 10


def test_missing_batches_name_the_file_and_the_source(tmp_path, cifar10):
    with pytest.raises(
        DataError, match=r"file not found: .*cifar-10-batches-py/data_batch_1.*cifar-10-python\.tar\.gz"
    ):
        CIFAR10(data_prefix=str(tmp_path / "nothing"))
    os.remove(cifar10 / "cifar-10-batches-py" / "test_batch")
    with pytest.raises(DataError, match=r"test_batch.*never downloads"):
        CIFAR10(data_prefix=str(cifar10), test_mode=True)


def test_malicious_pickle_is_refused(cifar10, tmp_path):
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    _dump(cifar10 / "cifar-10-batches-py" / "data_batch_3", {"data": Payload(), "labels": []})
    with pytest.raises(DataError, match=r"data_batch_3 is not a CIFAR python batch.*refusing"):
        CIFAR10(data_prefix=str(cifar10))
    assert not marker.exists()


def test_cifar100_fine_labels(tmp_path):
    folder = tmp_path / "cifar-100-python"
    folder.mkdir()
    _dump(
        folder / "train", {"data": _images(4, 1), "fine_labels": [0, 99, 5, 5], "coarse_labels": [0, 1, 2, 3]}
    )
    _dump(folder / "test", {"data": _images(2, 2), "fine_labels": [1, 2], "coarse_labels": [0, 0]})
    _dump(folder / "meta", {"fine_label_names": [f"c{i}" for i in range(100)], "coarse_label_names": []})
    ds = CIFAR100(data_prefix=str(tmp_path))
    assert len(ds.classes) == 100 and ds.gt_labels.tolist() == [0, 99, 5, 5]
    assert ds[1]["filename"] == "cifar100/train/00001"
    assert len(CIFAR100(data_prefix=str(tmp_path), test_mode=True)) == 2
