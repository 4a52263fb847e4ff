"""ResNet backbones for clscore, with torchvision's module names so its weights load as they are.

Importing this package is cheap: the classes are imported (with torch) on first access, so the
plugin entry module can register them without paying for torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from clscore_resnet.blocks import BasicBlock, Bottleneck
    from clscore_resnet.resnet import ResNet, ResNetV1c, ResNetV1d
    from clscore_resnet.resnet_cifar import ResNet_CIFAR

__all__ = ["BasicBlock", "Bottleneck", "ResNet", "ResNetV1c", "ResNetV1d", "ResNet_CIFAR", "__version__"]

_LAZY = {
    "BasicBlock": "clscore_resnet.blocks",
    "Bottleneck": "clscore_resnet.blocks",
    "ResNet": "clscore_resnet.resnet",
    "ResNetV1c": "clscore_resnet.resnet",
    "ResNetV1d": "clscore_resnet.resnet",
    "ResNet_CIFAR": "clscore_resnet.resnet_cifar",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'clscore_resnet' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
