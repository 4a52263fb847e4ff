"""Multi-label metrics: mean average precision and thresholded per-class / overall P, R, F1."""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import torch

from clscore.metrics._inputs import multi_label_inputs

_EPS = torch.finfo(torch.float32).eps


def average_precision(scores: torch.Tensor, target: torch.Tensor) -> float:
    """AP of one class (0..1): mean precision at each positive, ranking by score.

    Difficult samples (target -1) are skipped: they neither count as hits nor lower the precision of
    the samples ranked after them. A class without positives has AP 0.
    """
    order = torch.argsort(scores, descending=True, stable=True)
    ranked = target[order]
    positive = ranked == 1
    total = int(positive.sum())
    if total == 0:
        return 0.0
    hits = positive.cumsum(0).float()
    counted = (ranked != -1).cumsum(0).float()
    return float((hits / counted.clamp(min=1))[positive].sum() / total)


def average_performance(
    scores: torch.Tensor, targets: torch.Tensor, thr: float | None = None, k: int | None = None
) -> dict[str, float]:
    """``CP``, ``CR``, ``CF1`` (per-class averages) and ``OP``, ``OR``, ``OF1`` (overall), in percent.

    A class is predicted when its score is at least ``thr``, or when it is among the ``k`` best of its
    sample. With neither, ``thr`` is 0.5; with both, ``thr`` wins (MMClassification's rules). As in
    MMClassification, difficult labels (-1) count as negatives here (``mAP`` skips them).
    """
    if thr is None and k is None:
        thr = 0.5
    elif thr is not None and k is not None:
        warnings.warn("both thr and k are given; using thr", UserWarning, stacklevel=2)
    if thr is not None:
        predicted = scores >= thr
    else:
        if isinstance(k, bool) or not isinstance(k, int) or k <= 0:
            raise ValueError(f"k must be a positive integer, got {k!r}")
        top = scores.topk(min(k, scores.shape[1]), dim=1).indices
        predicted = torch.zeros_like(scores, dtype=torch.bool).scatter_(1, top, True)
    present = targets == 1
    tp = (predicted & present).sum(0).float()
    fp = (predicted & ~present).sum(0).float()
    fn = (~predicted & present).sum(0).float()
    cp = float((tp / (tp + fp).clamp(min=_EPS)).mean() * 100)
    cr = float((tp / (tp + fn).clamp(min=_EPS)).mean() * 100)
    op = float(tp.sum() / (tp.sum() + fp.sum()).clamp(min=_EPS) * 100)
    o_r = float(tp.sum() / (tp.sum() + fn.sum()).clamp(min=_EPS) * 100)
    return {
        "CP": cp,
        "CR": cr,
        "CF1": 2 * cp * cr / max(cp + cr, _EPS),
        "OP": op,
        "OR": o_r,
        "OF1": 2 * op * o_r / max(op + o_r, _EPS),
    }


class mAP:
    """Mean average precision over classes in percent, key ``mAP``.

    Targets are ``(N, C)``: 1 present, 0 absent, -1 difficult (ignored); scores ``(N, C)``.
    """

    def __repr__(self) -> str:
        return "mAP()"

    def __call__(self, scores: Any, targets: Any) -> dict[str, float]:
        scores, targets = multi_label_inputs(scores, targets)
        aps = [average_precision(scores[:, c], targets[:, c]) for c in range(scores.shape[1])]
        return {"mAP": sum(aps) / len(aps) * 100}


class _AveragePerformance:
    """One of CP / CR / CF1 / OP / OR / OF1 with a threshold ``thr`` or a top-``k`` rule."""

    key: ClassVar[str]

    def __init__(self, thr: float | None = None, k: int | None = None) -> None:
        self.thr = thr
        self.k = k

    def __repr__(self) -> str:
        return f"{type(self).__name__}(thr={self.thr}, k={self.k})"

    def __call__(self, scores: Any, targets: Any) -> dict[str, float]:
        scores, targets = multi_label_inputs(scores, targets)
        return {self.key: average_performance(scores, targets, self.thr, self.k)[self.key]}


class CP(_AveragePerformance):
    """Per-class precision averaged over classes, in percent (key ``CP``).

    A class is predicted when its score is at least ``thr`` (default 0.5) or among the ``k`` best.
    """

    key = "CP"


class CR(_AveragePerformance):
    """Per-class recall averaged over classes, in percent (key ``CR``); ``thr``/``k`` as for :class:`CP`."""

    key = "CR"


class CF1(_AveragePerformance):
    """F1 of ``CP`` and ``CR``, in percent (key ``CF1``); ``thr``/``k`` as for :class:`CP`."""

    key = "CF1"


class OP(_AveragePerformance):
    """Overall precision over all (sample, class) pairs, in percent (key ``OP``); ``thr``/``k`` as for
    :class:`CP`."""

    key = "OP"


class OR(_AveragePerformance):
    """Overall recall over all (sample, class) pairs, in percent (key ``OR``); ``thr``/``k`` as for
    :class:`CP`."""

    key = "OR"


class OF1(_AveragePerformance):
    """F1 of ``OP`` and ``OR``, in percent (key ``OF1``); ``thr``/``k`` as for :class:`CP`."""

    key = "OF1"
