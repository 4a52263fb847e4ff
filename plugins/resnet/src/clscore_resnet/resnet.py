"""ResNet (He et al., 2016) and its Bag-of-Tricks variants, with MMClassification 0.x semantics.

Module names are torchvision's (``conv1``, ``bn1``, ``layer1``… ``layer4``), so a torchvision
state dict loads into the backbone as it is, and an MMClassification checkpoint (``backbone.*``)
loads into a clscore classifier.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar, Literal, NamedTuple

import torch
from clscore.layers import (
    ConvModule,
    InitCfg,
    build_norm_layer,
    check_norm_cfg,
    initialize,
    loads_pretrained,
    normalize_out_indices,
    parse_init_cfg,
    with_pretrained,
)
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from clscore_resnet.blocks import STYLES, BasicBlock, Bottleneck, ResidualBlock, get_expansion, make_res_layer


class Arch(NamedTuple):
    block: type[ResidualBlock]
    stage_blocks: tuple[int, int, int, int]


ARCH_SETTINGS: dict[int, Arch] = {
    18: Arch(BasicBlock, (2, 2, 2, 2)),
    34: Arch(BasicBlock, (3, 4, 6, 3)),
    50: Arch(Bottleneck, (3, 4, 6, 3)),
    101: Arch(Bottleneck, (3, 4, 23, 3)),
    152: Arch(Bottleneck, (3, 8, 36, 3)),
}


#: MMClassification's ResNet initialisation, used unless ``init_cfg`` says otherwise.
DEFAULT_INIT_CFG: list[dict[str, Any]] = [
    {"type": "Kaiming", "layer": ["Conv2d"]},
    {"type": "Constant", "val": 1, "layer": ["_BatchNorm", "GroupNorm"]},
]


class ResNet(nn.Module):
    """ResNet backbone: ``forward(img)`` returns the ``out_indices`` stage outputs, in stage order.

    Stage ``i`` has ``base_channels * expansion * 2**i`` channels and stride ``4 * 2**i`` (with the
    default ``strides``). ``out_channels`` lists the channels of the returned maps, ``feat_dim`` those
    of the last stage. Stochastic depth (``drop_path_rate``) ramps linearly from 0 at the first block
    to ``drop_path_rate`` at the last, as in MMPretrain 1.x (0.x used one rate everywhere).
    """

    arch_settings: ClassVar[dict[int, Arch]] = ARCH_SETTINGS

    def __init__(
        self,
        depth: int,
        in_channels: int = 3,
        stem_channels: int = 64,
        base_channels: int = 64,
        expansion: int | None = None,
        num_stages: int = 4,
        strides: Sequence[int] = (1, 2, 2, 2),
        dilations: Sequence[int] = (1, 1, 1, 1),
        out_indices: int | Sequence[int] = (3,),
        style: Literal["pytorch", "caffe"] = "pytorch",
        deep_stem: bool = False,
        avg_down: bool = False,
        frozen_stages: int = -1,
        norm_cfg: dict | None = None,
        norm_eval: bool = False,
        with_cp: bool = False,
        zero_init_residual: bool = True,
        drop_path_rate: float = 0.0,
        pretrained: str | None = None,
        init_cfg: InitCfg = None,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        if depth not in self.arch_settings:
            valid = ", ".join(map(str, self.arch_settings))
            raise ValueError(f"invalid depth {depth!r} for {name}; choose one of {valid}")
        if not 1 <= num_stages <= 4:
            raise ValueError(f"num_stages must be 1 to 4, got {num_stages}")
        if len(strides) < num_stages or len(dilations) < num_stages:
            raise ValueError(
                f"strides {tuple(strides)} and dilations {tuple(dilations)} need one entry per stage "
                f"(num_stages={num_stages})"
            )
        if style not in STYLES:
            raise ValueError(f"style must be one of {STYLES}, got {style!r}")
        if not -1 <= frozen_stages <= num_stages:
            raise ValueError(
                f"frozen_stages must be -1 (none) to num_stages={num_stages}, got {frozen_stages}"
            )
        if not 0.0 <= drop_path_rate < 1.0:
            raise ValueError(f"drop_path_rate must be in [0, 1), got {drop_path_rate}")
        self.init_cfg = with_pretrained(pretrained, init_cfg, name)
        parse_init_cfg(self.init_cfg, name)  # a mistake is reported before anything is built

        arch = self.arch_settings[depth]
        self.depth = depth
        self.stem_channels = stem_channels
        self.base_channels = base_channels
        self.num_stages = num_stages
        self.strides = tuple(strides[:num_stages])  # the defaults name 4 stages; fewer take a prefix
        self.dilations = tuple(dilations[:num_stages])
        self.out_indices = normalize_out_indices(out_indices, num_stages)
        self.style = style
        self.deep_stem = deep_stem
        self.avg_down = avg_down
        self.frozen_stages = frozen_stages
        self.norm_cfg = check_norm_cfg(norm_cfg)
        self.norm_eval = norm_eval
        self.with_cp = with_cp
        self.zero_init_residual = zero_init_residual
        self.expansion = get_expansion(arch.block, expansion)
        stage_blocks = arch.stage_blocks[:num_stages]

        self._make_stem(in_channels, stem_channels)
        rates = torch.linspace(0, drop_path_rate, sum(stage_blocks)).tolist()
        stage_channels: list[int] = []
        in_ch = stem_channels
        for i, num_blocks in enumerate(stage_blocks):
            out_ch = base_channels * self.expansion * 2**i
            start = sum(stage_blocks[:i])
            layer = make_res_layer(
                arch.block,
                num_blocks,
                in_ch,
                out_ch,
                expansion=self.expansion,
                stride=self.strides[i],
                dilation=self.dilations[i],
                avg_down=avg_down,
                drop_path_rates=rates[start : start + num_blocks],
                style=style,
                with_cp=with_cp,
                norm_cfg=self.norm_cfg,
                **self.block_kwargs(),
            )
            self.add_module(f"layer{i + 1}", layer)
            stage_channels.append(out_ch)
            in_ch = out_ch
        self.stage_channels = stage_channels
        self.out_channels = [stage_channels[i] for i in self.out_indices]
        self.feat_dim = stage_channels[-1]

        self.init_weights()
        self._freeze_stages()

    # -- variant hooks --------------------------------------------------------------------------
    def block_kwargs(self) -> dict[str, Any]:
        """Extra keyword arguments for every block (ResNeXt's groups, SE-ResNet's se_ratio)."""
        return {}

    def _make_stem(self, in_channels: int, stem_channels: int) -> None:
        """7x7/2 conv + norm + ReLU (or the deep stem) followed by a 3x3/2 max pool."""
        if self.deep_stem:
            half = stem_channels // 2
            self.stem = nn.Sequential(
                ConvModule(in_channels, half, 3, stride=2, norm_cfg=self.norm_cfg),
                ConvModule(half, half, 3, norm_cfg=self.norm_cfg),
                ConvModule(half, stem_channels, 3, norm_cfg=self.norm_cfg),
            )
        else:
            self.conv1 = nn.Conv2d(in_channels, stem_channels, 7, stride=2, padding=3, bias=False)
            self.bn1 = build_norm_layer(self.norm_cfg, stem_channels)
            self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)

    def stem_modules(self) -> list[nn.Module]:
        """The modules before ``layer1`` that hold parameters (frozen by ``frozen_stages >= 0``)."""
        return [self.stem] if self.deep_stem else [self.conv1, self.bn1]

    def forward_stem(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x) if self.deep_stem else self.relu(self.bn1(self.conv1(x)))
        return self.maxpool(x)

    # -- structure ------------------------------------------------------------------------------
    def res_layers(self) -> list[nn.Sequential]:
        return [getattr(self, f"layer{i + 1}") for i in range(self.num_stages)]

    def blocks(self) -> Iterator[ResidualBlock]:
        for layer in self.res_layers():
            yield from layer  # type: ignore[misc]

    # -- weights --------------------------------------------------------------------------------
    def init_weights(self) -> None:
        """Kaiming-normal (fan_out) convolutions and norm weights 1, biases 0 (``DEFAULT_INIT_CFG``),
        then ``init_cfg``'s pretrained file if any; an ``init_cfg`` of other types replaces the default.

        ``zero_init_residual`` zeroes each block's last norm so every block starts as the identity;
        it is skipped when pretrained weights are loaded, as in MMClassification.
        """
        initialize(self, self.init_cfg, default=DEFAULT_INIT_CFG)
        if self.zero_init_residual and not loads_pretrained(self.init_cfg):
            for block in self.blocks():
                norm = block.last_norm
                if getattr(norm, "weight", None) is not None:
                    nn.init.zeros_(norm.weight)
                    nn.init.zeros_(norm.bias)

    # -- training mode --------------------------------------------------------------------------
    def _freeze_stages(self) -> None:
        if self.frozen_stages < 0:
            return
        frozen = self.stem_modules() + self.res_layers()[: self.frozen_stages]
        for module in frozen:
            module.eval()
            for param in module.parameters():
                param.requires_grad = False

    def train(self, mode: bool = True) -> ResNet:
        """Switch mode, keeping frozen stages in eval mode and, with ``norm_eval``, every BN too."""
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, _BatchNorm):
                    m.eval()
        return self

    # -- forward --------------------------------------------------------------------------------
    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        x = self.forward_stem(x)
        outs = []
        for i, layer in enumerate(self.res_layers()):
            x = layer(x)
            if i in self.out_indices:
                outs.append(x)
            if i == self.out_indices[-1]:
                break
        return tuple(outs)


def _fixed_variant(variant: str, fixed: Mapping[str, bool], kwargs: Mapping[str, Any]) -> dict[str, Any]:
    clash = sorted(set(fixed) & set(kwargs))
    if clash:
        settings = ", ".join(f"{k}={fixed[k]}" for k in fixed)
        raise ValueError(f"{variant} sets {settings} itself; drop {clash}, or use ResNet to choose them")
    return {**kwargs, **fixed}


class ResNetV1c(ResNet):
    """ResNet-C: the 7x7 stem conv replaced by three 3x3 convs (``stem.0``-``stem.2``)."""

    def __init__(self, depth: int, **kwargs: Any) -> None:
        super().__init__(depth, **_fixed_variant("ResNetV1c", {"deep_stem": True, "avg_down": False}, kwargs))


class ResNetV1d(ResNet):
    """ResNet-D: the deep stem plus shortcuts that average-pool before their 1x1 conv."""

    def __init__(self, depth: int, **kwargs: Any) -> None:
        super().__init__(depth, **_fixed_variant("ResNetV1d", {"deep_stem": True, "avg_down": True}, kwargs))
