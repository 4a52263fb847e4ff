"""The lr schedule computed without training, against the reference formulas and a real run."""

from __future__ import annotations

import pytest

from clscore.apis.logs import read_json_log
from clscore.apis.schedule import iterations_per_epoch, lr_schedule
from clscore.config import Config


def cfg(**sections):
    base = {
        "optimizer": {"type": "SGD", "lr": 0.1, "momentum": 0.9},
        "runner": {"type": "EpochBasedRunner", "max_epochs": 4},
    }
    return Config({**base, **sections})


def test_step_policy():
    lrs, epochs = lr_schedule(cfg(lr_config={"policy": "step", "step": [1, 3]}), iters_per_epoch=2)
    assert epochs == 4
    assert lrs == pytest.approx([0.1, 0.1, 0.01, 0.01, 0.01, 0.01, 0.001, 0.001])


def test_linear_warmup_by_iteration():
    config = cfg(
        lr_config={"policy": "step", "step": [3], "warmup": "linear", "warmup_iters": 4, "warmup_ratio": 0.1}
    )
    lrs, _ = lr_schedule(config, iters_per_epoch=2)
    # lr = regular * (1 - (1 - cur/warmup_iters) * (1 - warmup_ratio)) while cur < warmup_iters
    expected = [0.1 * (1 - (1 - i / 4) * 0.9) for i in range(4)] + [0.1, 0.1, 0.01, 0.01]
    assert lrs == pytest.approx(expected)


def test_iteration_based_runner():
    lrs, epochs = lr_schedule(cfg(runner={"type": "IterBasedRunner", "max_iters": 5}), iters_per_epoch=100)
    assert epochs is None and lrs == pytest.approx([0.1] * 5)


def test_iterations_per_epoch():
    data = {
        "data": {"samples_per_gpu": 64, "workers_per_gpu": 0, "train": {"type": "Digits", "split": "train"}}
    }
    assert iterations_per_epoch(data, dataset_size=1442) == 23
    assert iterations_per_epoch(data, dataset_size=1442, world_size=2) == 12
    assert iterations_per_epoch(data) == 23  # builds the embedded train split: 1,442 samples


def test_matches_the_lr_the_real_run_logged(trained):
    config = Config.fromfile(trained.config)
    per_epoch = iterations_per_epoch(config)
    lrs, _ = lr_schedule(config, per_epoch)
    for record in read_json_log(trained.log_json):
        if record["mode"] == "train":
            assert record["lr"] == pytest.approx(lrs[(record["epoch"] - 1) * per_epoch + record["iter"] - 1])
