"""Precision, recall, F1, support and the confusion matrix on the reference's 6-sample example."""

from __future__ import annotations

import pytest
import torch

from clscore.metrics import ConfusionMatrix, F1Score, Precision, Recall, Support
from clscore.plugins import build

TARGETS = torch.tensor([0, 0, 1, 2, 1, 0])
PREDS = torch.tensor([0, 0, 1, 2, 2, 2])
SCORES = torch.full((6, 3), 0.1).scatter_(1, PREDS.reshape(-1, 1), 0.8)


def test_reference_example_macro():
    assert Precision()(SCORES, TARGETS)["precision"] == pytest.approx((1 + 1 + 1 / 3) / 3 * 100)
    assert Recall()(SCORES, TARGETS)["recall"] == pytest.approx((2 / 3 + 1 / 2 + 1) / 3 * 100)
    assert F1Score()(SCORES, TARGETS)["f1_score"] == pytest.approx((4 / 5 + 2 / 3 + 1 / 2) / 3 * 100)
    assert Support()(SCORES, TARGETS) == {"support": 6.0}
    accuracy = build("metric", {"type": "accuracy", "topk": 1})(SCORES, TARGETS)
    assert accuracy["accuracy"] == pytest.approx(4 / 6 * 100)


def test_micro_equals_accuracy_for_single_label():
    for metric in (Precision, Recall, F1Score):
        (value,) = metric(average_mode="micro")(SCORES, TARGETS).values()
        assert value == pytest.approx(4 / 6 * 100)


def test_per_class_values():
    assert Precision(average_mode="none")(SCORES, TARGETS)["precision"] == pytest.approx([100, 100, 100 / 3])
    assert Recall(average_mode="none")(SCORES, TARGETS)["recall"] == pytest.approx([200 / 3, 50, 100])
    assert Support(average_mode="none")(SCORES, TARGETS) == {"support": [3.0, 2.0, 1.0]}


def test_thresholds_drop_unsure_predictions():
    scores = SCORES.clone()
    scores[5] = torch.tensor([0.3, 0.3, 0.4])  # the wrong prediction of sample 5 is unsure
    result = Precision(thrs=[0.0, 0.5])(scores, TARGETS)
    assert set(result) == {"precision_thr_0.00", "precision_thr_0.50"}
    assert result["precision_thr_0.00"] == pytest.approx((1 + 1 + 1 / 3) / 3 * 100)
    assert result["precision_thr_0.50"] == pytest.approx((1 + 1 + 1 / 2) / 3 * 100)
    recall = Recall(thrs=0.5)(scores, TARGETS)
    assert recall == {"recall": pytest.approx((2 / 3 + 1 / 2 + 1) / 3 * 100)}


def test_confusion_matrix():
    result = build("metric", {"type": "confusion_matrix"})(SCORES, TARGETS)
    assert result == {"confusion_matrix": [[2, 0, 1], [0, 1, 1], [0, 0, 1]]}
    with pytest.raises(ValueError, match="num_classes=4"):
        ConfusionMatrix(num_classes=4)(SCORES, TARGETS)


def test_a_list_of_metrics_as_the_engine_builds_them():
    results: dict = {}
    for name in ("accuracy", "precision", "recall", "f1_score", "support"):
        results.update(build("metric", {"type": name})(SCORES, TARGETS))
    assert set(results) == {"accuracy_top-1", "accuracy_top-5", "precision", "recall", "f1_score", "support"}


def test_bad_average_mode():
    with pytest.raises(ValueError, match="average_mode"):
        Precision(average_mode="weighted")
