"""Dataset wrappers: repeat, concatenate, class-balanced oversampling.

Each takes datasets as config dicts (built through the registry, so any plugin's dataset fits) or
as built datasets, and keeps the ``classes``/``gt_labels`` contract.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from clscore.data.builder import build_dataset
from clscore.data.datasets.base import LabelledDataset
from clscore.errors import DataError


def labels_of(dataset: Any) -> np.ndarray:
    labels = getattr(dataset, "gt_labels", None)
    if labels is None:
        raise DataError(
            f"{type(dataset).__name__} has no gt_labels; wrappers need datasets that list their labels"
        )
    return np.asarray(labels, dtype=np.int64)


class RepeatDataset(LabelledDataset):
    """``dataset`` repeated ``times`` times: makes short epochs longer (fewer evaluations and restarts)."""

    def __init__(self, dataset: dict | Any, times: int) -> None:
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError(f"times must be a positive int, got {times!r}")
        self.dataset = build_dataset(dataset)
        self.times = times
        self.classes = list(self.dataset.classes)
        self._base_len = len(self.dataset)
        self.gt_labels = np.tile(labels_of(self.dataset), times)

    def __getitem__(self, index: int) -> Any:
        if index < 0:
            index += len(self)
        return self.dataset[index % self._base_len]


class ConcatDataset(LabelledDataset):
    """Several datasets one after another; all must have the same classes in the same order."""

    def __init__(self, datasets: Sequence[dict | Any]) -> None:
        if isinstance(datasets, Mapping) or not isinstance(datasets, Sequence) or not datasets:
            raise ValueError("datasets must be a non-empty list of dataset configs or datasets")
        self.datasets = [build_dataset(d) for d in datasets]
        self.classes = list(self.datasets[0].classes)
        for index, dataset in enumerate(self.datasets[1:], start=1):
            if list(dataset.classes) != self.classes:
                raise DataError(
                    f"ConcatDataset: dataset {index} ({type(dataset).__name__}) has classes "
                    f"{list(dataset.classes)[:5]}... but dataset 0 has {self.classes[:5]}...; "
                    "give all of them the same 'classes'"
                )
        self.gt_labels = np.concatenate([labels_of(d) for d in self.datasets])
        self._ends = np.cumsum([len(d) for d in self.datasets])

    def __getitem__(self, index: int) -> Any:
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"index {index} out of range for ConcatDataset of length {len(self)}")
        which = int(np.searchsorted(self._ends, index, side="right"))
        start = int(self._ends[which - 1]) if which else 0
        return self.datasets[which][index - start]


class ClassBalancedDataset(LabelledDataset):
    """Oversample rare classes (repeat factor sampling, Gupta et al., LVIS 2019), as MMClassification.

    For class ``c`` with frequency ``f(c)`` (fraction of samples labelled ``c``), the repeat factor is
    ``r(c) = max(1, sqrt(oversample_thr / f(c)))``; a sample's factor is the largest over its classes
    (1 with none), and it appears ``ceil(r)`` times. Classes rarer than ``oversample_thr`` are thus
    oversampled; ``oversample_thr: 0`` changes nothing.
    """

    def __init__(self, dataset: dict | Any, oversample_thr: float) -> None:
        if oversample_thr < 0:
            raise ValueError(f"oversample_thr must be >= 0, got {oversample_thr}")
        self.dataset = build_dataset(dataset)
        self.oversample_thr = float(oversample_thr)
        self.classes = list(self.dataset.classes)
        factors = self.repeat_factors()
        self.repeat_indices = np.repeat(np.arange(len(factors)), np.ceil(factors).astype(np.int64))
        self.gt_labels = labels_of(self.dataset)[self.repeat_indices]

    def _cat_ids(self) -> list[list[int]]:
        if hasattr(self.dataset, "get_cat_ids"):
            return [list(self.dataset.get_cat_ids(i)) for i in range(len(self.dataset))]
        return [[int(label)] for label in labels_of(self.dataset)]

    def repeat_factors(self) -> np.ndarray:
        """The repeat factor of every sample of the wrapped dataset."""
        cat_ids = self._cat_ids()
        counts: dict[int, int] = {}
        for ids in cat_ids:
            for c in set(ids):
                counts[c] = counts.get(c, 0) + 1
        total = len(cat_ids)
        class_factor = {c: max(1.0, math.sqrt(self.oversample_thr / (n / total))) for c, n in counts.items()}
        return np.array(
            [max((class_factor[c] for c in ids), default=1.0) for ids in cat_ids], dtype=np.float64
        )

    def __getitem__(self, index: int) -> Any:
        return self.dataset[int(self.repeat_indices[index])]
