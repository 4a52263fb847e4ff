"""``tiny_config``: the smallest complete config around the components a plugin wants to test."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from clscore.config import Config

#: Mean and std that map ``uint8`` pixels to about [-1, 1].
_NORM = {"mean": [127.5, 127.5, 127.5], "std": [127.5, 127.5, 127.5]}


def tiny_config(
    backbone: Mapping[str, Any],
    transforms: Sequence[Mapping[str, Any]] = (),
    *,
    neck: Mapping[str, Any] | None = None,
    head: Mapping[str, Any] | None = None,
    in_channels: int | None = None,
    num_classes: int = 2,
    size: int = 32,
    num_samples: int = 8,
    batch_size: int = 4,
) -> Config:
    """A config that trains ``backbone`` with ``transforms`` in front of the standard formatting steps.

    The data is ``clscore.testing.data.TinyDataset`` (use a host made with
    ``isolated_host(..., tiny_data=True)``); the neck defaults to ``GlobalAveragePooling`` and the
    head to a ``LinearClsHead`` whose ``in_channels`` is ``in_channels`` or, when left out, filled in
    from the backbone's ``out_channels``. Any key can be changed afterwards, as in any config.
    """
    pipeline = [
        *[dict(t) for t in transforms],
        {"type": "Normalize", **_NORM},
        {"type": "ImageToTensor", "keys": ["img"]},
        {"type": "ToTensor", "keys": ["gt_label"]},
        {"type": "Collect", "keys": ["img", "gt_label"]},
    ]
    dataset = {"type": "TinyDataset", "num_samples": num_samples, "num_classes": num_classes, "size": size}
    if head is None:
        head = {
            "type": "LinearClsHead",
            "num_classes": num_classes,
            "loss": {"type": "CrossEntropyLoss", "loss_weight": 1.0},
        }
        if in_channels is not None:
            head["in_channels"] = in_channels
    data: dict[str, Any] = {
        "model": {
            "type": "ImageClassifier",
            "backbone": dict(backbone),
            "neck": dict(neck) if neck is not None else {"type": "GlobalAveragePooling"},
            "head": dict(head),
        },
        "data": {
            "samples_per_gpu": batch_size,
            "workers_per_gpu": 0,
            "train": {**dataset, "pipeline": pipeline},
            "val": {**dataset, "pipeline": copy.deepcopy(pipeline[len(transforms) :]), "test_mode": True},
        },
        "optimizer": {"type": "SGD", "lr": 0.01, "momentum": 0.9},
        "runner": {"type": "IterBasedRunner", "max_iters": 1},
        "seed": 0,
    }
    return Config(copy.deepcopy(data))
