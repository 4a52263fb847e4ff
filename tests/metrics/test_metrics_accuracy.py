"""Top-k accuracy (mmcls-semantics.md §4.3 vector)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from clscore.errors import ComponentError
from clscore.metrics import Accuracy, topk_accuracy
from clscore.plugins import build

SCORES = [[0.1, 0.2, 0.4], [0.2, 0.5, 0.3], [0.4, 0.3, 0.1], [0.8, 0.9, 0.0]]
TARGETS = [2, 0, 0, 0]


def test_reference_vector():
    assert Accuracy(topk=[1, 2])(SCORES, TARGETS) == {"accuracy_top-1": 50.0, "accuracy_top-2": 75.0}


@pytest.mark.parametrize("convert", [torch.tensor, np.array, list])
def test_input_types(convert):
    assert Accuracy(topk=1)(convert(SCORES), convert(TARGETS)) == {"accuracy": 50.0}


def test_top5_on_three_classes_is_clipped_not_a_crash():
    result = build("metric", {"type": "accuracy"})(SCORES, TARGETS)
    assert result == {"accuracy_top-1": 50.0, "accuracy_top-5": 100.0}


def test_thresholds():
    acc = Accuracy(topk=(1, 2), thrs=(0.0, 0.45))
    result = acc(SCORES, TARGETS)
    assert result == {
        "accuracy_top-1_thr_0.00": 50.0,
        "accuracy_top-2_thr_0.00": 75.0,
        # the correct top-1 hits (samples 0 and 2) score 0.4; only sample 3's top-2 hit (0.8) passes
        "accuracy_top-1_thr_0.45": 0.0,
        "accuracy_top-2_thr_0.45": 25.0,
    }
    assert Accuracy(topk=1, thrs=0.35)(SCORES, TARGETS) == {"accuracy": 50.0}


def test_topk_accuracy_function():
    scores = torch.tensor(SCORES)
    values = topk_accuracy(scores, torch.tensor(TARGETS), (1, 3))
    assert [float(v) for v in values] == [50.0, 100.0]


def test_bad_inputs():
    with pytest.raises(ValueError, match="topk"):
        Accuracy(topk=[0])
    with pytest.raises(ComponentError, match="topk"):
        build("metric", {"type": "Accuracy", "topk": -1})
    with pytest.raises(ValueError, match="4 scores but 3 targets"):
        Accuracy()(SCORES, TARGETS[:3])
    with pytest.raises(ValueError, match=r"class indices in \[0, 3\)"):
        Accuracy()(SCORES, [0, 1, 2, 3])
    with pytest.raises(ValueError, match="no samples"):
        Accuracy()(torch.zeros(0, 3), torch.zeros(0))
    with pytest.raises(TypeError, match="scores must be"):
        Accuracy()("scores", TARGETS)
