"""ResNeXt, SE-ResNet and SE-ResNeXt: MMClassification's names, widths and parameter counts."""

from __future__ import annotations

import math

import clscore
import pytest
import torch
from clscore.config import validate
from clscore.errors import ConfigError
from clscore.testing import isolated_host, tiny_config, use_host
from torch import nn

import clscore_resnet.plugin
from clscore_resnet import ResNeXt, SEBottleneck, SEResNet, SEResNeXt
from clscore_resnet.se import SELayer, make_divisible

#: The keys of MMClassification 0.25's ``SEResNeXt(depth=50)`` first block, written out by hand.
MMCLS_BLOCK_KEYS = sorted(
    [f"layer1.0.conv{i}.weight" for i in (1, 2, 3)]
    + [
        f"layer1.0.bn{i}.{p}"
        for i in (1, 2, 3)
        for p in ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")
    ]
    + ["layer1.0.downsample.0.weight"]
    + [
        f"layer1.0.downsample.1.{p}"
        for p in ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")
    ]
    + [f"layer1.0.se_layer.conv{i}.conv.{p}" for i in (1, 2) for p in ("weight", "bias")]
)


def block_keys(model: nn.Module) -> list[str]:
    return sorted(k for k in model.state_dict() if k.startswith("layer1.0."))


def params_with_imagenet_head(model: nn.Module) -> float:
    """Millions of parameters with a 1000-class linear head, as the model zoo counts them."""
    return round((sum(p.numel() for p in model.parameters()) + model.feat_dim * 1000 + 1000) / 1e6, 2)


def test_state_dict_keys_are_mmclassifications() -> None:
    assert block_keys(SEResNeXt(50)) == MMCLS_BLOCK_KEYS
    assert block_keys(SEResNet(50)) == MMCLS_BLOCK_KEYS
    assert block_keys(ResNeXt(50)) == [k for k in MMCLS_BLOCK_KEYS if ".se_layer." not in k]


@pytest.mark.parametrize(
    ("model", "published"),
    [
        (lambda: ResNeXt(50), 25.03),  # resnext50_32x4d_b32x8_imagenet
        (lambda: ResNeXt(101), 44.18),  # resnext101_32x4d_b32x8_imagenet
        (lambda: SEResNet(50), 28.09),  # seresnet50_b32x8_imagenet
    ],
)
def test_parameter_counts_match_the_model_zoo(model, published: float) -> None:
    assert params_with_imagenet_head(model()) == published


def test_grouped_widths() -> None:
    x32x4 = ResNeXt(50)
    widths = [(layer[0].conv2.in_channels, layer[0].conv2.groups) for layer in x32x4.res_layers()]
    assert widths == [(128, 32), (256, 32), (512, 32), (1024, 32)]
    assert x32x4.layer1[0].conv3.out_channels == 256  # the output is ResNet's
    assert SEResNeXt(50, groups=32, width_per_group=8).layer1[0].conv2.out_channels == 256
    assert ResNeXt(50, groups=1).layer1[0].conv2.groups == 1  # groups=1 is ResNet's bottleneck
    assert ResNeXt(50, groups=1).layer1[0].conv2.out_channels == 64


@pytest.mark.parametrize("cls", [ResNeXt, SEResNet, SEResNeXt])
def test_shapes_and_depths(cls: type[nn.Module]) -> None:
    model = cls(50, out_indices=(0, 1, 2, 3))
    feats = model(torch.randn(1, 3, 64, 64))
    assert [tuple(f.shape) for f in feats] == [
        (1, 256, 16, 16),
        (1, 512, 8, 8),
        (1, 1024, 4, 4),
        (1, 2048, 2, 2),
    ]
    with pytest.raises(ValueError, match=f"invalid depth 18 for {cls.__name__}; choose one of 50, 101, 152"):
        cls(18)


def test_make_divisible() -> None:
    assert [make_divisible(v) for v in (16, 128, 3, 10, 20, 36)] == [16, 128, 8, 16, 24, 40]


def test_se_layer_arithmetic_by_hand() -> None:
    se = SELayer(2, squeeze_channels=1)
    with torch.no_grad():
        se.conv1.conv.weight.copy_(torch.tensor([1.0, 1.0]).view(1, 2, 1, 1))
        se.conv1.conv.bias.fill_(-1.0)
        se.conv2.conv.weight.copy_(torch.tensor([1.0, -1.0]).view(2, 1, 1, 1))
        se.conv2.conv.bias.zero_()
    x = torch.stack([torch.full((3, 3), 1.0), torch.full((3, 3), 3.0)]).unsqueeze(0)
    squeeze = max(0.0, 1.0 + 3.0 - 1.0)  # mean of each channel, weighted sum, bias, ReLU = 3
    gates = [1 / (1 + math.exp(-squeeze)), 1 / (1 + math.exp(squeeze))]
    expected = torch.stack(
        [torch.full((3, 3), 1.0 * gates[0]), torch.full((3, 3), 3.0 * gates[1])]
    ).unsqueeze(0)
    torch.testing.assert_close(se(x), expected)
    assert (
        SELayer(256).conv1.conv.out_channels == 16 and SELayer(2048, ratio=8).conv1.conv.out_channels == 256
    )


def test_se_gate_applies_before_the_shortcut() -> None:
    block = SEBottleneck(64, 64).eval()
    with torch.no_grad():
        block.se_layer.conv2.conv.bias.fill_(-100.0)  # gate ~ 0: the residual branch is switched off
    x = torch.randn(1, 64, 8, 8)
    torch.testing.assert_close(block(x), torch.relu(x))


def test_resnet_options_carry_over() -> None:
    model = SEResNeXt(50, frozen_stages=1, deep_stem=True, avg_down=True, se_ratio=8)
    model.train()
    assert all(not p.requires_grad for p in model.layer1.parameters())
    assert len(model.layer2[0].downsample) == 3  # the average-pool shortcut
    assert model.layer1[0].se_layer.conv1.conv.out_channels == 256 // 8
    assert all(torch.all(b.bn3.weight == 0) for b in model.blocks())  # zero_init_residual


def test_configs_are_validated_with_the_variant_parameters() -> None:
    with use_host(isolated_host(clscore_resnet.plugin, tiny_data=True)):
        validate(
            tiny_config({"type": "SEResNeXt", "depth": 50, "groups": 16, "width_per_group": 8, "se_ratio": 8})
        )
        with pytest.raises(ConfigError, match="did you mean 'width_per_group'"):
            validate(tiny_config({"type": "ResNeXt", "depth": 50, "width_per_groop": 8}))
        model = clscore.build("backbone", {"type": "SEResNet", "depth": 50, "out_indices": [-1]})
    assert isinstance(model, SEResNet) and model.out_channels == [2048]
