"""The built-in datasets: map-style torch datasets with ``classes`` and ``gt_labels``.

Names are imported lazily, so ``clscore.data.datasets.digits_source`` (numpy only) can be used
without importing torch.
"""

from __future__ import annotations

from clscore._lazy import lazy_exports

_LAZY = {
    "BaseDataset": "base",
    "LabelledDataset": "base",
    "read_class_names": "base",
    "CIFAR10": "cifar",
    "CIFAR100": "cifar",
    "CUB": "cub",
    "IMG_EXTENSIONS": "folder",
    "CustomDataset": "folder",
    "ImageNet": "folder",
    "ImageNet21k": "imagenet21k",
    "InMemoryDataset": "in_memory",
    "MNIST": "mnist",
    "FashionMNIST": "mnist",
    "Digits": "uci_digits",
    "StanfordCars": "stanford_cars",
    "ClassBalancedDataset": "wrappers",
    "ConcatDataset": "wrappers",
    "RepeatDataset": "wrappers",
    "build_dataset": "wrappers",
}

__all__ = sorted(_LAZY)


__getattr__ = lazy_exports(__name__, globals(), _LAZY)


def __dir__() -> list[str]:
    return __all__
