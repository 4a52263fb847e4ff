"""Stochastic depth: whole samples dropped while training, an identity in evaluation."""

from __future__ import annotations

import pytest
import torch

from clscore.layers import DropPath, drop_path


def test_training_drops_whole_samples_and_keeps_the_expectation() -> None:
    torch.manual_seed(0)
    layer = DropPath(0.25)
    x = torch.ones(20000, 2, 3, 3)
    per_sample = layer(x).flatten(1)
    assert (per_sample.min(1).values == per_sample.max(1).values).all()  # a sample is kept or dropped whole
    kept = per_sample[:, 0][per_sample[:, 0] != 0]
    torch.testing.assert_close(kept, torch.full_like(kept, 1 / 0.75))  # survivors scaled by 1 / keep
    dropped = (per_sample[:, 0] == 0).float().mean().item()
    assert abs(dropped - 0.25) < 0.015  # about 4 standard deviations of a binomial(20000, 0.25) share
    assert abs(per_sample.mean().item() - 1.0) < 0.03


def test_evaluation_and_rate_zero_are_the_identity() -> None:
    x = torch.randn(8, 4)
    layer = DropPath(0.5).eval()
    assert layer(x) is x
    assert drop_path(x, 0.0, training=True) is x
    assert drop_path(x, 0.5, training=False) is x


@pytest.mark.parametrize("rate", [-0.1, 1.0])
def test_rates_outside_zero_to_one_are_errors(rate: float) -> None:
    with pytest.raises(ValueError, match=r"drop path rate must be in \[0, 1\)"):
        DropPath(rate)
    with pytest.raises(ValueError, match=r"drop path rate must be in \[0, 1\)"):
        drop_path(torch.ones(2), rate, training=True)
