"""Evaluating a trained model on a split of its config's data (``clsrun test``, confusion matrix).

Everything heavy lives below: the dataset and loader builders (``clscore.data.builder``),
:func:`~clscore.evaluation.predict_dataset` (each sample scored exactly once under DDP) and the metric
components. What is added here is the choice of the
split, of the metrics and their options (``clsrun test``'s defaults are the config's ``evaluation``),
and per-sample predictions.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from clscore.apis._config import to_plain
from clscore.apis.trained import TrainedModel
from clscore.data.builder import build_dataloader, build_dataset, loader_options
from clscore.data.classes import describe_classes, names_classes
from clscore.data.device_normalize import device_normalize
from clscore.engine.precision import build_precision
from clscore.errors import ClsCoreError, ConfigError
from clscore.evaluation import build_metrics, compute_metrics, metric_names, predict_dataset
from clscore.models.preprocessor import batch_preprocessor
from clscore.plugins import get_host

logger = logging.getLogger("clscore")

#: ``clsrun test --metric-options`` names that the metric components call differently.
OPTION_ALIASES = {"average": "average_mode", "thr": "thrs"}


@dataclass
class EvaluationResult:
    split: str
    metrics: dict[str, Any]
    scores: torch.Tensor
    labels: torch.Tensor


def eval_split(cfg: Mapping[str, Any], split: str | None = None) -> str:
    """``split`` if given and present, else ``test``, else ``val``."""
    data = cfg.get("data") or {}
    if split is not None:
        if not isinstance(data.get(split), Mapping):
            raise ConfigError(f"the config has no data.{split} dataset")
        return split
    for name in ("test", "val"):
        if isinstance(data.get(name), Mapping):
            return name
    raise ConfigError("the config has neither data.test nor data.val to evaluate on")


def metric_settings(
    cfg: Mapping[str, Any], metrics: Sequence[str] = (), options: Mapping[str, Any] | None = None
) -> tuple[list[str], dict[str, Any] | None]:
    """The metric names and options: the given ones, else those of the config's ``evaluation``.

    Options given on the command line update the config's (so ``topk=1`` alone keeps nothing else).
    """
    evaluation = cfg.get("evaluation") or {}
    names = list(metrics) or metric_names(evaluation.get("metric"))
    merged = (
        dict(evaluation.get("metric_options") or {}) if evaluation.get("metric_options") is not None else None
    )
    if options:
        merged = {**(merged or {}), **canonical_options(options)}
    return names, merged


def canonical_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Options under the metric components' parameter names (``average`` -> ``average_mode``)."""
    return {OPTION_ALIASES.get(k, k): v for k, v in options.items()}


def check_options(names: Sequence[str], options: Mapping[str, Any] | None) -> None:
    """Every option the user gave must be one some selected metric takes (else it would be silently ignored)."""
    if not options:
        return
    components = [get_host().registry("metric").get(name) for name in names]
    unknown = sorted(k for k in options if not any(c.accepts(k) for c in components))
    if unknown:
        accepted = {n for c in components if (sig := c.signature()) is not None for n in sig.names}
        raise ClsCoreError(
            f"--metric-options {', '.join(unknown)}: none of the metrics {', '.join(names)} takes "
            f"{'it' if len(unknown) == 1 else 'them'}; they take {', '.join(sorted(accepted)) or 'no options'}"
        )


def build_eval_loader(
    cfg: Mapping[str, Any],
    split: str,
    *,
    rank: int = 0,
    world_size: int = 1,
    device_type: str = "cpu",
    classes: Sequence[str] | None = None,
) -> Any:
    """The loader over ``data.<split>`` (test_mode), shared among ``world_size`` processes.

    ``classes`` (the checkpoint's) numbers the labels of a dataset whose config names no classes. A
    trailing ``Normalize`` runs on the device, batched (:func:`evaluate_trained` applies it).
    """
    data = to_plain(cfg.get("data") or {})
    dataset = build_dataset(data.get(split), split=split, classes=classes, device_normalize=True)
    return build_dataloader(
        dataset,
        loader_options(data, split),
        rank=rank,
        world_size=world_size,
        seed=0,
        train=False,
        device_type=device_type,
    )


def evaluate_trained(
    trained: TrainedModel,
    loader: Any,
    split: str,
    metrics: Sequence[str],
    options: Mapping[str, Any] | None,
) -> EvaluationResult:
    """Score every sample of ``loader`` once and compute ``metrics`` (the same path as training's evaluation)."""
    check_classes(trained, loader.dataset, split)
    plain = trained.cfg.to_dict()
    precision = build_precision(plain, trained.device)
    if precision.channels_last:
        trained.model.to(memory_format=torch.channels_last)
    scores, labels = predict_dataset(
        trained.model,
        loader,
        trained.device,
        autocast=precision.autocast,
        prepare_input=batch_preprocessor(
            trained.model,
            device_normalize(loader),
            device=trained.device,
            channels_last=precision.channels_last,
            where=f"data.{split}.pipeline",
        ),
    )
    built = build_metrics(
        list(metrics), options, getattr(trained.model, "num_classes", None) or scores.shape[1]
    )
    return EvaluationResult(split, compute_metrics(built, scores, labels), scores, labels)


def check_classes(trained: TrainedModel, dataset: Any, split: str) -> None:
    """Warn when the data's classes are not the ones the checkpoint was trained on: labels would then
    index other classes than the model's outputs, and the metrics would be silently wrong."""
    dataset_classes = getattr(dataset, "classes", None) if names_classes(dataset) else None
    if not dataset_classes or not trained.has_stored_classes:
        return
    ours, theirs = list(trained.classes), [str(c) for c in dataset_classes]
    if ours == theirs:
        return
    logger.warning(
        "data.%s's classes (%s) are not those %s was trained on (%s); labels are compared by index, so the "
        "metrics are wrong unless both lists are the same. Set data.%s.classes to the checkpoint's classes, "
        "in that order.",
        split,
        describe_classes(theirs),
        trained.checkpoint,
        describe_classes(ours),
        split,
    )


def predictions(result: EvaluationResult, classes: Sequence[str]) -> list[dict[str, Any]]:
    """Per-sample ``index``, ``gt_label``, ``pred_label``, ``pred_score``, ``pred_class``."""
    top_score, top_label = result.scores.max(dim=1)
    rows = []
    for index, (gt, label, score) in enumerate(
        zip(result.labels.tolist(), top_label.tolist(), top_score.tolist())
    ):
        name = classes[label] if 0 <= label < len(classes) else str(label)
        rows.append(
            {"index": index, "gt_label": gt, "pred_label": label, "pred_score": score, "pred_class": name}
        )
    return rows
