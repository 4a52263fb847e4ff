"""``ConvModule``: conv → norm → activation under MMCV's names."""

from __future__ import annotations

import torch
from torch import nn

from clscore.layers import ConvModule, norm_layer_name


def test_names_follow_mmcv() -> None:
    module = ConvModule(3, 8, 3, stride=2, norm_cfg={"type": "BN"})
    assert list(module.state_dict())[:2] == ["conv.weight", "bn.weight"]
    assert module.conv.bias is None and module.conv.padding == (1, 1) and module.conv.stride == (2, 2)
    assert [
        norm_layer_name(c) for c in ({"type": "SyncBN"}, {"type": "GN", "num_groups": 2}, {"type": "IN2d"})
    ] == [
        "bn",
        "gn",
        "in",
    ]


def test_without_norm_the_conv_has_a_bias_and_the_order_is_conv_norm_act() -> None:
    plain = ConvModule(4, 2, 1, act_cfg={"type": "Sigmoid"})
    assert plain.norm is None and plain.conv.bias is not None
    x = torch.randn(1, 4, 3, 3)
    torch.testing.assert_close(plain(x), torch.sigmoid(plain.conv(x)))
    full = ConvModule(4, 2, 3, norm_cfg={"type": "BN"}).eval()
    torch.testing.assert_close(full(x), torch.relu(full.bn(full.conv(x))))
    assert ConvModule(4, 2, 3, act_cfg=None).activate is None
    assert isinstance(ConvModule(4, 2, 3, dilation=2).conv, nn.Conv2d)
    assert ConvModule(4, 2, 3, dilation=2).conv.padding == (2, 2)
