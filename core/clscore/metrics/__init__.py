"""Evaluation metrics: callables ``metric(scores, targets) -> {name: value}``, values in percent.

Configured in ``__init__`` (``topk``, ``thrs``, ``average_mode``, ``thr``, ``k`` where they mean
something), called once on the whole evaluation set, with MMClassification's key names
(``accuracy_top-1``, ``precision``, ``f1_score``, ``mAP``, ``CP``, …).
"""

from clscore.metrics.accuracy import Accuracy, topk_accuracy
from clscore.metrics.multi_label import CF1, CP, CR, OF1, OP, OR, average_performance, mAP
from clscore.metrics.single_label import (
    ConfusionMatrix,
    F1Score,
    Precision,
    Recall,
    Support,
    confusion_matrix,
    precision_recall_f1,
)

__all__ = [
    "CF1",
    "CP",
    "CR",
    "OF1",
    "OP",
    "OR",
    "Accuracy",
    "ConfusionMatrix",
    "F1Score",
    "Precision",
    "Recall",
    "Support",
    "average_performance",
    "confusion_matrix",
    "mAP",
    "precision_recall_f1",
    "topk_accuracy",
]
