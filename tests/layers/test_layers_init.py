"""``init_cfg``: parsed once, applied layer by layer, MMCV's types and keys."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from clscore.layers import initialize, loads_pretrained, parse_init_cfg, with_pretrained


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(64, 256, 3)
        self.bn = nn.BatchNorm2d(256)
        self.vec_bn = nn.BatchNorm1d(8)
        self.head = nn.Linear(256, 10)


def test_each_type_touches_only_the_named_layers() -> None:
    net = Net()
    head_before = net.head.weight.clone()
    initialize(net, {"type": "Constant", "layer": "Conv2d", "val": 0.5, "bias": 1.0})
    assert torch.all(net.conv.weight == 0.5) and torch.all(net.conv.bias == 1.0)
    assert torch.equal(net.head.weight, head_before)
    initialize(
        net, {"type": "Constant", "layer": "_BatchNorm", "val": 3}
    )  # a base class matches its subclasses
    assert torch.all(net.bn.weight == 3) and torch.all(net.vec_bn.weight == 3) and torch.all(net.bn.bias == 0)


def test_distributions_have_the_requested_statistics() -> None:
    torch.manual_seed(0)
    net = Net()
    initialize(net, {"type": "Kaiming", "layer": "Conv2d"})  # MMCV's defaults: fan_out, relu, normal
    expected_std = math.sqrt(2.0 / (256 * 3 * 3))
    assert abs(net.conv.weight.std().item() / expected_std - 1) < 0.02
    initialize(net, {"type": "Normal", "layer": "Linear", "mean": 1.0, "std": 0.02})
    assert (
        abs(net.head.weight.mean().item() - 1.0) < 0.005 and abs(net.head.weight.std().item() - 0.02) < 0.002
    )
    initialize(net, {"type": "TruncNormal", "layer": "Linear", "std": 1.0, "a": -0.5, "b": 0.5})
    assert net.head.weight.abs().max() <= 0.5
    initialize(net, {"type": "Uniform", "layer": "Linear", "a": 2.0, "b": 3.0})
    assert net.head.weight.min() >= 2.0 and net.head.weight.max() <= 3.0
    initialize(net, {"type": "Xavier", "layer": "Linear", "distribution": "uniform"})
    bound = math.sqrt(6.0 / (256 + 10))
    assert net.head.weight.abs().max() <= bound and net.head.weight.abs().max() > 0.9 * bound


def test_bias_prob_sets_the_prior_of_a_sigmoid() -> None:
    net = Net()
    initialize(net, {"type": "Normal", "layer": "Linear", "std": 0.01, "bias_prob": 0.01})
    torch.testing.assert_close(torch.sigmoid(net.head.bias), torch.full((10,), 0.01))


def test_override_initialises_a_named_child_with_its_own_or_the_inherited_settings() -> None:
    net = Net()
    initialize(
        net,
        {
            "type": "Constant",
            "layer": "Conv2d",
            "val": 2.0,
            "override": {"name": "head", "type": "Constant", "val": 0},
        },
    )
    assert torch.all(net.conv.weight == 2.0) and torch.all(net.head.weight == 0)
    initialize(net, {"type": "Constant", "layer": "Conv2d", "val": 4.0, "override": [{"name": "head"}]})
    assert torch.all(net.head.weight == 4.0)
    with pytest.raises(ValueError, match="Net has no child module 'fc'"):
        initialize(net, {"type": "Constant", "val": 1, "override": {"name": "fc"}})


@pytest.mark.parametrize(
    ("init_cfg", "message"),
    [
        ({"type": "Gaussian", "layer": "Linear"}, "unknown init_cfg type 'Gaussian'"),
        ({"type": "kaiming", "layer": "Conv2d"}, "did you mean 'Kaiming'"),
        ({"type": "Normal", "std": 0.1}, "needs a 'layer' key"),
        ({"type": "Normal", "layer": "Linear", "sd": 0.1}, r"init_cfg Normal: no key\(s\) \['sd'\]"),
        ({"type": "Constant", "layer": "Linear"}, "init_cfg Constant needs val"),
        ({"type": "Normal", "layer": "Linear", "override": {"type": "Normal"}}, "override needs the 'name'"),
        (
            {"type": "Normal", "layer": "Linear", "override": {"name": "fc", "sd": 1}},
            r"override 'fc': init_cfg Normal: no key\(s\) \['sd'\]",
        ),
        ({"type": "Pretrained"}, "needs 'checkpoint: "),
        ({"type": "Pretrained", "checkpoint": "a.pth", "prefx": "b"}, r"no key\(s\) \['prefx'\]"),
        ({"type": "Pretrained", "checkpoint": "https://x.org/a.pth"}, "clscore downloads nothing"),
        ([{"layer": "Linear"}], "mapping with a 'type' key"),
    ],
)
def test_mistakes_are_reported_with_the_owner(init_cfg, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        parse_init_cfg(init_cfg, owner="MyNet")
    assert str(info.value).startswith("MyNet: ")


def test_default_is_replaced_by_an_init_cfg_and_kept_under_a_pretrained_one(tmp_path) -> None:
    default = [{"type": "Constant", "layer": "Conv2d", "val": 1.0}]
    net = Net()
    initialize(net, None, default=default)
    assert torch.all(net.conv.weight == 1.0)
    initialize(
        net,
        {"type": "Constant", "layer": "Linear", "val": 5.0},
        default=[{"type": "Constant", "layer": "Conv2d", "val": 7.0}],
    )
    assert torch.all(net.conv.weight == 1.0) and torch.all(net.head.weight == 5.0)  # the default did not run
    torch.save({"head.weight": torch.full((10, 256), 9.0)}, tmp_path / "head.pth")
    initialize(
        net,
        {"type": "Pretrained", "checkpoint": str(tmp_path / "head.pth")},
        default=[{"type": "Constant", "layer": "Conv2d", "val": 7.0}],
    )
    assert torch.all(net.conv.weight == 7.0) and torch.all(net.head.weight == 9.0)


def test_pretrained_helpers() -> None:
    assert with_pretrained(None, None) is None
    assert with_pretrained("a.pth", None) == {"type": "Pretrained", "checkpoint": "a.pth"}
    with pytest.raises(ValueError, match="either 'pretrained' or init_cfg, not both"):
        with_pretrained("a.pth", {"type": "Pretrained", "checkpoint": "b.pth"}, owner="ResNet")
    assert loads_pretrained(
        [{"type": "Constant", "layer": "Linear", "val": 0}, {"type": "Pretrained", "checkpoint": "a"}]
    )
    assert not loads_pretrained({"type": "Constant", "layer": "Linear", "val": 0})
    assert not loads_pretrained(None)
