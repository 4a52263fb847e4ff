"""Finding, reading and checking a trained checkpoint."""

from __future__ import annotations

import pytest
import torch

from clscore.apis.trained import class_names, load_trained_model, resolve_checkpoint
from clscore.errors import CheckpointError


def test_resolve_checkpoint_forms(trained, tmp_path):
    assert resolve_checkpoint(trained.checkpoint) == trained.checkpoint
    assert resolve_checkpoint(trained.work_dir).resolve() == trained.checkpoint.resolve()
    assert resolve_checkpoint(trained.work_dir / "latest").resolve() == trained.checkpoint.resolve()
    with pytest.raises(CheckpointError, match="not found"):
        resolve_checkpoint(tmp_path / "nope.pth")
    with pytest.raises(CheckpointError, match="no checkpoint in the folder"):
        resolve_checkpoint(tmp_path)
    (tmp_path / "latest").write_text("epoch_9.pth\n")
    with pytest.raises(CheckpointError, match=r"epoch_9\.pth"):
        resolve_checkpoint(tmp_path / "latest")


def test_loads_config_classes_and_weights(trained):
    model = load_trained_model(trained.work_dir)
    assert model.classes == [str(i) for i in range(10)]
    assert model.cfg.model.backbone.type == "LeNet5"
    assert not model.model.training
    state = torch.load(trained.checkpoint, weights_only=True)["state_dict"]
    torch.testing.assert_close(model.model.state_dict()["head.fc.weight"], state["head.fc.weight"])


def test_a_checkpoint_that_does_not_fit_the_config_is_refused(trained):
    with pytest.raises(CheckpointError, match="does not fit the model"):
        load_trained_model(trained.checkpoint, str(trained.config), cfg_options=["model.head.num_classes=7"])


def test_class_names_fallbacks():
    assert class_names({"CLASSES": ["a", "b"]}, {}, 2) == ["a", "b"]
    assert class_names({}, {"data": {"test": {"classes": ["x", "y"]}}}, 2) == ["x", "y"]
    assert class_names({"classes": None}, {"data": {}}, 3) == ["0", "1", "2"]
