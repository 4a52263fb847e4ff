"""Fixtures for the engine tests: a host with TinyDataset and two fault-injecting runner hooks."""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from typing import Any

import pytest

from clscore.engine.hooks.base import Hook
from clscore.hookspecs import hookimpl
from clscore.plugins import PluginHost
from clscore.testing import TINY_DATA_PLUGIN, isolated_host, use_host

# Sleeping (not spinning) OpenMP threads: these tests share a small CPU with other processes. Effective
# when torch is not imported yet (nothing above imports it).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


class Interrupt(Exception):
    """Raised by StopAfter to simulate a run killed after a checkpoint."""


class StopAfter(Hook):
    """Stops the run (raises Interrupt) once ``epoch`` epochs or ``iters`` iterations are done."""

    priority = "LOWEST"

    def __init__(self, epoch: int | None = None, iters: int | None = None) -> None:
        self.epoch, self.iters = epoch, iters

    def after_train_iter(self, runner: Any) -> None:
        if self.iters is not None and runner.iter >= self.iters:
            raise Interrupt(f"stopped after iteration {runner.iter}")

    def after_train_epoch(self, runner: Any) -> None:
        if self.epoch is not None and runner.epoch >= self.epoch:
            raise Interrupt(f"stopped after epoch {runner.epoch}")


class PoisonWeights(Hook):
    """Sets every weight to NaN after iteration ``at`` (so the next loss is NaN)."""

    def __init__(self, at: int = 1) -> None:
        self.at = at

    def after_train_iter(self, runner: Any) -> None:
        if runner.iter == self.at:
            import torch

            with torch.no_grad():
                for p in runner.model.parameters():
                    p.fill_(float("nan"))


class EngineTestPlugin:
    name = "enginetest"

    @hookimpl
    def register_runner_hooks(self, registry: Any) -> None:
        registry.add("StopAfter", StopAfter, summary="Test hook: stop the run.")
        registry.add("PoisonWeights", PoisonWeights, summary="Test hook: NaN weights.")


@pytest.fixture
def tiny_host() -> Iterator[PluginHost]:
    with use_host(isolated_host(TINY_DATA_PLUGIN, EngineTestPlugin())) as host:
        yield host


_NORM = {"type": "Normalize", "mean": [127.5] * 3, "std": [127.5] * 3}
_FORMAT = [
    {"type": "ImageToTensor", "keys": ["img"]},
    {"type": "ToTensor", "keys": ["gt_label"]},
    {"type": "Collect", "keys": ["img", "gt_label"]},
]

TINY_CFG: dict[str, Any] = {
    "model": {
        "type": "ImageClassifier",
        "backbone": {"type": "LeNet5"},
        "neck": {"type": "GlobalAveragePooling"},
        "head": {"type": "LinearClsHead", "num_classes": 3, "in_channels": 120},
    },
    "data": {
        "samples_per_gpu": 4,
        "workers_per_gpu": 0,
        "train": {
            "type": "TinyDataset",
            "num_samples": 12,
            "num_classes": 3,
            "size": 32,
            "pipeline": [{"type": "RandomFlip", "flip_prob": 0.5}, _NORM, *_FORMAT],
        },
        "val": {
            "type": "TinyDataset",
            "num_samples": 9,
            "num_classes": 3,
            "size": 32,
            "seed": 1,
            "test_mode": True,
            "pipeline": [_NORM, *_FORMAT],
        },
    },
    "optimizer": {"type": "SGD", "lr": 0.05, "momentum": 0.9, "weight_decay": 1e-4},
    "lr_config": {"policy": "step", "step": [2], "warmup": "linear", "warmup_iters": 2},
    "runner": {"type": "EpochBasedRunner", "max_epochs": 3},
    "log_config": {"interval": 2},
    "evaluation": {"interval": 1},
    "seed": 0,
}


@pytest.fixture
def tiny_cfg() -> dict[str, Any]:
    """A fresh copy of a 3-epoch LeNet-5 config on 12 tiny images (3 iterations per epoch)."""
    return copy.deepcopy(TINY_CFG)
