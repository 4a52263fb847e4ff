"""Multi-label metrics: mAP (with and without difficult labels), CP/CR/CF1/OP/OR/OF1."""

from __future__ import annotations

import pytest
import torch

from clscore.metrics import CF1, CP, CR, OF1, OP, OR, average_performance, mAP
from clscore.plugins import build

SCORES = torch.tensor(
    [[0.9, 0.8, 0.3, 0.2], [0.1, 0.2, 0.2, 0.1], [0.7, 0.5, 0.9, 0.3], [0.8, 0.1, 0.1, 0.2]]
)
WITH_DIFFICULT = torch.tensor([[1, 1, 0, -1], [1, 1, 0, -1], [0, -1, 1, -1], [0, 1, 0, -1]])
NO_DIFFICULT = torch.tensor([[1, 1, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0]])


def test_map_reference_values():
    assert mAP()(SCORES, WITH_DIFFICULT)["mAP"] == pytest.approx(68.75)
    assert mAP()(SCORES, NO_DIFFICULT)["mAP"] == pytest.approx(70.8333, abs=1e-4)
    assert build("metric", {"type": "map"})(SCORES.numpy(), NO_DIFFICULT.tolist())["mAP"] == pytest.approx(
        70.8333, abs=1e-4
    )


def test_average_performance_threshold():
    # thr 0.5 (the default); difficult labels count as negatives, as in MMClassification
    result = average_performance(SCORES, WITH_DIFFICULT)
    expected_c = (1 / 3 + 1 / 2 + 1 + 0) / 4 * 100
    assert result["CP"] == pytest.approx(expected_c)
    assert result["CR"] == pytest.approx(expected_c)
    assert result["CF1"] == pytest.approx(expected_c)
    assert result["OP"] == pytest.approx(50.0)
    assert result["OR"] == pytest.approx(50.0)
    assert result["OF1"] == pytest.approx(50.0)


def test_average_performance_top_k():
    cp, cr = (1 / 3 + 1 + 1 / 2) / 4 * 100, (1 / 2 + 2 / 3 + 1) / 4 * 100
    op, o_r = 50.0, 4 / 6 * 100
    results = {}
    for metric in (CP, CR, CF1, OP, OR, OF1):
        results.update(metric(k=2)(SCORES, WITH_DIFFICULT))
    assert results == pytest.approx(
        {
            "CP": cp,
            "CR": cr,
            "CF1": 2 * cp * cr / (cp + cr),
            "OP": op,
            "OR": o_r,
            "OF1": 2 * op * o_r / (op + o_r),
        }
    )


def test_thr_wins_over_k():
    with pytest.warns(UserWarning, match="using thr"):
        both = OP(thr=0.5, k=1)(SCORES, WITH_DIFFICULT)
    assert both == {"OP": pytest.approx(50.0)}


def test_multi_label_input_checks():
    with pytest.raises(ValueError, match="shape"):
        mAP()(SCORES, WITH_DIFFICULT[:3])
    with pytest.raises(ValueError, match="k must be"):
        CP(k=0)(SCORES, WITH_DIFFICULT)
