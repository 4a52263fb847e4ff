"""What a dataset says about its classes and labels, for the checks before training and evaluation."""

from __future__ import annotations

from typing import Any

import numpy as np


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


def names_classes(dataset: Any) -> bool:
    """Whether ``dataset.classes`` are names the data gives (folders, a built-in set): an ``ann_file`` gives
    labels only, and its class names are then placeholders ("0", "1", ... or ImageNet's) not worth comparing."""
    return dataset is not None and getattr(dataset, "ann_file", None) is None


def describe_classes(classes: Any) -> str:
    """``a, b, c`` or, for long lists, ``a, b, c, d, e, f, ... (1000 in all)``."""
    names = [str(c) for c in classes]
    return ", ".join(names[:6]) + (f", ... ({len(names)} in all)" if len(names) > 6 else "")
