"""MMClassification recipe pieces in a real run: CLASSES in checkpoints, RepeatAugSampler."""

from __future__ import annotations

import torch

from clscore import train


def test_checkpoints_carry_classes_and_CLASSES(tiny_host, tiny_cfg, tmp_path):
    tiny_cfg["runner"] = {"type": "EpochBasedRunner", "max_epochs": 1}
    result = train(tiny_cfg, work_dir=tmp_path, validate=False)
    meta = torch.load(result["checkpoint"], weights_only=True)["meta"]
    assert meta["classes"] and meta["CLASSES"] == meta["classes"]


def test_repeat_aug_sampler_in_a_run(tiny_host, tiny_cfg, tmp_path):
    tiny_cfg["runner"] = {"type": "EpochBasedRunner", "max_epochs": 1}
    tiny_cfg["sampler"] = {"type": "RepeatAugSampler", "selected_round": 0, "selected_ratio": 2}
    result = train(tiny_cfg, work_dir=tmp_path, validate=False)
    assert result["iter"] == 2  # ceil(12 / 2) = 6 samples selected on one rank, batches of 4
