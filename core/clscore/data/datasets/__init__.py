"""The built-in datasets: map-style torch datasets with ``classes`` and ``gt_labels``.

Names are imported lazily, so ``clscore.data.datasets.digits_source`` (numpy only) can be used
without importing torch.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "BaseDataset": "base",
    "LabelledDataset": "base",
    "read_class_names": "base",
    "CIFAR10": "cifar",
    "CIFAR100": "cifar",
    "IMG_EXTENSIONS": "folder",
    "CustomDataset": "folder",
    "ImageNet": "folder",
    "InMemoryDataset": "in_memory",
    "MNIST": "mnist",
    "FashionMNIST": "mnist",
    "Digits": "uci_digits",
    "ClassBalancedDataset": "wrappers",
    "ConcatDataset": "wrappers",
    "RepeatDataset": "wrappers",
    "build_dataset": "wrappers",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
