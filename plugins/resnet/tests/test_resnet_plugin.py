"""The plugin as clscore sees it, checked with clscore's own plugin-testing helpers."""

from __future__ import annotations

import math

import clscore
import pytest
from clscore.errors import ComponentError
from clscore.testing import (
    assert_registered,
    assert_training_lowers_loss,
    isolated_host,
    run_one_step,
    tiny_config,
    use_host,
)

import clscore_resnet.plugin
from clscore_resnet import ResNet, ResNet_CIFAR
from clscore_resnet.plugin import BACKBONES

PARAMS = ["depth", "out_indices", "style", "frozen_stages", "norm_cfg", "drop_path_rate", "init_cfg"]


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_registered_lazily_with_summary_and_parameters(name: str) -> None:
    host = isolated_host(clscore_resnet.plugin)
    component = assert_registered(host, "backbone", name, params=PARAMS, plugin="resnet", lazy=True)
    assert component.summary == BACKBONES[name][1]
    assert host.plugins["resnet"].distribution == "clscore-plugin-resnet"


@pytest.mark.parametrize("backbone", [{"type": "ResNet", "depth": 18}, {"type": "ResNet_CIFAR", "depth": 18}])
def test_training_lowers_the_loss_on_a_fixed_batch(backbone: dict) -> None:
    """Four images, one batch: each step sees the same batch, so a working model fits it."""
    with use_host(isolated_host(clscore_resnet.plugin, tiny_data=True)):
        cfg = tiny_config(backbone, size=32, num_samples=4, batch_size=4)
        assert_training_lowers_loss(cfg, steps=4, factor=0.9)


@pytest.mark.parametrize("name", ["ResNeXt", "SEResNet", "SEResNeXt"])
def test_new_backbones_train_from_a_config(name: str) -> None:
    with use_host(isolated_host(clscore_resnet.plugin, tiny_data=True)):
        cfg = tiny_config({"type": name, "depth": 50}, size=32, num_samples=2, batch_size=2)
        losses = run_one_step(cfg)
    assert math.isfinite(losses["loss"])


def test_build_from_a_config_dict() -> None:
    with use_host(isolated_host(clscore_resnet.plugin)):
        model = clscore.build("backbone", {"type": "ResNet", "depth": 18, "out_indices": [-1]})
        cifar = clscore.build("backbone", {"type": "ResNet_CIFAR", "depth": 18, "out_indices": [0, 1]})
        with pytest.raises(ComponentError, match="invalid depth 20 for ResNet; choose one of 18, 34, 50"):
            clscore.build("backbone", {"type": "ResNet", "depth": 20})
    assert isinstance(model, ResNet) and model.out_channels == [512]
    assert isinstance(cifar, ResNet_CIFAR) and cifar.out_channels == [64, 128]
