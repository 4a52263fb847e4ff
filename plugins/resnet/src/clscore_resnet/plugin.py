"""The entry module clscore loads (entry point group ``clscore.plugins``, name ``resnet``).

It only names the classes as lazy ``"module:attr"`` strings: nothing heavy is imported until a
config builds one, so ``clsrun --help`` and config validation stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clscore import hookimpl

if TYPE_CHECKING:
    from clscore import Registry

BACKBONES: dict[str, tuple[str, str]] = {
    "ResNet": (
        "clscore_resnet.resnet:ResNet",
        "ResNet-18/34/50/101/152 (torchvision layout and weight names); pick stages with out_indices.",
    ),
    "ResNetV1c": (
        "clscore_resnet.resnet:ResNetV1c",
        "ResNet with a deep stem of three 3x3 convolutions (Bag of Tricks ResNet-C).",
    ),
    "ResNetV1d": (
        "clscore_resnet.resnet:ResNetV1d",
        "ResNetV1c plus average-pool downsampling in the shortcuts (Bag of Tricks ResNet-D).",
    ),
    "ResNeXt": (
        "clscore_resnet.resnext:ResNeXt",
        "ResNeXt-50/101/152: bottlenecks with a grouped 3x3 conv (groups x width_per_group, e.g. 32x4d).",
    ),
    "SEResNet": (
        "clscore_resnet.resnext:SEResNet",
        "SE-ResNet-50/101/152: bottlenecks ending in squeeze-and-excitation (channels / se_ratio).",
    ),
    "SEResNeXt": (
        "clscore_resnet.resnext:SEResNeXt",
        "SE-ResNeXt-50/101/152: ResNeXt's grouped bottlenecks with squeeze-and-excitation.",
    ),
    "ResNet_CIFAR": (
        "clscore_resnet.resnet_cifar:ResNet_CIFAR",
        "ResNet for 32x32 images: a 3x3 stride-1 stem and no max pooling.",
    ),
}


@hookimpl
def register_backbones(registry: Registry) -> None:
    for name, (target, summary) in BACKBONES.items():
        registry.add(name, target, summary=summary)
