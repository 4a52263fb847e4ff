"""Top-k accuracy."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from clscore.metrics._inputs import Thrs, above, single_label_inputs, thr_items


def topk_accuracy(
    scores: torch.Tensor, targets: torch.Tensor, topk: Sequence[int], thr: float | None = None
) -> list[torch.Tensor]:
    """Percentage of samples whose target is among the ``k`` best scores, for each ``k`` in ``topk``.

    A ``k`` above the number of classes is clipped to it (every sample counts as correct), instead of
    failing as MMClassification's top-5 does on fewer than 5 classes. With ``thr`` a hit counts only
    if its score is above ``thr``.
    """
    num_classes = scores.shape[1]
    maxk = min(max(topk), num_classes)
    top_scores, top_labels = scores.topk(maxk, dim=1)
    hits = (top_labels == targets.reshape(-1, 1)) & above(top_scores, thr)
    n = scores.shape[0]
    return [hits[:, : min(k, num_classes)].any(dim=1).float().sum() * (100.0 / n) for k in topk]


class Accuracy:
    """Top-k accuracy in percent: ``{"accuracy_top-1": …, "accuracy_top-5": …}``.

    ``topk`` is a list of ``k`` (keys ``accuracy_top-k``) or one integer (key ``accuracy``, as in
    MMClassification); a ``k`` above the number of classes is clipped, not an error. ``thrs``: a hit
    counts only if its score is above the threshold; a list of thresholds adds ``_thr_0.50``-style
    suffixes. The default ``None`` applies no threshold, which on probabilities equals
    MMClassification's default of 0.0 and also works on raw logits.
    """

    def __init__(self, topk: int | Sequence[int] = (1, 5), thrs: Thrs = None) -> None:
        ks = (topk,) if isinstance(topk, int) else tuple(topk)
        if not ks or any(isinstance(k, bool) or not isinstance(k, int) or k <= 0 for k in ks):
            raise ValueError(f"topk must be positive integers, got {topk!r}")
        self.topk = ks
        self.single = isinstance(topk, int)
        self.thrs = thrs

    def __repr__(self) -> str:
        return f"Accuracy(topk={self.topk}, thrs={self.thrs})"

    def __call__(self, scores: Any, targets: Any) -> dict[str, float]:
        scores, targets = single_label_inputs(scores, targets)
        results: dict[str, float] = {}
        for thr, suffix in thr_items(self.thrs):
            values = topk_accuracy(scores, targets, self.topk, thr)
            for k, value in zip(self.topk, values):
                name = "accuracy" if self.single else f"accuracy_top-{k}"
                results[name + suffix] = float(value)
        return results
