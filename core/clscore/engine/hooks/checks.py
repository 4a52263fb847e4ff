"""Checks before training: the head's class count against the dataset's classes and labels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clscore.data.classes import dataset_labels, describe_classes, names_classes
from clscore.engine.hooks.base import Hook
from clscore.errors import DataError

if TYPE_CHECKING:
    from clscore.engine.runner import Runner


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
