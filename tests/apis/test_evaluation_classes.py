"""``clsrun test`` warns when the data's classes are not the checkpoint's (the metrics would be wrong)."""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from clscore.apis.evaluation import check_classes
from clscore.apis.trained import TrainedModel
from clscore.config import Config


def trained_on(classes: list[str], meta: dict) -> TrainedModel:
    return TrainedModel(
        model=torch.nn.Identity(),
        cfg=Config({}),
        classes=classes,
        checkpoint=Path("epoch_2.pth"),
        device=torch.device("cpu"),
        meta=meta,
    )


def folders(classes: list[str]) -> SimpleNamespace:
    return SimpleNamespace(classes=classes, ann_file=None)


@pytest.mark.parametrize(
    "data_classes",
    [["cat", "dog"], ["a", "b", "c"], ["flower", "china", "mixed"]],
    ids=["fewer", "renamed", "order"],
)
def test_other_classes_than_the_checkpoint_are_warned_about(caplog, data_classes):
    names = ["china", "flower", "mixed"]
    with caplog.at_level(logging.WARNING, logger="clscore"):
        check_classes(trained_on(names, {"classes": names}), folders(data_classes), "test")
    (record,) = caplog.records
    assert record.getMessage().startswith(
        f"data.test's classes ({', '.join(data_classes)}) are not those epoch_2.pth was trained on "
        "(china, flower, mixed)"
    )
    assert "Set data.test.classes to the checkpoint's classes" in record.getMessage()


def test_same_classes_or_a_checkpoint_without_names_are_quiet(caplog):
    names = ["china", "flower", "mixed"]
    with caplog.at_level(logging.WARNING, logger="clscore"):
        check_classes(trained_on(names, {"classes": names}), folders(names), "val")
        check_classes(
            trained_on(["0", "1", "2"], {}), folders(names), "test"
        )  # bare weights: nothing to compare
        # an ann_file gives labels only: its class names are placeholders
        check_classes(
            trained_on(names, {"classes": names}),
            SimpleNamespace(classes=["0", "1", "2"], ann_file="a.txt"),
            "test",
        )
    assert not caplog.records
