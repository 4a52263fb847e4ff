from __future__ import annotations

import pytest
import torch
from torch import nn

from clscore import hookimpl
from clscore.errors import ConfigError
from clscore.testing import assert_training_lowers_loss, isolated_host, run_one_step, tiny_config, use_host


class Detached(nn.Module):
    """A broken backbone: its output does not depend on its weights' gradients."""

    def __init__(self, width: int = 4) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, width, 3)
        self.out_channels = [width]

    def forward(self, img: torch.Tensor) -> tuple[torch.Tensor]:
        return (self.conv(img).detach().requires_grad_(),)


class BrokenPlugin:
    name = "broken"

    @hookimpl
    def register_backbones(self, registry):
        registry.add("Detached", Detached, summary="Detaches its output.")


def test_one_step_trains_a_builtin_backbone_and_returns_finite_losses():
    with use_host(isolated_host(tiny_data=True)):
        cfg = tiny_config({"type": "LeNet5"}, transforms=[{"type": "RandomFlip", "flip_prob": 0.5}])
        losses = run_one_step(cfg, steps=2)
    assert set(losses) >= {"loss"}
    assert 0 < losses["loss"] < 5


def test_a_backbone_that_gets_no_gradient_is_caught():
    with (
        use_host(isolated_host(BrokenPlugin(), tiny_data=True)),
        pytest.raises(AssertionError, match="no gradient"),
    ):
        run_one_step(tiny_config({"type": "Detached"}))


def test_an_invalid_config_fails_validation_first():
    with use_host(isolated_host(tiny_data=True)), pytest.raises(ConfigError, match="did you mean 'LeNet5'"):
        run_one_step(tiny_config({"type": "LeNet"}))


def test_training_lowers_loss_passes_for_a_learning_model_and_fails_for_one_that_cannot_learn():
    with use_host(isolated_host(tiny_data=True)):
        cfg = tiny_config({"type": "LeNet5"}, size=32, num_samples=4, batch_size=4)
        cfg["optimizer"]["lr"] = 0.05
        first, last = assert_training_lowers_loss(cfg, steps=6, factor=0.95)
        assert last < first
        cfg["optimizer"]["lr"] = 0.0  # nothing is learned: the loss stays where it started
        with pytest.raises(AssertionError, match="did not fall below"):
            assert_training_lowers_loss(cfg, steps=6, factor=0.95)
