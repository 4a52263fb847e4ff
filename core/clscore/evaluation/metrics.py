"""The metrics of ``evaluation.metric`` / ``clsrun test --metrics``: names, components, values, the best one."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import torch

from clscore.errors import ConfigError
from clscore.plugins import build, get_host

Metric = Callable[[torch.Tensor, torch.Tensor], Mapping[str, Any]]
#: What ``evaluation.metric`` means when a config gives none, in training and in ``clsrun test``.
DEFAULT_METRIC = "accuracy"
DEFAULT_METRIC_OPTIONS: dict[str, Any] = {"topk": (1, 5)}


def metric_names(metric: str | Sequence[str] | None) -> list[str]:
    """``evaluation.metric`` as a list of names: a list, a comma-separated string, or none (the default)."""
    if isinstance(metric, str):
        names = [name.strip() for name in metric.split(",") if name.strip()]
    else:
        names = [str(name) for name in metric or ()]
    return names or [DEFAULT_METRIC]


def build_metrics(
    metric: str | Sequence[str] | None = None,
    metric_options: Mapping[str, Any] | None = None,
    num_classes: int | None = None,
) -> list[Metric]:
    """The metric components named by ``metric``, each given the ``metric_options`` it accepts.

    A ``topk`` above the class count is clipped by the metric itself, keeping the requested key
    (``accuracy_top-5`` of a 3-class problem is 100), unlike MMClassification, which crashes.
    """
    options = dict(DEFAULT_METRIC_OPTIONS if metric_options is None else metric_options)
    registry = get_host().registry("metric")
    metrics = []
    for name in metric_names(metric):
        component = registry.get(name)
        kwargs = {k: v for k, v in options.items() if component.accepts(k)}
        if "num_classes" not in kwargs and num_classes and component.declares("num_classes"):
            kwargs["num_classes"] = num_classes
        metrics.append(build("metric", {"type": name, **kwargs}))
    return metrics


def _as_number(value: Any) -> Any:
    if torch.is_tensor(value):
        return value.item() if value.numel() == 1 else value.tolist()
    if hasattr(value, "item") and getattr(value, "size", 2) == 1:
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def compute_metrics(metrics: Iterable[Metric], scores: torch.Tensor, targets: torch.Tensor) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for metric in metrics:
        for key, value in dict(metric(scores, targets)).items():
            results[key] = _as_number(value)
    return results


def best_key(save_best: Any, metrics: Mapping[str, Any]) -> str | None:
    """The metric ``save_best`` tracks: its own name, or the first scalar metric for ``auto``/``true``."""
    if save_best in (None, False):
        return None
    if save_best in (True, "auto"):
        for key, value in metrics.items():
            if isinstance(value, (int, float)) and not (isinstance(value, float) and math.isnan(value)):
                return key
        return None
    if save_best not in metrics:
        raise ConfigError(
            f"evaluation.save_best: {save_best!r} is not among the metrics ({', '.join(metrics)}); "
            "use one of them or 'auto'"
        )
    return str(save_best)
