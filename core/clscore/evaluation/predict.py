"""Running a model over a loader: every sample of the dataset scored exactly once, then the metrics.

Under DDP every rank scores its share (``DistributedSampler`` pads the shares to equal length);
scores, labels and dataset indices are all-gathered and the padding repeats dropped, so each sample
counts exactly once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader

from clscore import dist
from clscore.data.classes import dataset_labels
from clscore.data.samplers import ResumableSampler
from clscore.errors import ClsCoreError
from clscore.evaluation.metrics import Metric, compute_metrics


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
    scores, labels = scores[keep].cpu(), labels[keep].cpu()
    expected = len(loader.dataset)  # type: ignore[arg-type]
    if len(scores) != expected:
        raise ClsCoreError(f"evaluation scored {len(scores)} samples but the dataset has {expected}")
    return scores, labels


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
    return compute_metrics(metrics, scores, labels)
