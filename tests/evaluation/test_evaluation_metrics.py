"""Metric names, components and the best-checkpoint key, shared by training and ``clsrun test``."""

from __future__ import annotations

import pytest
import torch

from clscore.errors import ConfigError
from clscore.evaluation import DEFAULT_METRIC, best_key, build_metrics, metric_names


def test_metrics_are_built_with_their_own_options_and_clipped_topk(clscore_host):
    metrics = build_metrics(["accuracy", "f1_score", "support"], {"topk": (1, 5), "average_mode": "macro"}, 3)
    scores = torch.tensor([[0.1, 0.2, 0.7], [0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.3, 0.3, 0.4]])
    results = {}
    for metric in metrics:
        results.update(metric(scores, torch.tensor([2, 0, 0, 1])))
    assert results["accuracy_top-1"] == pytest.approx(50.0) and results["accuracy_top-5"] == pytest.approx(
        100.0
    )
    assert results["support"] == 4 and "f1_score" in results
    assert best_key("auto", results) == "accuracy_top-1"
    with pytest.raises(ConfigError, match="save_best: 'top1' is not among the metrics"):
        best_key("top1", results)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, [DEFAULT_METRIC]),
        ([], [DEFAULT_METRIC]),
        ("accuracy", ["accuracy"]),
        ("accuracy, precision", ["accuracy", "precision"]),
        (("f1_score", "support"), ["f1_score", "support"]),
    ],
)
def test_metric_names_read_every_spelling_of_evaluation_metric(given, expected):
    assert metric_names(given) == expected


def test_no_metric_means_the_default_metric(clscore_host):
    scores = torch.tensor([[0.9, 0.1], [0.2, 0.8]])
    (metric,) = build_metrics(None, {"topk": (1,)})
    assert metric(scores, torch.tensor([0, 0])) == {"accuracy_top-1": pytest.approx(50.0)}
