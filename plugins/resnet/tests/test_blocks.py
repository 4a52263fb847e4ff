from __future__ import annotations

import pytest
import torch
from torch import nn

from clscore_resnet.blocks import BasicBlock, Bottleneck, get_expansion, make_res_layer


def test_get_expansion() -> None:
    assert get_expansion(Bottleneck, 2) == 2
    assert get_expansion(BasicBlock) == 1
    assert get_expansion(Bottleneck) == 4

    class Wide(nn.Module):
        expansion = 8

    assert get_expansion(Wide) == 8
    with pytest.raises(TypeError):
        get_expansion(Bottleneck, 2.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        get_expansion(nn.Module)


def test_basic_block() -> None:
    with pytest.raises(ValueError, match="expansion 1"):
        BasicBlock(64, 64, expansion=2)
    block = BasicBlock(64, 64)
    assert block.conv1.kernel_size == block.conv2.kernel_size == (3, 3)
    assert block.conv1.stride == (1, 1)
    assert block(torch.randn(1, 64, 56, 56)).shape == (1, 64, 56, 56)

    shortcut = nn.Sequential(nn.Conv2d(64, 128, 1, 2, bias=False), nn.BatchNorm2d(128))
    block = BasicBlock(64, 128, stride=2, downsample=shortcut)
    assert block.conv1.stride == (2, 2)
    assert block(torch.randn(1, 64, 56, 56)).shape == (1, 128, 28, 28)


@pytest.mark.parametrize(("style", "conv1_stride", "conv2_stride"), [("pytorch", 1, 2), ("caffe", 2, 1)])
def test_bottleneck_style_places_the_stride(style: str, conv1_stride: int, conv2_stride: int) -> None:
    block = Bottleneck(64, 64, stride=2, style=style)  # type: ignore[arg-type]
    assert block.conv1.stride == (conv1_stride, conv1_stride)
    assert block.conv2.stride == (conv2_stride, conv2_stride)


def test_bottleneck_channels_and_errors() -> None:
    with pytest.raises(ValueError, match="style"):
        Bottleneck(64, 64, style="tensorflow")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="multiple of expansion 3"):
        Bottleneck(64, 64, expansion=3)
    block = Bottleneck(64, 64)
    assert block.conv1.out_channels == 16
    assert [c.kernel_size for c in (block.conv1, block.conv2, block.conv3)] == [(1, 1), (3, 3), (1, 1)]
    assert block(torch.randn(1, 64, 56, 56)).shape == (1, 64, 56, 56)
    assert Bottleneck(64, 128).conv1.out_channels == 32
    assert Bottleneck(64, 64, expansion=2).conv1.out_channels == 32


@pytest.mark.parametrize("block_cls", [BasicBlock, Bottleneck])
def test_with_cp_gives_the_same_output_and_gradient(block_cls: type[nn.Module]) -> None:
    torch.manual_seed(0)
    plain = block_cls(64, 64)
    checkpointed = block_cls(64, 64, with_cp=True)
    checkpointed.load_state_dict(plain.state_dict())
    x = torch.randn(2, 64, 8, 8, requires_grad=True)
    y_plain, y_cp = plain(x), checkpointed(x)
    torch.testing.assert_close(y_cp, y_plain)
    (g_plain,) = torch.autograd.grad(y_plain.sum(), x)
    (g_cp,) = torch.autograd.grad(y_cp.sum(), x)
    torch.testing.assert_close(g_cp, g_plain)


def test_res_layer_shortcuts() -> None:
    same = make_res_layer(Bottleneck, 3, 64, 64, expansion=4)
    assert len(same) == 3 and all(b.downsample is None for b in same)

    layer = make_res_layer(Bottleneck, 3, 32, 64, expansion=4, stride=2)
    assert len(layer[0].downsample) == 2
    assert layer[0].downsample[0].stride == (2, 2)
    assert all(b.downsample is None and b.stride == 1 for b in layer[1:])
    assert layer(torch.randn(1, 32, 56, 56)).shape == (1, 64, 28, 28)
    assert layer[0].conv1.out_channels == 16

    avg = make_res_layer(BasicBlock, 3, 32, 64, expansion=1, stride=2, avg_down=True)
    assert len(avg[0].downsample) == 3
    assert isinstance(avg[0].downsample[0], nn.AvgPool2d)
    assert avg[0].downsample[0].stride == 2 and avg[0].downsample[1].stride == (1, 1)
    assert avg(torch.randn(1, 32, 56, 56)).shape == (1, 64, 28, 28)

    wide = make_res_layer(Bottleneck, 2, 32, 32, expansion=2)
    assert wide[0].conv1.out_channels == 16
