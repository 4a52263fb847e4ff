"""The core's one backbone, LeNet-5: real backbones (ResNet, timm) come from plugins."""

from clscore.models.backbones.lenet import LeNet5

__all__ = ["LeNet5"]
