"""RepeatDataset, ConcatDataset, ClassBalancedDataset."""

from __future__ import annotations

import math

import numpy as np
import pytest

from clscore.data.datasets.base import BaseDataset
from clscore.data.datasets.wrappers import ClassBalancedDataset, ConcatDataset, RepeatDataset
from clscore.errors import ComponentError, DataError
from clscore.plugins import build


class Toy(BaseDataset):
    """Labels given directly; a sample is its index and label."""

    def __init__(self, labels, classes=None, pipeline=None):
        self._labels = labels
        super().__init__(pipeline=pipeline, classes=classes)

    def load(self, classes):
        return np.array(self._labels), ["a", "b", "c"]

    def get_sample(self, index):
        return {"index": index, "gt_label": self.gt_labels[index]}


def test_repeat_dataset():
    ds = RepeatDataset(Toy([0, 1, 2]), times=3)
    assert len(ds) == 9 and ds.classes == ["a", "b", "c"]
    assert ds.gt_labels.tolist() == [0, 1, 2] * 3
    assert [ds[i]["index"] for i in (0, 4, 8, -1)] == [0, 1, 2, 2]
    with pytest.raises(ComponentError, match="times"):
        build("dataset", {"type": "RepeatDataset", "dataset": {"type": "Digits"}, "times": 0})


def test_repeat_dataset_from_config():
    ds = build(
        "dataset", {"type": "RepeatDataset", "times": 2, "dataset": {"type": "Digits", "split": "val"}}
    )
    assert len(ds) == 710 and [str(i) for i in range(10)] == ds.CLASSES


def test_concat_dataset():
    ds = ConcatDataset([Toy([0, 1]), Toy([2, 2, 1])])
    assert len(ds) == 5 and ds.gt_labels.tolist() == [0, 1, 2, 2, 1]
    assert [ds[i]["index"] for i in range(5)] == [0, 1, 0, 1, 2]
    assert ds[-1]["index"] == 2
    with pytest.raises(IndexError):
        ds[5]
    with pytest.raises(DataError, match="same 'classes'"):
        ConcatDataset([Toy([0]), Toy([0], classes=["x", "y", "z"])])


def test_class_balanced_repeat_factors():
    labels = [0] * 8 + [1] * 2  # frequencies 0.8 and 0.2
    ds = ClassBalancedDataset(Toy(labels), oversample_thr=0.5)
    factors = ds.repeat_factors()
    assert factors[0] == 1.0 and factors[-1] == pytest.approx(math.sqrt(0.5 / 0.2))  # 1.58 -> 2 copies
    assert len(ds) == 8 + 2 * 2 and ds.gt_labels.tolist() == [0] * 8 + [1, 1, 1, 1]
    assert [ds[i]["index"] for i in range(8, 12)] == [8, 8, 9, 9]
    assert len(ClassBalancedDataset(Toy(labels), oversample_thr=0.0)) == 10
    rare = ClassBalancedDataset(Toy([0] * 99 + [1]), oversample_thr=0.1)  # sqrt(0.1 / 0.01) = 3.16 -> 4
    assert len(rare) == 99 + 4
