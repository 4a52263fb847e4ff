"""FlatCosineAnnealing, CosineAnnealingCooldown, LinearAnnealing and Cyclic: the lr at every iteration.

Expected values are written from the formulas of mmcv 1.7's ``lr_updater.py`` and MMClassification 0.25's
``CosineAnnealingCooldownLrUpdaterHook`` (progress = 0-based epoch or iteration).
"""

from __future__ import annotations

import math

import pytest
from test_engine_schedulers import first, lrs

from clscore.errors import ComponentError
from clscore.plugins import build


def cos_anneal(start: float, end: float, factor: float) -> float:
    return end + 0.5 * (start - end) * (math.cos(math.pi * factor) + 1)


def linear_warmup(i: int, warmup_iters: int, ratio: float) -> float:
    return 1 - (1 - i / warmup_iters) * (1 - ratio)


def per_iteration(by_epoch: list[float], iters_per_epoch: int) -> list[float]:
    return [lr for lr in by_epoch for _ in range(iters_per_epoch)]


def test_flat_cosine_by_epoch_with_linear_warmup(clscore_host):
    cfg = {
        "policy": "FlatCosineAnnealing",
        "start_percent": 0.5,
        "min_lr": 0.001,
        "warmup": "linear",
        "warmup_iters": 3,
        "warmup_ratio": 0.2,
    }
    got = first(lrs(cfg, iters_per_epoch=2, max_epochs=8))
    # Flat for round(8 * 0.5) = 4 epochs, then cosine over the remaining 4.
    epochs = [0.1] * 4 + [cos_anneal(0.1, 0.001, (e - 4) / 4) for e in range(4, 8)]
    expected = per_iteration(epochs, 2)
    for i in range(3):
        expected[i] *= linear_warmup(i, 3, 0.2)
    assert got == pytest.approx(expected)
    assert got[8] == pytest.approx(0.1) and got[15] > 0.001


def test_flat_cosine_by_iteration_rounds_half_to_even(clscore_host):
    cfg = {"policy": "FlatCosineAnnealing", "start_percent": 0.25, "min_lr_ratio": 0.1, "by_epoch": False}
    got = first(lrs(cfg, iters_per_epoch=4, max_iters=10))
    # round(10 * 0.25) = round(2.5) = 2 (Python's and mmcv's rounding), so annealing spans 8 iterations.
    expected = [0.1, 0.1] + [cos_anneal(0.1, 0.01, (i - 2) / 8) for i in range(2, 10)]
    assert got == pytest.approx(expected)
    assert got[3] < 0.1


def test_flat_cosine_default_start_and_checks(clscore_host):
    got = first(lrs({"policy": "FlatCosineAnnealing", "min_lr": 0.0}, iters_per_epoch=1, max_epochs=4))
    assert got == pytest.approx([0.1, 0.1, 0.1, 0.1])  # start round(4 * 0.75) = 3, cos(0) at epoch 3
    with pytest.raises(ComponentError, match="start_percent"):
        build("scheduler", {"type": "FlatCosineAnnealing", "start_percent": 1.5, "min_lr": 0})
    with pytest.raises(ComponentError, match="exactly one of min_lr and min_lr_ratio"):
        build("scheduler", {"type": "FlatCosineAnnealing", "min_lr": 0, "min_lr_ratio": 0.1})


def test_cosine_cooldown_by_epoch(clscore_host):
    cfg = {"policy": "CosineAnnealingCooldown", "min_lr": 0.01, "cool_down_time": 2, "cool_down_ratio": 0.1}
    got = first(lrs(cfg, iters_per_epoch=3, max_epochs=6))
    # Cosine over 6 - 2 = 4 epochs (epoch 4 reaches min_lr exactly); epoch 5 > 4 holds 0.01 * 0.1.
    epochs = [cos_anneal(0.1, 0.01, e / 4) for e in range(5)] + [0.001]
    assert got == pytest.approx(per_iteration(epochs, 3))


def test_cosine_cooldown_by_iteration_with_epoch_warmup(clscore_host):
    cfg = {
        "policy": "CosineAnnealingCooldown",
        "min_lr_ratio": 0.1,
        "cool_down_time": 3,
        "by_epoch": False,
        "warmup": "linear",
        "warmup_iters": 1,
        "warmup_by_epoch": True,
    }
    got = first(lrs(cfg, iters_per_epoch=4, max_iters=12))
    expected = [cos_anneal(0.1, 0.01, i / 9) for i in range(10)] + [0.001, 0.001]
    for i in range(4):  # one warmup epoch of 4 iterations, default warmup_ratio 0.1
        expected[i] *= linear_warmup(i, 4, 0.1)
    assert got == pytest.approx(expected)


def test_cosine_cooldown_default_on_a_run_shorter_than_the_cooldown(clscore_host):
    got = first(lrs({"policy": "CosineAnnealingCooldown", "min_lr": 1e-3}, iters_per_epoch=2, max_epochs=10))
    # cool_down_time 10 = the whole run: 10 - 10 = 0 epochs of cosine, so every epoch is in the cooldown.
    assert got == pytest.approx([1e-4] * 20)


def test_linear_annealing_by_epoch_and_by_iteration(clscore_host):
    got = first(lrs({"policy": "LinearAnnealing", "min_lr": 0.0}, iters_per_epoch=2, max_epochs=5))
    assert got == pytest.approx(per_iteration([0.1 * (1 - e / 5) for e in range(5)], 2))
    cfg = {
        "policy": "LinearAnnealing",
        "min_lr_ratio": 0.2,
        "by_epoch": False,
        "warmup": "exp",
        "warmup_iters": 2,
        "warmup_ratio": 0.5,
    }
    got = first(lrs(cfg, iters_per_epoch=3, max_iters=8))
    expected = [0.1 + (0.02 - 0.1) * i / 8 for i in range(8)]
    expected[0] *= 0.5**1
    expected[1] *= 0.5 ** (1 - 1 / 2)
    assert got == pytest.approx(expected)


def test_cyclic_defaults(clscore_host):
    got = first(lrs({"policy": "Cyclic"}, iters_per_epoch=5, max_iters=10))
    # One cycle of 10: up for int(0.4 * 10) = 4 iterations from 0.1 to 0.1 * 10, down over 6 to 0.1 * 1e-4.
    expected = [cos_anneal(0.1, 1.0, i / 4) for i in range(4)]
    expected += [cos_anneal(1.0, 1e-5, (i - 4) / 6) for i in range(4, 10)]
    assert got == pytest.approx(expected)


def test_cyclic_linear_two_cycles_with_gamma_and_warmup(clscore_host):
    cfg = {
        "policy": "Cyclic",
        "target_ratio": [10, 0.01],
        "cyclic_times": 2,
        "step_ratio_up": 0.5,
        "anneal_strategy": "linear",
        "gamma": 0.5,
        "warmup": "constant",
        "warmup_iters": 2,
        "warmup_ratio": 0.5,
    }
    got = first(lrs(cfg, iters_per_epoch=4, max_iters=12))

    def lin(a, b, f):
        return a + (b - a) * f

    # Cycles of 6 iterations, 3 up and 3 down; the second peak is 1 - 0.5 + 10 * 0.5 = 5.5 × base.
    expected = [lin(0.1, 1.0, i / 3) for i in range(3)] + [lin(1.0, 0.001, i / 3) for i in range(3)]
    expected += [lin(0.1, 0.55, i / 3) for i in range(3)] + [lin(0.55, 0.001, i / 3) for i in range(3)]
    expected[0] *= 0.5
    expected[1] *= 0.5
    assert got == pytest.approx(expected)


def test_cyclic_single_ratio_and_no_rising_phase(clscore_host):
    cfg = {"policy": "Cyclic", "target_ratio": 4.0, "cyclic_times": 2, "step_ratio_up": 0.0, "gamma": 0.5}
    got = first(lrs(cfg, iters_per_epoch=5, max_iters=10))
    # target_ratio 4.0 means (4, 4e-5). With no rising phase mmcv scales the falling phase's end
    # (not its start) in later cycles: cycle 1 falls from 0.4 to 0.1 * (1 - 0.5 + 4e-5 * 0.5).
    expected = [cos_anneal(0.4, 0.1 * 4e-5, i / 5) for i in range(5)]
    expected += [cos_anneal(0.4, 0.1 * (0.5 + 2e-5), i / 5) for i in range(5)]
    assert got == pytest.approx(expected)


@pytest.mark.parametrize(
    ("cfg", "message"),
    [
        ({"type": "Cyclic", "by_epoch": True}, "per iteration only"),
        ({"type": "Cyclic", "step_ratio_up": 1.0}, "step_ratio_up"),
        ({"type": "Cyclic", "gamma": 0}, "gamma"),
        ({"type": "Cyclic", "target_ratio": [1, 2, 3]}, "target_ratio"),
        ({"type": "Cyclic", "anneal_strategy": "step"}, "anneal_strategy"),
        ({"type": "LinearAnnealing"}, "exactly one of min_lr and min_lr_ratio"),
        ({"type": "CosineAnnealingCooldown"}, "exactly one of min_lr and min_lr_ratio"),
    ],
)
def test_bad_configs(clscore_host, cfg, message):
    with pytest.raises(ComponentError, match=message):
        build("scheduler", cfg)
