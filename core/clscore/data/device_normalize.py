"""Moving a pipeline's trailing ``Normalize`` out of the workers, onto the training device.

A pipeline that ends with ``Normalize`` followed only by formatting steps (``ImageToTensor``,
``ToTensor``, ``Collect``, ...) gives the same batch whether the workers normalise each image or the
engine normalises the whole batch after the host-to-device copy; the second way ships uint8 images
(4x fewer bytes than float32) and does the arithmetic once per batch on the device. This module only
rewrites configs; the engine builds the batched step (:mod:`clscore.models.preprocessor`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

#: Steps that only change the container of the sample, never the pixel values.
FORMATTING_STEPS = frozenset({"ImageToTensor", "ToTensor", "Collect", "Transpose", "WrapFieldsToLists"})
#: The ``Normalize`` arguments the batched step takes over.
NORMALIZE_KEYS = ("mean", "std", "to_rgb", "to_bgr")
#: The attribute a dataset built with ``device_normalize=True`` carries (``None``: nothing was moved).
ATTRIBUTE = "device_normalize"


def _type_name(step: Any) -> str:
    return str(step.get("type", "")).rpartition(":")[2] if isinstance(step, Mapping) else ""


def normalize_settings(step: Mapping[str, Any]) -> dict[str, Any]:
    """The ``{mean, std, to_rgb, to_bgr}`` of a Normalize config, with Normalize's defaults filled in."""
    return {
        "mean": [float(m) for m in step["mean"]],
        "std": [float(s) for s in step["std"]],
        "to_rgb": bool(step.get("to_rgb", True)),
        "to_bgr": bool(step.get("to_bgr", False)),
    }


def has_normalize(pipeline: Any) -> bool:
    """Whether a pipeline list has a ``Normalize`` step anywhere."""
    return isinstance(pipeline, Sequence) and any(_type_name(s) == "Normalize" for s in pipeline)


def split_normalize(
    pipeline: Sequence[Any],
) -> tuple[list[Any], dict[str, Any] | None]:
    """``(pipeline without its trailing Normalize, that Normalize's settings)``.

    Only a Normalize followed by formatting steps alone is taken out, and only one whose arguments
    are all known (anything else, e.g. RandomErasing after it, keeps the pipeline as it is and
    returns ``None``).
    """
    steps = list(pipeline)
    for index in range(len(steps) - 1, -1, -1):
        name = _type_name(steps[index])
        if name == "Normalize":
            step = steps[index]
            if set(step) - {"type", *NORMALIZE_KEYS} or "mean" not in step or "std" not in step:
                return steps, None
            return steps[:index] + steps[index + 1 :], normalize_settings(step)
        if name not in FORMATTING_STEPS:
            return steps, None
    return steps, None


def split_dataset_normalize(ds_cfg: Any) -> tuple[Any, dict[str, Any] | None]:
    """A dataset config with its pipeline's trailing Normalize removed, and that Normalize's settings.

    Wrappers are followed (``dataset`` of RepeatDataset/ClassBalancedDataset, every entry of
    ``datasets``); a ConcatDataset is changed only when all its parts normalise alike. A config with
    nothing to move comes back unchanged with ``None``.
    """
    if not isinstance(ds_cfg, Mapping):
        return ds_cfg, None
    if isinstance(ds_cfg.get("pipeline"), Sequence) and not isinstance(ds_cfg.get("pipeline"), str):
        steps, settings = split_normalize(ds_cfg["pipeline"])
        if settings is None:
            return ds_cfg, None
        return {**copy.deepcopy(dict(ds_cfg)), "pipeline": copy.deepcopy(steps)}, settings
    if isinstance(ds_cfg.get("dataset"), Mapping):
        inner, settings = split_dataset_normalize(ds_cfg["dataset"])
        return ({**dict(ds_cfg), "dataset": inner}, settings) if settings else (ds_cfg, None)
    parts = ds_cfg.get("datasets")
    if isinstance(parts, Sequence) and parts and not isinstance(parts, str):
        split = [split_dataset_normalize(part) for part in parts]
        first = split[0][1]
        if first is None or any(settings != first for _, settings in split):
            return ds_cfg, None
        return {**dict(ds_cfg), "datasets": [cfg for cfg, _ in split]}, first
    return ds_cfg, None


def dataset_has_normalize(ds_cfg: Any) -> bool:
    """Whether any pipeline of a dataset config (wrappers followed) has a Normalize step."""
    if not isinstance(ds_cfg, Mapping):
        return False
    if has_normalize(ds_cfg.get("pipeline")):
        return True
    inner = [ds_cfg.get("dataset"), *(ds_cfg.get("datasets") or [])]
    return any(dataset_has_normalize(part) for part in inner)


def device_normalize(loader_or_dataset: Any) -> dict[str, Any] | None:
    """The Normalize settings a loader's dataset left for the device (``None``: its batches are ready)."""
    from torch.utils.data import DataLoader

    target = loader_or_dataset.dataset if isinstance(loader_or_dataset, DataLoader) else loader_or_dataset
    value = getattr(target, ATTRIBUTE, None)
    return dict(value) if isinstance(value, Mapping) else None
