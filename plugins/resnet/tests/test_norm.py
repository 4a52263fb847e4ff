from __future__ import annotations

import pytest
from torch import nn

from clscore_resnet.norm import build_norm, check_norm_cfg


def test_default_is_trainable_batch_norm() -> None:
    layer = build_norm(None, 8)
    assert isinstance(layer, nn.BatchNorm2d)
    assert layer.num_features == 8
    assert all(p.requires_grad for p in layer.parameters())


def test_sync_bn_and_extra_arguments() -> None:
    layer = build_norm({"type": "SyncBN", "momentum": 0.01, "eps": 1e-3}, 16)
    assert isinstance(layer, nn.SyncBatchNorm)
    assert (layer.momentum, layer.eps) == (0.01, 1e-3)


def test_group_norm_needs_num_groups() -> None:
    layer = build_norm({"type": "GN", "num_groups": 4}, 16)
    assert isinstance(layer, nn.GroupNorm)
    assert (layer.num_groups, layer.num_channels) == (4, 16)
    with pytest.raises(ValueError, match="num_groups"):
        build_norm({"type": "GN"}, 16)


def test_requires_grad_false_freezes_affine_parameters() -> None:
    layer = build_norm({"type": "BN", "requires_grad": False}, 4)
    assert not any(p.requires_grad for p in layer.parameters())


def test_unknown_type_and_argument() -> None:
    with pytest.raises(ValueError, match="unknown norm_cfg type 'LN2d'"):
        check_norm_cfg({"type": "LN2d"})
    with pytest.raises(ValueError, match="momentm"):
        build_norm({"type": "BN", "momentm": 0.1}, 4)
