"""PreciseBNHook: running statistics become the population statistics of the features, computed by hand."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader

from clscore.dist import DistInfo
from clscore.engine.builders import training_hooks
from clscore.engine.hooks import EvalHook, PreciseBNHook, get_priority
from clscore.engine.precision import Precision


class _Tiny(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(4)
        self.conv2 = nn.Conv2d(4, 2, 1)
        self.bn2 = nn.BatchNorm2d(2)
        self.frozen = nn.BatchNorm2d(2)  # kept in eval mode: must not change

    def train(self, mode: bool = True) -> _Tiny:
        super().train(mode)
        self.frozen.eval()
        return self

    def forward(self, img: torch.Tensor) -> torch.Tensor:
        return self.frozen(self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(img))))))


def _runner(model: nn.Module, batches: list[torch.Tensor], epoch: int = 1) -> SimpleNamespace:
    loader = DataLoader([{"img": b} for b in torch.cat(batches)], batch_size=len(batches[0]))
    return SimpleNamespace(
        model=model,
        train_loader=loader,
        dist_info=DistInfo(device=torch.device("cpu")),
        device=torch.device("cpu"),
        precision=Precision(),
        logger=logging.getLogger("test"),
        epoch=epoch,
    )


def _population(features: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.cat(features).double().transpose(0, 1).reshape(features[0].shape[1], -1)
    return x.mean(1), x.var(1, unbiased=True)


def _by_hand(model: _Tiny, batches: list[torch.Tensor]) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """bn1's inputs, then bn2's: each batch normalised with its own statistics, as BN in train mode does."""
    first = [model.conv1(b) for b in batches]
    second = []
    for f in first:
        mean = f.mean((0, 2, 3), keepdim=True)
        var = f.var((0, 2, 3), unbiased=False, keepdim=True)
        w, b = model.bn1.weight.view(1, -1, 1, 1), model.bn1.bias.view(1, -1, 1, 1)
        normed = (f - mean) / torch.sqrt(var + model.bn1.eps) * w + b
        second.append(model.conv2(torch.relu(normed)))
    return [_population(first), _population(second)]


@torch.no_grad()
def test_running_stats_become_the_population_statistics():
    torch.manual_seed(0)
    model = _Tiny()
    nn.init.uniform_(model.bn1.weight, 0.5, 1.5)
    nn.init.uniform_(model.bn1.bias, -0.5, 0.5)
    batches = [torch.randn(4, 3, 6, 6) * 2 + 1 for _ in range(5)]
    frozen_before = model.frozen.running_mean.clone()
    model.eval()
    # num_samples 12 with batches of 4: the first three batches
    PreciseBNHook(num_samples=12).after_train_epoch(_runner(model, batches))
    expected = _by_hand(model, batches[:3])
    for layer, (mean, var) in zip((model.bn1, model.bn2), expected):
        torch.testing.assert_close(layer.running_mean, mean.float(), rtol=1e-5, atol=1e-5)
        torch.testing.assert_close(layer.running_var, var.float(), rtol=1e-5, atol=1e-5)
    assert torch.equal(model.frozen.running_mean, frozen_before)
    assert not model.training  # its mode is restored


@torch.no_grad()
def test_only_every_interval_epochs():
    model = _Tiny()
    batches = [torch.randn(2, 3, 5, 5) for _ in range(2)]
    PreciseBNHook(num_samples=4, interval=2).after_train_epoch(_runner(model, batches, epoch=1))
    assert torch.equal(model.bn1.running_mean, torch.zeros(4))
    PreciseBNHook(num_samples=4, interval=2).after_train_epoch(_runner(model, batches, epoch=2))
    assert not torch.equal(model.bn1.running_mean, torch.zeros(4))


def test_runs_before_evaluation_and_rejects_bad_arguments():
    assert get_priority(PreciseBNHook.priority) < get_priority(EvalHook.priority)
    cfg = {
        "runner": {"max_epochs": 1},
        "custom_hooks": [{"type": "PreciseBNHook", "num_samples": 64, "interval": 1}],
    }
    hooks = [h for h, _ in training_hooks(cfg, validate=False, has_val=False)]
    precise = [h for h in hooks if isinstance(h, PreciseBNHook)]
    assert len(precise) == 1 and precise[0].num_samples == 64
    with pytest.raises(ValueError, match="positive"):
        PreciseBNHook(num_samples=0)
