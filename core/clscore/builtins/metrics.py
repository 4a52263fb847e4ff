"""The core's evaluation metrics, under MMClassification's ``evaluation.metric`` names.

Metric names are looked up ignoring case and underscores, so ``accuracy``, ``f1_score`` and
``confusion_matrix`` find ``Accuracy``, ``F1Score`` and ``ConfusionMatrix``. Lazy registrations only.
"""

from __future__ import annotations

from clscore.hookspecs import hookimpl

_SINGLE = "clscore.metrics.single_label"
_MULTI = "clscore.metrics.multi_label"

_METRICS: list[tuple[str, str, str]] = [
    (
        "Accuracy",
        "clscore.metrics.accuracy:Accuracy",
        "Top-k accuracy in percent: accuracy_top-1, accuracy_top-5, and so on.",
    ),
    ("Precision", f"{_SINGLE}:Precision", "Precision (%) of arg-max predictions; macro, micro or per class."),
    ("Recall", f"{_SINGLE}:Recall", "Recall (%) of arg-max predictions; macro, micro or per class."),
    ("F1Score", f"{_SINGLE}:F1Score", "F1 score (%) of arg-max predictions; macro, micro or per class."),
    ("Support", f"{_SINGLE}:Support", "Number of evaluated samples, in total or per class."),
    (
        "ConfusionMatrix",
        f"{_SINGLE}:ConfusionMatrix",
        "Confusion matrix: rows true classes, columns predicted.",
    ),
    ("mAP", f"{_MULTI}:mAP", "Multi-label mean average precision (%); difficult labels ignored."),
    ("CP", f"{_MULTI}:CP", "Multi-label per-class precision (%), averaged over classes; thr or top-k."),
    ("CR", f"{_MULTI}:CR", "Multi-label per-class recall (%), averaged over classes; thr or top-k."),
    ("CF1", f"{_MULTI}:CF1", "Multi-label F1 (%) of CP and CR; thr or top-k."),
    ("OP", f"{_MULTI}:OP", "Multi-label overall precision (%) over all sample-class pairs; thr or top-k."),
    ("OR", f"{_MULTI}:OR", "Multi-label overall recall (%) over all sample-class pairs; thr or top-k."),
    ("OF1", f"{_MULTI}:OF1", "Multi-label F1 (%) of OP and OR; thr or top-k."),
]


@hookimpl
def register_metrics(registry):
    for name, target, summary in _METRICS:
        registry.add(name, target, summary=summary)
