"""What every clscore dataset shares: class names, all labels up front, the pipeline."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
from torch.utils.data import Dataset

from clscore.data.bad_samples import ErrorPolicy, read_guarded
from clscore.data.compose import Compose
from clscore.errors import DataError


def read_class_names(classes: str | os.PathLike[str] | Sequence[str] | None) -> list[str] | None:
    """``classes`` as a list of names: ``None`` stays ``None``; a path is a file with one name a line."""
    if classes is None:
        return None
    if isinstance(classes, str | os.PathLike):
        path = os.fspath(classes)
        if not os.path.isfile(path):
            raise DataError(f"classes file not found: {path} (expected one class name per line)")
        with open(path, encoding="utf-8") as fh:
            names = [line.strip() for line in fh if line.strip()]
        if not names:
            raise DataError(f"classes file {path} lists no class names")
        return names
    if isinstance(classes, Sequence):
        names = [str(c) for c in classes]
        if not names:
            raise DataError("classes is an empty list; give the class names or leave classes out")
        return names
    raise TypeError(f"classes must be None, a list of names or a file path, got {type(classes).__name__}")


class LabelledDataset(Dataset):
    """A dataset that knows its ``classes`` and all its labels (``gt_labels``) without decoding images."""

    classes: list[str]
    gt_labels: np.ndarray

    @property
    def CLASSES(self) -> list[str]:  # MMClassification's name
        return self.classes

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {name: index for index, name in enumerate(self.classes)}

    def get_gt_labels(self) -> np.ndarray:
        return self.gt_labels

    def get_cat_ids(self, index: int) -> list[int]:
        """The class indices of sample ``index`` (one for single-label data)."""
        return [int(self.gt_labels[index])]

    def __len__(self) -> int:
        return len(self.gt_labels)


class BaseDataset(LabelledDataset):
    """Base of the concrete datasets: subclasses implement :meth:`load` and :meth:`get_sample`.

    ``classes`` (None, a list of names, or a file with one name a line) overrides the dataset's own
    names; labels must fall in ``range(len(classes))``. ``__getitem__`` runs ``pipeline`` on a fresh
    sample dict, so transforms may change it freely.

    A sample that cannot be read follows ``error_policy`` (set by the builder from the config's
    ``on_error``, see :mod:`clscore.data.bad_samples`): one error naming the file, its index and the
    reason, or, under ``skip``, the next readable sample in its place.
    """

    error_policy: ErrorPolicy = ErrorPolicy()

    def __init__(
        self,
        pipeline: Sequence[dict] | None = None,
        classes: str | Sequence[str] | None = None,
        test_mode: bool = False,
    ) -> None:
        self.test_mode = bool(test_mode)
        self.pipeline = Compose(pipeline)
        requested = read_class_names(classes)
        labels, default_classes = self.load(requested)
        self.classes = list(requested if requested is not None else default_classes)
        self.gt_labels = np.asarray(labels, dtype=np.int64).reshape(-1)
        self._check_labels()

    def load(self, classes: list[str] | None) -> tuple[np.ndarray, list[str]]:
        """Read the data's index; return all labels and the default class names.

        ``classes`` is the user's list (or None), for datasets whose labels depend on it (folders).
        """
        raise NotImplementedError

    def get_sample(self, index: int) -> dict[str, Any]:
        """The sample dict before the pipeline."""
        raise NotImplementedError

    def __getitem__(self, index: int) -> Any:
        if index < 0:
            index += len(self)
        return read_guarded(self._load, index, len(self), self.error_policy, self.sample_name)

    def _load(self, index: int) -> Any:
        return self.pipeline(self.get_sample(index))

    def sample_name(self, index: int) -> str:
        """What messages call sample ``index``: its file, else the dataset and the index."""
        try:
            filename = self.get_sample(index).get("filename")
        except Exception:  # the name is only for a message; the error itself is reported already
            filename = None
        return str(filename) if filename else f"{self.describe()}[{index}]"

    def _check_labels(self) -> None:
        if not len(self.gt_labels):
            return
        low, high = int(self.gt_labels.min()), int(self.gt_labels.max())
        if low < 0 or high >= len(self.classes):
            raise DataError(
                f"{self.describe()}: labels range over {low}..{high} but there are {len(self.classes)} "
                "classes; fix the labels or give the full class list in 'classes'"
            )

    def describe(self) -> str:
        """A short name for messages, e.g. ``ImageNet(data/imagenet/train)``."""
        where = getattr(self, "data_prefix", None) or getattr(self, "ann_file", None) or ""
        return f"{type(self).__name__}({where})"

    def __repr__(self) -> str:
        return (
            f"{self.describe()}: {len(self)} samples, {len(self.classes)} classes, "
            f"{'test' if self.test_mode else 'train'} mode, pipeline {self.pipeline!r}"
        )
