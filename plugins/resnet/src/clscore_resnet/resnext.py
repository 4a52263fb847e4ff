"""ResNeXt (Xie et al., 2017) and the squeeze-and-excitation variants SE-ResNet and SE-ResNeXt
(Hu et al., 2018), as MMClassification 0.x defines them: its parameter names and state-dict keys.

Each is ResNet with another block in the architecture table and the block's extra arguments passed
through :meth:`ResNet.block_kwargs`; everything else (stem, stages, ``out_indices``, freezing,
``init_cfg``) is ResNet's.
"""

from __future__ import annotations

from typing import Any, ClassVar

from clscore_resnet.blocks import Bottleneck, ResidualBlock, SEBottleneck
from clscore_resnet.resnet import ARCH_SETTINGS, Arch, ResNet


def _bottleneck_table(block: type[ResidualBlock]) -> dict[int, Arch]:
    """ResNet-50/101/152's stage depths with ``block`` (these families have no 18/34)."""
    return {
        d: Arch(block, arch.stage_blocks) for d, arch in ARCH_SETTINGS.items() if arch.block is Bottleneck
    }


def _grouped(model: ResNeXt | SEResNeXt) -> dict[str, Any]:
    return {
        "groups": model.groups,
        "width_per_group": model.width_per_group,
        "base_channels": model.base_channels,
    }


class ResNeXt(ResNet):
    """ResNet whose bottlenecks use a grouped 3x3 conv: ``groups`` paths of ``width_per_group``
    channels each in the first stage (32x4d: 128 channels), doubling per stage."""

    arch_settings: ClassVar[dict[int, Arch]] = _bottleneck_table(Bottleneck)

    def __init__(self, depth: int, groups: int = 32, width_per_group: int = 4, **kwargs: Any) -> None:
        self.groups = groups
        self.width_per_group = width_per_group
        super().__init__(depth, **kwargs)

    def block_kwargs(self) -> dict[str, Any]:
        return {
            "groups": self.groups,
            "width_per_group": self.width_per_group,
            "base_channels": self.base_channels,
        }


class SEResNet(ResNet):
    """ResNet whose bottlenecks end in a squeeze-and-excitation layer reducing channels by ``se_ratio``."""

    arch_settings: ClassVar[dict[int, Arch]] = _bottleneck_table(SEBottleneck)

    def __init__(self, depth: int, se_ratio: int = 16, **kwargs: Any) -> None:
        self.se_ratio = se_ratio
        super().__init__(depth, **kwargs)

    def block_kwargs(self) -> dict[str, Any]:
        return {"se_ratio": self.se_ratio}


class SEResNeXt(SEResNet):
    """SE-ResNet with ResNeXt's grouped bottlenecks."""

    def __init__(
        self, depth: int, groups: int = 32, width_per_group: int = 4, se_ratio: int = 16, **kwargs: Any
    ) -> None:
        self.groups = groups
        self.width_per_group = width_per_group
        super().__init__(depth, se_ratio=se_ratio, **kwargs)

    def block_kwargs(self) -> dict[str, Any]:
        return {**super().block_kwargs(), **_grouped(self)}
