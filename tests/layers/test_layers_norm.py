"""``build_norm_layer``: one meaning of norm_cfg for every component, 1-d and 2-d alike."""

from __future__ import annotations

import logging

import pytest
import torch
import torch.distributed as dist
from torch import nn

import clscore.layers._norm as norm_module
from clscore.layers import LayerNorm2d, build_norm_layer, check_norm_cfg


@pytest.fixture
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(norm_module, "_warned", set())


@pytest.mark.parametrize(
    ("cfg", "dims", "expected"),
    [
        (None, 2, nn.BatchNorm2d),
        ({"type": "BN"}, 1, nn.BatchNorm1d),
        ({"type": "BN1d"}, 1, nn.BatchNorm1d),
        ({"type": "BN2d"}, 2, nn.BatchNorm2d),
        ({"type": "BN"}, 3, nn.BatchNorm3d),
        ({"type": "IN"}, 2, nn.InstanceNorm2d),
        ({"type": "IN1d"}, 1, nn.InstanceNorm1d),
        ({"type": "LN"}, 1, nn.LayerNorm),
        ({"type": "LN"}, 2, LayerNorm2d),
        ({"type": "GN", "num_groups": 4}, 2, nn.GroupNorm),
    ],
)
def test_type_and_dims_choose_the_layer(cfg: dict | None, dims: int, expected: type) -> None:
    layer = build_norm_layer(cfg, 8, dims=dims)
    assert type(layer) is expected
    assert all(p.requires_grad for p in layer.parameters())


def test_a_suffix_that_disagrees_with_the_input_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"BN2d normalises 2-d inputs but this layer sees 1-d ones; use BN"):
        build_norm_layer({"type": "BN2d"}, 8, dims=1)
    with pytest.raises(ValueError, match="dims must be 1, 2 or 3"):
        build_norm_layer(None, 8, dims=4)


@pytest.mark.parametrize(
    "cfg",
    [
        {"type": "BN", "requires_grad": False},
        {"type": "GN", "num_groups": 2, "requires_grad": False},
        {"type": "LN", "requires_grad": False},
    ],
)
def test_requires_grad_false_freezes_the_affine_parameters(cfg: dict) -> None:
    layer = build_norm_layer(cfg, 4)
    params = list(layer.parameters())
    assert params and not any(p.requires_grad for p in params)
    assert all(p.requires_grad for p in build_norm_layer({**cfg, "requires_grad": True}, 4).parameters())


def test_extra_keys_go_to_the_layer_and_unknown_ones_are_named() -> None:
    layer = build_norm_layer({"type": "BN", "momentum": 0.01, "eps": 1e-3}, 16)
    assert (layer.momentum, layer.eps) == (0.01, 1e-3)
    with pytest.raises(ValueError, match="momentm"):
        build_norm_layer({"type": "BN", "momentm": 0.1}, 4)


def test_group_norm_needs_num_groups() -> None:
    layer = build_norm_layer({"type": "GN", "num_groups": 4}, 16)
    assert (layer.num_groups, layer.num_channels) == (4, 16)
    with pytest.raises(ValueError, match=r"GN needs num_groups, e\.g\. \{type: GN, num_groups: 32\}"):
        build_norm_layer({"type": "GN"}, 16)


def test_unknown_type_suggests_the_nearest() -> None:
    with pytest.raises(ValueError, match=r"unknown norm_cfg type 'bn2D'.*did you mean 'BN2d'"):
        check_norm_cfg({"type": "bn2D"})
    with pytest.raises(ValueError, match="unknown norm_cfg type 'LN2d'"):
        check_norm_cfg({"type": "LN2d"})


def test_layer_norm_2d_normalises_each_pixel_over_the_channels() -> None:
    x = torch.randn(2, 6, 3, 5)
    out = build_norm_layer({"type": "LN"}, 6, dims=2)(x)
    mean = x.mean(dim=1, keepdim=True)
    var = x.var(dim=1, unbiased=False, keepdim=True)
    torch.testing.assert_close(out, (x - mean) / torch.sqrt(var + 1e-5))


def test_sync_bn_outside_a_distributed_run_is_batch_norm_with_one_warning(
    fresh_warnings: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="clscore"):
        layers = [build_norm_layer({"type": "SyncBN", "momentum": 0.01}, 8) for _ in range(5)]
        vector = build_norm_layer({"type": "SyncBN"}, 8, dims=1)
    assert all(type(layer) is nn.BatchNorm2d and layer.momentum == 0.01 for layer in layers)
    assert type(vector) is nn.BatchNorm1d
    messages = [r.getMessage() for r in caplog.records if "SyncBN" in r.getMessage()]
    assert messages == [
        "norm_cfg type SyncBN: this run is not distributed, so BatchNorm is used instead (statistics per process)"
    ]
    layers[0].train()(torch.randn(4, 8, 2, 2))  # trains on CPU, where a SyncBatchNorm would raise


@pytest.fixture
def process_group(tmp_path):
    dist.init_process_group("gloo", init_method=f"file://{tmp_path / 'store'}", rank=0, world_size=1)
    yield
    dist.destroy_process_group()


def test_sync_bn_in_a_distributed_run(
    process_group: None,
    fresh_warnings: None,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="clscore"):
        gloo = build_norm_layer({"type": "SyncBN"}, 8)
    assert type(gloo) is nn.BatchNorm2d  # SyncBatchNorm cannot run on the CPU tensors gloo runs with
    assert "the gloo backend (CPU) has no SyncBatchNorm" in caplog.text
    monkeypatch.setattr(dist, "get_backend", lambda *args: "nccl")
    layer = build_norm_layer({"type": "SyncBN", "eps": 1e-3, "requires_grad": False}, 8)
    assert type(layer) is nn.SyncBatchNorm and layer.eps == 1e-3
    assert not any(p.requires_grad for p in layer.parameters())
