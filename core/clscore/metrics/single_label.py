"""Single-label metrics from the confusion of predicted (arg-max) and true classes."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import torch

from clscore.metrics._inputs import Thrs, above, single_label_inputs, thr_items

AverageMode = Literal["macro", "micro", "none"]
_AVERAGE_MODES = ("macro", "micro", "none")
_EPS = torch.finfo(torch.float32).eps


def confusion_matrix(scores: torch.Tensor, targets: torch.Tensor, num_classes: int) -> torch.Tensor:
    """``(C, C)`` counts: row = true class, column = predicted (arg-max) class."""
    pred = scores.argmax(dim=1)
    return torch.bincount(targets * num_classes + pred, minlength=num_classes**2).reshape(
        num_classes, num_classes
    )


def precision_recall_f1(
    scores: torch.Tensor, targets: torch.Tensor, average_mode: str = "macro", thr: float | None = None
) -> dict[str, Any]:
    """``precision``, ``recall``, ``f1_score`` (percent) and ``support`` of the arg-max predictions.

    A prediction whose top score is not above ``thr`` counts as no prediction. ``macro`` averages the
    per-class values over all classes (a class never predicted has precision 0), ``micro`` pools the
    counts of all classes, ``none`` keeps one value per class. Macro F1 is the mean of per-class F1, as
    in MMClassification. ``support`` is the number of samples (per class with ``none``).
    """
    if average_mode not in _AVERAGE_MODES:
        raise ValueError(f"average_mode must be one of {', '.join(_AVERAGE_MODES)}, got {average_mode!r}")
    num_classes = scores.shape[1]
    top_score, pred = scores.max(dim=1)
    predicted = above(top_score, thr)
    tp = torch.bincount(targets[predicted & (pred == targets)], minlength=num_classes).float()
    pred_count = torch.bincount(pred[predicted], minlength=num_classes).float()
    gt_count = torch.bincount(targets, minlength=num_classes).float()
    if average_mode == "micro":
        tp, pred_count, gt_count = tp.sum(), pred_count.sum(), gt_count.sum()
    precision = tp / pred_count.clamp(min=1) * 100
    recall = tp / gt_count.clamp(min=1) * 100
    f1 = 2 * precision * recall / (precision + recall).clamp(min=_EPS)
    if average_mode == "none":
        return {
            "precision": precision.tolist(),
            "recall": recall.tolist(),
            "f1_score": f1.tolist(),
            "support": gt_count.tolist(),
        }
    return {
        "precision": float(precision.mean()),
        "recall": float(recall.mean()),
        "f1_score": float(f1.mean()),
        "support": float(gt_count.sum()),
    }


class _PerClassMetric:
    """One of precision / recall / F1 for each threshold, with MMClassification's key names."""

    key: ClassVar[str]

    def __init__(self, average_mode: AverageMode = "macro", thrs: Thrs = None) -> None:
        if average_mode not in _AVERAGE_MODES:
            raise ValueError(f"average_mode must be one of {', '.join(_AVERAGE_MODES)}, got {average_mode!r}")
        self.average_mode = average_mode
        self.thrs = thrs

    def __repr__(self) -> str:
        return f"{type(self).__name__}(average_mode={self.average_mode!r}, thrs={self.thrs})"

    def __call__(self, scores: Any, targets: Any) -> dict[str, float | list[float]]:
        scores, targets = single_label_inputs(scores, targets)
        return {
            self.key + suffix: precision_recall_f1(scores, targets, self.average_mode, thr)[self.key]
            for thr, suffix in thr_items(self.thrs)
        }


class Precision(_PerClassMetric):
    """Precision of the arg-max predictions in percent, key ``precision``.

    ``average_mode``: ``macro`` (mean over classes), ``micro`` (pooled counts) or ``none`` (a list, one
    per class). ``thrs``: predictions whose top score is not above it are dropped; a list of thresholds
    gives ``precision_thr_0.50``-style keys.
    """

    key = "precision"


class Recall(_PerClassMetric):
    """Recall of the arg-max predictions in percent, key ``recall``; options as for :class:`Precision`."""

    key = "recall"


class F1Score(_PerClassMetric):
    """F1 score in percent, key ``f1_score``; macro F1 is the mean of per-class F1. Options as for
    :class:`Precision`."""

    key = "f1_score"


class Support(_PerClassMetric):
    """The number of samples, key ``support``; with ``average_mode: none`` one count per class."""

    key = "support"

    def __init__(self, average_mode: AverageMode = "macro") -> None:
        super().__init__(average_mode)


class ConfusionMatrix:
    """The confusion matrix of the arg-max predictions, key ``confusion_matrix``.

    A list of rows, one per true class, each counting the predicted classes. ``num_classes``, when
    given, is checked against the scores.
    """

    def __init__(self, num_classes: int | None = None) -> None:
        self.num_classes = num_classes

    def __repr__(self) -> str:
        return f"ConfusionMatrix(num_classes={self.num_classes})"

    def __call__(self, scores: Any, targets: Any) -> dict[str, list[list[int]]]:
        scores, targets = single_label_inputs(scores, targets)
        num_classes = scores.shape[1]
        if self.num_classes is not None and self.num_classes != num_classes:
            raise ValueError(
                f"ConfusionMatrix num_classes={self.num_classes} but the scores have {num_classes}"
            )
        return {"confusion_matrix": confusion_matrix(scores, targets, num_classes).tolist()}
