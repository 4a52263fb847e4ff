"""Checks before training: the head's class count against the dataset's classes and labels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from clscore.engine.hooks.base import Hook
from clscore.errors import DataError

if TYPE_CHECKING:
    from clscore.engine.runner import Runner


def dataset_labels(dataset: Any) -> np.ndarray | None:
    """The dataset's labels (``gt_labels`` or ``get_gt_labels()``), or ``None`` when it has none."""
    labels = getattr(dataset, "gt_labels", None)
    if labels is None and callable(getattr(dataset, "get_gt_labels", None)):
        labels = dataset.get_gt_labels()
    if labels is None:
        return None
    try:
        return np.asarray(labels).reshape(len(labels), -1)
    except (TypeError, ValueError):
        return None


class ClassNumCheckHook(Hook):
    """Warns when ``head.num_classes`` differs from ``len(dataset.classes)``; errors on labels out of range.

    A label outside ``[0, num_classes)`` would fail deep inside the loss, so it is reported before the
    first iteration with the dataset split and the offending value.
    """

    priority = "VERY_HIGH"

    def before_run(self, runner: Runner) -> None:
        datasets = runner.datasets()
        differ = self._check_same_classes(runner, datasets)
        num_classes = runner.num_classes
        if num_classes is None:
            return
        for split, dataset in datasets.items():
            classes = getattr(dataset, "classes", None)
            if classes is not None and len(classes) != num_classes and split not in differ:
                message = (
                    f"the model's head has num_classes={num_classes} but the {split} dataset has "
                    f"{len(classes)} classes; set model.head.num_classes={len(classes)} if that is not intended"
                )
                if runner.is_main:
                    runner.logger.warning(message)
            labels = dataset_labels(dataset)
            if labels is None or labels.size == 0 or labels.shape[1] != 1:
                continue
            low, high = int(labels.min()), int(labels.max())
            if low < 0 or high >= num_classes:
                bad = low if low < 0 else high
                raise DataError(
                    f"the {split} dataset has label {bad}, outside [0, {num_classes - 1}] for "
                    f"model.head.num_classes={num_classes}; fix the annotations or the class count"
                )

    @staticmethod
    def _check_same_classes(runner: Runner, datasets: dict[str, Any]) -> set[str]:
        """Labels are indices into ``classes``: a val folder that lacks a class (or has another) shifts them.

        Warns about, and returns, the splits whose classes are not the train split's.
        """
        train_set = datasets.get("train")
        train = getattr(train_set, "classes", None) if names_classes(train_set) else None
        differ = set()
        for split, dataset in datasets.items():
            classes = getattr(dataset, "classes", None)
            if split == "train" or train is None or classes is None or list(classes) == list(train):
                continue
            if not names_classes(dataset):
                continue
            differ.add(split)
            if not runner.is_main:
                continue
            runner.logger.warning(
                "the %s dataset's classes differ from the train dataset's (%s: %s; train: %s); labels are "
                "compared by index, so its metrics are wrong unless the two lists match. Give data.%s.classes "
                "the train classes, in order",
                split,
                split,
                describe_classes(classes),
                describe_classes(train),
                split,
            )
        return differ


def names_classes(dataset: Any) -> bool:
    """Whether ``dataset.classes`` are names the data gives (folders, a built-in set): an ``ann_file`` gives
    labels only, and its class names are then placeholders ("0", "1", ... or ImageNet's) not worth comparing."""
    return dataset is not None and getattr(dataset, "ann_file", None) is None


def describe_classes(classes: Any) -> str:
    """``a, b, c`` or, for long lists, ``a, b, c, d, e, f, ... (1000 in all)``."""
    names = [str(c) for c in classes]
    return ", ".join(names[:6]) + (f", ... ({len(names)} in all)" if len(names) > 6 else "")
