"""Choosing the split, metrics and metric options for ``clsrun test``."""

from __future__ import annotations

import pytest
import torch

from clscore.apis.evaluation import (
    EvaluationResult,
    check_options,
    eval_split,
    metric_settings,
    predictions,
)
from clscore.errors import ClsCoreError, ConfigError


def test_eval_split():
    assert eval_split({"data": {"val": {}, "test": {}}}) == "test"
    assert eval_split({"data": {"val": {}}}) == "val"
    assert eval_split({"data": {"val": {}, "train": {}}}, "train") == "train"
    with pytest.raises(ConfigError):
        eval_split({"data": {"train": {}}})


def test_metric_settings_default_to_the_config_evaluation():
    cfg = {"evaluation": {"metric": ["accuracy", "precision"], "metric_options": {"topk": [1, 5]}}}
    assert metric_settings(cfg) == (["accuracy", "precision"], {"topk": [1, 5]})
    assert metric_settings({}) == (["accuracy"], None)  # engine default options: topk (1, 5)
    assert metric_settings({"evaluation": {"metric": "accuracy,recall"}})[0] == ["accuracy", "recall"]
    names, options = metric_settings(cfg, ["f1_score"], {"average": "micro"})
    assert names == ["f1_score"] and options == {"topk": [1, 5], "average_mode": "micro"}


def test_unknown_options_are_an_error():
    check_options(["accuracy", "precision"], {"topk": [1], "average_mode": "macro", "thrs": 0.5})
    with pytest.raises(ClsCoreError, match="none of the metrics accuracy takes it; they take thrs, topk"):
        check_options(["accuracy"], {"average_mode": "macro"})


def test_predictions():
    scores = torch.tensor([[0.1, 0.9], [0.8, 0.2]])
    result = EvaluationResult("test", {}, scores, torch.tensor([1, 1]))
    rows = predictions(result, ["cat", "dog"])
    assert rows[0] == {
        "index": 0,
        "gt_label": 1,
        "pred_label": 1,
        "pred_score": pytest.approx(0.9),
        "pred_class": "dog",
    }
    assert rows[1]["pred_class"] == "cat"
