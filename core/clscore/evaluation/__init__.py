"""Evaluation: the metric components a config names, and a model's predictions over a whole loader.

Used alike by training (``EvalHook``) and by ``clsrun test``; names load lazily so that importing the
package costs no torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clscore._lazy import lazy_exports

if TYPE_CHECKING:
    from clscore.evaluation.metrics import (
        DEFAULT_METRIC,
        Metric,
        best_key,
        build_metrics,
        compute_metrics,
        metric_names,
    )
    from clscore.evaluation.predict import evaluate, predict_dataset

__all__ = [
    "DEFAULT_METRIC",
    "Metric",
    "best_key",
    "build_metrics",
    "compute_metrics",
    "evaluate",
    "metric_names",
    "predict_dataset",
]

_LAZY = {
    "DEFAULT_METRIC": "metrics",
    "Metric": "metrics",
    "best_key": "metrics",
    "build_metrics": "metrics",
    "compute_metrics": "metrics",
    "metric_names": "metrics",
    "evaluate": "predict",
    "predict_dataset": "predict",
}

__getattr__ = lazy_exports(__name__, globals(), _LAZY)
