"""Checks before training: val classes against the train classes, a head to compute the loss."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

from clscore import train
from clscore.engine.hooks.checks import ClassNumCheckHook
from clscore.errors import ConfigError


def test_val_classes_that_differ_from_the_train_classes_are_warned_about(
    tiny_host, tiny_cfg, tmp_path, caplog
):
    tiny_cfg["runner"]["max_epochs"] = 1
    tiny_cfg["data"]["val"]["num_classes"] = 2  # a val folder that lacks the last class
    with caplog.at_level(logging.WARNING, logger="clscore"):
        train(tiny_cfg, work_dir=tmp_path, device="cpu")
    assert (
        "the val dataset's classes differ from the train dataset's (val: class_0, class_1; "
        "train: class_0, class_1, class_2)" in caplog.text
    )
    assert "Give data.val.classes the train classes, in order" in caplog.text
    assert "but the val dataset has 2 classes" not in caplog.text  # not a second, misleading advice


def test_same_classes_are_quiet(tiny_host, tiny_cfg, tmp_path, caplog):
    tiny_cfg["runner"]["max_epochs"] = 1
    with caplog.at_level(logging.WARNING, logger="clscore"):
        train(tiny_cfg, work_dir=tmp_path, device="cpu")
    assert "classes differ" not in caplog.text and "num_classes" not in caplog.text


def test_training_a_model_without_head_is_a_config_error(tiny_host, tiny_cfg, tmp_path):
    tiny_cfg["model"]["head"] = None
    with pytest.raises(ConfigError, match=r"model\.head: training needs a head") as info:
        train(tiny_cfg, work_dir=tmp_path, device="cpu")
    assert info.value.exit_code == 2


def test_class_names_of_an_ann_file_are_placeholders_and_not_compared(caplog):
    folders = SimpleNamespace(classes=["cat", "dog"], ann_file=None)
    listed = SimpleNamespace(classes=["0", "1"], ann_file="meta/val.txt")  # 'file label' lines: no names
    runner = SimpleNamespace(is_main=True, logger=logging.getLogger("clscore"))
    with caplog.at_level(logging.WARNING, logger="clscore"):
        assert ClassNumCheckHook._check_same_classes(runner, {"train": folders, "val": listed}) == set()
        assert ClassNumCheckHook._check_same_classes(runner, {"train": listed, "val": folders}) == set()
    assert not caplog.records
