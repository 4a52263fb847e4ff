"""ResNet, ResNeXt and SE-ResNet(X)t backbones for clscore, with torchvision's and MMClassification's
module names so their weights load as they are.

Importing this package is cheap: the classes are imported (with torch) on first access, so the
plugin entry module can register them without paying for torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from clscore_resnet.blocks import BasicBlock, Bottleneck, SEBottleneck
    from clscore_resnet.resnet import ResNet, ResNetV1c, ResNetV1d
    from clscore_resnet.resnet_cifar import ResNet_CIFAR
    from clscore_resnet.resnext import ResNeXt, SEResNet, SEResNeXt

__all__ = [
    "BasicBlock",
    "Bottleneck",
    "ResNeXt",
    "ResNet",
    "ResNetV1c",
    "ResNetV1d",
    "ResNet_CIFAR",
    "SEBottleneck",
    "SEResNeXt",
    "SEResNet",
    "__version__",
]

_LAZY = {
    "BasicBlock": "clscore_resnet.blocks",
    "Bottleneck": "clscore_resnet.blocks",
    "SEBottleneck": "clscore_resnet.blocks",
    "ResNeXt": "clscore_resnet.resnext",
    "SEResNet": "clscore_resnet.resnext",
    "SEResNeXt": "clscore_resnet.resnext",
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
