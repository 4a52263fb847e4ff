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
        num_classes = runner.num_classes
        if num_classes is None:
            return
        for split, dataset in runner.datasets().items():
            classes = getattr(dataset, "classes", None)
            if classes is not None and len(classes) != num_classes:
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
