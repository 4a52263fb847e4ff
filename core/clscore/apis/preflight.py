"""One check before anything is written: config, files, data listing, model shapes, metric names.

``clsrun train`` and ``clsrun test`` run it before they create a work dir or a log;
``clsrun config validate --deep`` runs it on demand (plain ``validate`` stays torch-free and does
only the config part). The model is built on the ``meta`` device and run on a meta batch of the
pipeline's output size, so a wrong ``head.in_channels`` is found in milliseconds, without memory.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from clscore.config._preflight import check_before_run
from clscore.data.bad_samples import leaf_datasets
from clscore.data.builder import build_dataset
from clscore.errors import ClsCoreError, ConfigError, DataError
from clscore.evaluation import build_metrics, compute_metrics

#: Errors a component's constructor raises for a bad argument (reported with the key path).
_ARGUMENT_ERRORS = (ValueError, TypeError, KeyError, AssertionError)
#: How many missing files a message lists.
_LISTED = 5


@dataclass
class Preflight:
    """What the checks built (reused by the run, so the data is listed once) and what they warn about."""

    datasets: list[Any] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def preflight(
    cfg: Mapping[str, Any],
    *,
    validate: bool = True,
    load_from: str | None = None,
    resume_from: str | None = None,
    device_normalize: bool = True,
) -> Preflight:
    """Check a training config; raise one :class:`ConfigError`/:class:`DataError` for what is wrong.

    Returns the train (and, with ``validate``, val) datasets for the run to use.
    """
    splits = ("train", "val") if validate else ("train",)
    checkpoints = {
        "load_from": load_from or cfg.get("load_from"),
        "resume_from": resume_from or cfg.get("resume_from"),
    }
    check_before_run(cfg, splits=splits, checkpoints=checkpoints)
    result = Preflight()
    data = cfg["data"]
    train_set = build_dataset(data.get("train"), split="train", device_normalize=device_normalize)
    result.datasets.append(train_set)
    if validate and data.get("val"):
        classes = getattr(train_set, "classes", None)
        result.datasets.append(
            build_dataset(data["val"], split="val", classes=classes, device_normalize=device_normalize)
        )
    for split, dataset in zip(splits, result.datasets):
        check_listed_files(dataset, f"data.{split}")
        result.warnings += empty_class_folders(dataset, f"data.{split}")
    num_classes = check_model(cfg["model"], train_set)
    if validate and data.get("val"):
        check_save_best(cfg.get("evaluation"), num_classes)
    return result


# -- data -------------------------------------------------------------------------------------------
def check_listed_files(dataset: Any, key: str) -> None:
    """Every image an ``ann_file`` lists exists (a missing one would otherwise fail hours in)."""
    for leaf in leaf_datasets(dataset):
        ann_file, samples = getattr(leaf, "ann_file", None), getattr(leaf, "samples", None)
        if not ann_file or samples is None:
            continue
        prefix = getattr(leaf, "data_prefix", None)
        missing = [
            path
            for path in (os.path.join(prefix, rel) if prefix else rel for rel, _ in samples)
            if not os.path.isfile(path)
        ]
        if missing:
            listed = ", ".join(missing[:_LISTED]) + (", ..." if len(missing) > _LISTED else "")
            raise DataError(
                f"{key}.ann_file: {len(missing)} of the {len(samples)} images {ann_file} lists do not exist "
                f"({listed}); fix the lines or data_prefix"
            )


def empty_class_folders(dataset: Any, key: str) -> list[str]:
    """A warning for class folders without images: they stay classes (as in MMClassification)."""
    warnings = []
    for leaf in leaf_datasets(dataset):
        prefix = getattr(leaf, "data_prefix", None)
        if getattr(leaf, "ann_file", None) or not prefix or not hasattr(leaf, "gt_labels"):
            continue
        counts = np.bincount(np.asarray(leaf.gt_labels, dtype=np.int64), minlength=len(leaf.classes))
        empty = [str(leaf.classes[i]) for i in np.flatnonzero(counts == 0)]
        folders = [name for name in empty if os.path.isdir(os.path.join(prefix, name))]
        if folders:
            warnings.append(
                f"{key}: class folder(s) {', '.join(folders[:_LISTED])} in {prefix} hold no images; they "
                "still count as classes (the labels of the folders after them are numbered past them) and "
                "their outputs never train. Fill or remove them, or list 'classes' explicitly"
            )
    return warnings


# -- model ------------------------------------------------------------------------------------------
def _input_shape(dataset: Any) -> tuple[int, ...] | None:
    sample = dataset[0]
    img = sample.get("img") if isinstance(sample, Mapping) else None
    if not isinstance(img, torch.Tensor) or img.dim() != 3:
        return None
    return tuple(img.shape)


def check_model(model_cfg: Mapping[str, Any], dataset: Any) -> int | None:
    """Build the model on the meta device and run it on a meta batch shaped like the pipeline's output.

    Returns the head's class count. Operations that the meta device does not support end the check
    quietly: the real run will tell.
    """
    from clscore.models.builder import build_model

    try:
        model = _build_on_meta(build_model, model_cfg)
    except ClsCoreError:
        raise
    except _ARGUMENT_ERRORS as exc:
        raise ConfigError(f"model: {' '.join(str(exc).split())}") from None
    shape = _input_shape(dataset)
    if shape is None:
        return getattr(model, "num_classes", None)
    img = torch.empty((2, *shape), device="meta")
    where = f"an input of {'x'.join(map(str, shape))} (the data.train pipeline's output)"
    try:
        with torch.no_grad():
            feats = model.extract_feat(img)
            check_head_channels(model, feats, where)
            if getattr(model, "head", None) is not None:
                model(img)
    except ClsCoreError:
        raise
    except NotImplementedError:
        return getattr(model, "num_classes", None)
    except RuntimeError as exc:
        raise ConfigError(
            f"model: does not run on {where}: {' '.join(str(exc).split())}; check the channels and sizes "
            "the parts pass on (model.head.in_channels, the neck, the pipeline's crop size)"
        ) from None
    return getattr(model, "num_classes", None)


def _build_on_meta(build_model: Any, model_cfg: Mapping[str, Any]) -> Any:
    """The model with meta parameters: built on the meta device, or, for a component whose constructor
    reads tensor values (``torch.linspace(...).tolist()``), built on the CPU and moved there."""
    try:
        with torch.device("meta"):
            return build_model(model_cfg)
    except NotImplementedError:
        return build_model(model_cfg).to("meta")


def check_head_channels(model: Any, feats: Any, where: str) -> None:
    """``model.head.in_channels`` against the channels the neck (or backbone) gives."""
    head = getattr(model, "head", None)
    expected = getattr(head, "in_channels", None)
    last = feats[-1] if isinstance(feats, Sequence) else feats
    if not isinstance(expected, int) or not torch.is_tensor(last) or last.dim() < 2:
        return
    channels = int(last.shape[1])
    if channels != expected:
        backbone = type(getattr(model, "backbone", None)).__name__
        raise ConfigError(
            f"model.head.in_channels: {expected}, but the features reaching the head have {channels} "
            f"channels ({backbone} on {where}); set model.head.in_channels: {channels}"
        )


# -- metrics ----------------------------------------------------------------------------------------
def metric_keys(evaluation: Mapping[str, Any], num_classes: int) -> list[str]:
    """The keys the configured metrics produce, found by running them on a tiny made-up batch."""
    metrics = build_metrics(evaluation.get("metric"), evaluation.get("metric_options"), num_classes)
    scores = torch.softmax(torch.arange(4 * num_classes, dtype=torch.float32).reshape(4, num_classes), 1)
    targets = torch.arange(4) % num_classes
    return list(compute_metrics(metrics, scores, targets))


def check_save_best(evaluation: Any, num_classes: int | None) -> None:
    """``evaluation.save_best`` names a metric the configured metrics produce."""
    if not isinstance(evaluation, Mapping):
        return
    save_best = evaluation.get("save_best")
    if save_best in (None, False, True, "auto") or not num_classes:
        return
    try:
        keys = metric_keys(evaluation, num_classes)
    except ClsCoreError:
        raise
    except Exception:  # a metric that needs real data: the evaluation will tell
        return
    if save_best in keys:
        return
    close = difflib.get_close_matches(str(save_best), keys, n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise ConfigError(
        f"evaluation.save_best: {save_best!r} is not a metric the evaluation produces; {hint}"
        f"it produces {', '.join(keys)} (or use 'auto')"
    )


__all__ = ["Preflight", "check_model", "check_save_best", "preflight"]
