"""Running a model over a loader and computing the ``evaluation.metric`` metrics.

Under DDP every rank scores its share (``DistributedSampler`` pads the shares to equal length);
scores, labels and dataset indices are all-gathered and the padding repeats dropped, so each sample
counts exactly once.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader

from clscore.engine import dist
from clscore.engine.hooks.checks import dataset_labels
from clscore.engine.loader import ResumableSampler
from clscore.errors import ClsCoreError, ConfigError
from clscore.plugins import build, get_host, signature_of

Metric = Callable[[torch.Tensor, torch.Tensor], Mapping[str, Any]]
DEFAULT_METRIC_OPTIONS: dict[str, Any] = {"topk": (1, 5)}


def build_metrics(
    metric: str | Sequence[str] | None = "accuracy",
    metric_options: Mapping[str, Any] | None = None,
    num_classes: int | None = None,
) -> list[Metric]:
    """The metric components named by ``metric``, each given the ``metric_options`` it accepts.

    A ``topk`` above the class count is clipped by the metric itself, keeping the requested key
    (``accuracy_top-5`` of a 3-class problem is 100), unlike MMClassification, which crashes.
    """
    names = [metric] if isinstance(metric, str) else list(metric or ["accuracy"])
    options = dict(DEFAULT_METRIC_OPTIONS if metric_options is None else metric_options)
    registry = get_host().registry("metric")
    metrics = []
    for name in names:
        component = registry.get(name)
        sig = signature_of(component.target)
        accepted = None if sig is None or sig.open_kwargs else set(sig.names)
        kwargs = {k: v for k, v in options.items() if accepted is None or k in accepted}
        if accepted is not None and "num_classes" in accepted and "num_classes" not in kwargs and num_classes:
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


@torch.no_grad()
def predict_dataset(
    model: nn.Module,
    loader: DataLoader,
    device: torch.device,
    autocast: Callable[[], contextlib.AbstractContextManager[Any]] | None = None,
    prepare_input: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(scores, labels)`` for every sample of ``loader.dataset``, in dataset order, once each."""
    was_training = model.training
    model.eval()
    scores_parts: list[torch.Tensor] = []
    label_parts: list[torch.Tensor] = []
    try:
        for batch in loader:
            img = batch["img"].to(device, non_blocking=True)
            if prepare_input is not None:
                img = prepare_input(img)
            with autocast() if autocast is not None else contextlib.nullcontext():
                scores = model.predict(img)  # type: ignore[operator]
            scores_parts.append(scores.float())
            if "gt_label" in batch:
                label_parts.append(torch.as_tensor(batch["gt_label"]).to(device, non_blocking=True))
    finally:
        model.train(was_training)
    if not scores_parts:
        raise ClsCoreError("the evaluation dataset is empty; check data.val")
    scores = torch.cat(scores_parts)
    sampler = loader.sampler
    if isinstance(sampler, ResumableSampler):
        indices = torch.as_tensor(sampler.rank_indices(), device=device)
    else:
        indices = torch.arange(len(scores), device=device)
    if label_parts:
        labels = torch.cat(label_parts)
    else:  # the pipeline did not Collect gt_label (MMClassification's test pipelines): take the dataset's
        known = dataset_labels(loader.dataset)
        if known is None:
            raise ClsCoreError(
                "the evaluation pipeline drops gt_label and the dataset has no gt_labels to use"
            )
        labels = torch.as_tensor(known)[indices.cpu()].squeeze(-1).to(device)
    if dist.is_dist():
        scores, labels, indices = (dist.all_gather_cat(t) for t in (scores, labels, indices))
    order = torch.argsort(indices, stable=True)
    indices, scores, labels = indices[order], scores[order], labels[order]
    keep = torch.ones_like(indices, dtype=torch.bool)
    keep[1:] = indices[1:] != indices[:-1]
    return scores[keep].cpu(), labels[keep].cpu()


def evaluate(
    model: nn.Module,
    loader: DataLoader,
    metrics: Iterable[Metric],
    device: torch.device,
    autocast: Callable[[], contextlib.AbstractContextManager[Any]] | None = None,
    prepare_input: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> dict[str, Any]:
    """Metric values over ``loader``'s whole dataset (every rank gets the same numbers)."""
    scores, labels = predict_dataset(model, loader, device, autocast, prepare_input)
    expected = len(loader.dataset)  # type: ignore[arg-type]
    if len(scores) != expected:
        raise ClsCoreError(f"evaluation scored {len(scores)} samples but the dataset has {expected}")
    return compute_metrics(metrics, scores, labels)


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
