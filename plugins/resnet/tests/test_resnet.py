from __future__ import annotations

import pytest
import torch
from clscore.layers import ConvModule
from torch import nn

from clscore_resnet import ResNet, ResNetV1c, ResNetV1d
from clscore_resnet.blocks import BasicBlock, Bottleneck
from resnet_test_utils import is_frozen, norms_in_eval

IMG_224 = (1, 3, 224, 224)
R18_SHAPES = [(1, 64, 56, 56), (1, 128, 28, 28), (1, 256, 14, 14), (1, 512, 7, 7)]
R50_SHAPES = [(1, 256, 56, 56), (1, 512, 28, 28), (1, 1024, 14, 14), (1, 2048, 7, 7)]


def shapes(outs: tuple[torch.Tensor, ...]) -> list[tuple[int, ...]]:
    return [tuple(o.shape) for o in outs]


@pytest.fixture(scope="module")
def img224() -> torch.Tensor:
    return torch.randn(IMG_224)


# -- arguments ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"depth": 20}, "invalid depth 20 for ResNet; choose one of 18, 34, 50, 101, 152"),
        ({"depth": 18, "num_stages": 0}, "num_stages must be 1 to 4"),
        ({"depth": 18, "num_stages": 5}, "num_stages must be 1 to 4"),
        ({"depth": 18, "num_stages": 3, "strides": (1,), "dilations": (1, 1)}, "one entry per stage"),
        ({"depth": 18, "style": "tensorflow"}, "style must be one of"),
        ({"depth": 50, "style": "tensorflow"}, "style must be one of"),
        ({"depth": 18, "frozen_stages": 5}, "frozen_stages must be -1"),
        ({"depth": 18, "drop_path_rate": 1.0}, "drop_path_rate"),
        ({"depth": 18, "num_stages": 3}, r"out_indices entry 3 is out of range for num_stages=3: use 0..2"),
    ],
)
def test_invalid_arguments(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ResNet(**kwargs)


@pytest.mark.parametrize(
    ("depth", "block", "stage_blocks"), [(18, BasicBlock, [2, 2, 2, 2]), (34, BasicBlock, [3, 4, 6, 3])]
)
def test_arch_table(depth: int, block: type, stage_blocks: list[int]) -> None:
    model = ResNet(depth)
    assert [len(layer) for layer in model.res_layers()] == stage_blocks
    assert all(isinstance(b, block) for b in model.blocks())
    assert (model.out_channels, model.feat_dim) == ([512], 512)


def test_deep_resnets_construct() -> None:
    r101 = ResNet(101)
    assert [len(layer) for layer in r101.res_layers()] == [3, 4, 23, 3]
    del r101
    r152 = ResNet(152, out_indices=(0, 1, 2, 3))
    assert [len(layer) for layer in r152.res_layers()] == [3, 8, 36, 3]
    assert all(isinstance(b, Bottleneck) for b in r152.blocks())
    assert r152.out_channels == [256, 512, 1024, 2048]
    assert r152.feat_dim == 2048


# -- output shapes (the reference's table) --------------------------------------------------------
def test_resnet18_all_stages(img224: torch.Tensor) -> None:
    model = ResNet(18, out_indices=(0, 1, 2, 3))
    assert shapes(model(img224)) == R18_SHAPES
    assert model.out_channels == [64, 128, 256, 512]
    assert shapes(ResNet(18, out_indices=(0, 1, 2))(img224)) == R18_SHAPES[:3]


def test_resnet50_all_stages_with_drop_path(img224: torch.Tensor) -> None:
    model = ResNet(50, out_indices=(0, 1, 2, 3), drop_path_rate=0.5)
    assert shapes(model(img224)) == R50_SHAPES
    rates = [getattr(b.drop_path, "drop_prob", 0.0) for b in model.blocks()]
    assert len(rates) == 16
    torch.testing.assert_close(torch.tensor(rates), torch.linspace(0, 0.5, 16))


def test_single_stage_is_a_tuple(img224: torch.Tensor) -> None:
    outs = ResNet(18)(img224)
    assert isinstance(outs, tuple) and shapes(outs) == [R18_SHAPES[3]]


def test_outputs_come_in_stage_order(img224: torch.Tensor) -> None:
    model = ResNet(18, out_indices=(3, 0))
    assert model.out_indices == (0, 3)
    assert shapes(model(img224)) == [R18_SHAPES[0], R18_SHAPES[3]]


def test_negative_out_indices_count_from_the_end(img224: torch.Tensor) -> None:
    assert ResNet(18, out_indices=(-1,)).out_indices == (3,)
    model = ResNet(18, out_indices=(-4, -1))
    assert model.out_indices == (0, 3)
    assert model.out_channels == [64, 512]
    assert shapes(model(img224)) == [R18_SHAPES[0], R18_SHAPES[3]]
    assert ResNet(18, num_stages=2, out_indices=-1).out_channels == [128]
    for bad in (4, -5):
        with pytest.raises(ValueError, match=r"use 0..3, or -4..-1"):
            ResNet(18, out_indices=(bad,))
    with pytest.raises(ValueError, match="empty"):
        ResNet(18, out_indices=())


def test_base_channels_halve_every_stage(img224: torch.Tensor) -> None:
    model = ResNet(50, base_channels=32, out_indices=(0, 1, 2, 3))
    assert shapes(model(img224)) == [(1, 128, 56, 56), (1, 256, 28, 28), (1, 512, 14, 14), (1, 1024, 7, 7)]


def test_dilation_keeps_resolution() -> None:
    model = ResNet(18, strides=(1, 2, 1, 1), dilations=(1, 1, 2, 4), out_indices=(3,))
    assert model.layer4[0].conv1.dilation == (4, 4)
    assert shapes(model(torch.randn(1, 3, 64, 64))) == [(1, 512, 8, 8)]


def test_in_channels_and_fewer_stages() -> None:
    model = ResNet(18, in_channels=1, num_stages=2, out_indices=(1,))
    assert model.strides == (1, 2)
    assert not hasattr(model, "layer3")
    assert model.feat_dim == 128
    assert shapes(model(torch.randn(1, 1, 64, 64))) == [(1, 128, 8, 8)]


def test_caffe_style_strides_the_first_conv() -> None:
    model = ResNet(50, style="caffe", num_stages=2, out_indices=-1)
    assert model.layer2[0].conv1.stride == (2, 2)
    assert model.layer2[0].conv2.stride == (1, 1)
    pytorch = ResNet(50, num_stages=2, out_indices=-1)
    assert pytorch.layer2[0].conv1.stride == (1, 1)
    assert pytorch.layer2[0].conv2.stride == (2, 2)


def test_group_norm() -> None:
    model = ResNet(18, norm_cfg={"type": "GN", "num_groups": 8})
    assert isinstance(model.bn1, nn.GroupNorm) and isinstance(model.layer1[0].bn2, nn.GroupNorm)
    assert shapes(model(torch.randn(1, 3, 32, 32))) == [(1, 512, 1, 1)]


# -- initialisation -------------------------------------------------------------------------------
@pytest.mark.parametrize("depth", [18, 50])
def test_zero_init_residual(depth: int) -> None:
    zeroed = ResNet(depth, num_stages=2, out_indices=-1)
    assert {b.last_norm_name for b in zeroed.blocks()} == {"bn2" if depth == 18 else "bn3"}
    for block in zeroed.blocks():
        assert torch.all(block.last_norm.weight == 0) and torch.all(block.last_norm.bias == 0)
    assert torch.all(zeroed.bn1.weight == 1)
    plain = ResNet(depth, num_stages=2, out_indices=-1, zero_init_residual=False)
    assert all(torch.all(b.last_norm.weight == 1) for b in plain.blocks())


def test_kaiming_fan_out_init() -> None:
    conv = ResNet(18).layer4[0].conv2
    fan_out = conv.out_channels * 9
    assert conv.weight.std().item() == pytest.approx((2 / fan_out) ** 0.5, rel=0.05)


# -- frozen stages and norm_eval ------------------------------------------------------------------
def test_norm_eval_keeps_every_bn_in_eval() -> None:
    model = ResNet(50, norm_eval=True)
    model.train()
    assert norms_in_eval(model)
    assert all(p.requires_grad for p in model.parameters())  # affine parameters still train
    assert model.layer1[0].conv1.training


def test_frozen_stages_persist_after_train() -> None:
    model = ResNet(18, frozen_stages=1)
    for _ in range(2):
        model.train()
        assert not model.bn1.training
        assert is_frozen(model.conv1) and is_frozen(model.bn1)
        assert is_frozen(model.layer1) and norms_in_eval(model.layer1)
        assert model.layer2.training and all(p.requires_grad for p in model.layer2.parameters())


def test_frozen_stages_zero_freezes_the_stem_only() -> None:
    model = ResNet(18, frozen_stages=0).train()
    assert is_frozen(model.conv1) and not model.bn1.training
    assert model.layer1.training and not is_frozen(model.layer1)


# -- with_cp --------------------------------------------------------------------------------------
def test_with_cp(img224: torch.Tensor) -> None:
    model = ResNet(18, with_cp=True, out_indices=(0, 1, 2, 3))
    assert all(b.with_cp for b in model.blocks())
    assert shapes(model(img224.requires_grad_())) == R18_SHAPES


# -- variants -------------------------------------------------------------------------------------
@pytest.mark.parametrize("variant", [ResNetV1c, ResNetV1d])
def test_deep_stem_variants(variant: type[ResNet], img224: torch.Tensor) -> None:
    model = variant(50, out_indices=(0, 1, 2, 3), frozen_stages=1)
    assert len(model.stem) == 3 and all(isinstance(m, ConvModule) for m in model.stem)
    assert not hasattr(model, "conv1")
    assert tuple(model.stem(img224).shape) == (1, 64, 112, 112)
    assert shapes(model(img224)) == R50_SHAPES
    model.train()
    assert is_frozen(model.stem) and norms_in_eval(model.stem)
    assert is_frozen(model.layer1) and norms_in_eval(model.layer1)
    assert "stem.0.conv.weight" in model.state_dict() and "stem.2.bn.running_var" in model.state_dict()
    shortcut = model.layer2[0].downsample
    assert len(shortcut) == (3 if variant is ResNetV1d else 2)
    assert isinstance(shortcut[0], nn.AvgPool2d) == (variant is ResNetV1d)


def test_variants_fix_their_own_settings() -> None:
    with pytest.raises(ValueError, match="ResNetV1c sets deep_stem=True, avg_down=False itself"):
        ResNetV1c(18, deep_stem=False)


# -- state-dict names -----------------------------------------------------------------------------
def test_state_dict_names_are_torchvisions() -> None:
    keys = set(ResNet(50).state_dict())
    expected = {
        "conv1.weight",
        "bn1.running_mean",
        "layer1.0.conv3.weight",
        "layer1.0.bn3.weight",
        "layer1.0.downsample.0.weight",
        "layer1.0.downsample.1.num_batches_tracked",
        "layer4.2.bn2.bias",
    }
    assert expected <= keys
