"""``build_activation_layer``."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from clscore.layers import build_activation_layer


def test_types_and_arguments() -> None:
    assert isinstance(build_activation_layer(None), nn.Identity)
    relu = build_activation_layer({"type": "ReLU", "inplace": True})
    assert isinstance(relu, nn.ReLU) and relu.inplace
    leaky = build_activation_layer({"type": "LeakyReLU", "negative_slope": 0.2})
    torch.testing.assert_close(leaky(torch.tensor([-1.0, 2.0])), torch.tensor([-0.2, 2.0]))
    assert isinstance(build_activation_layer({"type": "Swish"}), nn.SiLU)
    assert isinstance(build_activation_layer({"type": "HSigmoid"}), nn.Hardsigmoid)


def test_mistakes_are_named() -> None:
    with pytest.raises(ValueError, match=r"unknown act_cfg type 'Relu'.*did you mean 'ReLU'"):
        build_activation_layer({"type": "Relu"})
    with pytest.raises(ValueError, match="slope"):
        build_activation_layer({"type": "LeakyReLU", "slope": 0.2})
    with pytest.raises(ValueError, match="'type' key"):
        build_activation_layer({"inplace": True})
