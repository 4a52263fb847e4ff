"""``train`` (the script part) and ``train_model`` (built model and datasets in, trained model out)."""

from __future__ import annotations

import pytest
import torch

from clscore import train
from clscore.apis import train_model
from clscore.checkpoint import read_checkpoint
from clscore.data.builder import build_dataset
from clscore.dist import DistInfo
from clscore.engine.rng import set_random_seed
from clscore.models.builder import build_model
from clscore.models.classifier import ImageClassifier
from clscore.testing import isolated_host, tiny_config, use_host


@pytest.fixture
def cfg():
    with use_host(isolated_host(tiny_data=True)):
        config = tiny_config({"type": "LeNet5", "num_classes": -1}, in_channels=120, size=32)
        config.runner = {"type": "IterBasedRunner", "max_iters": 3}
        yield config


def test_train_model_on_built_objects_trains_as_train_does(cfg, tmp_path):
    by_script = train(cfg, work_dir=tmp_path / "script", device="cpu", validate=False, seed=3)
    set_random_seed(3)
    model = build_model(cfg.model)
    datasets = [build_dataset(cfg.data.train, split="train")]
    by_hand = train_model(model, datasets, cfg, dist_info=DistInfo(), work_dir=tmp_path / "hand", seed=3)
    assert (by_hand["iter"], by_hand["checkpoint"]) == (3, str(tmp_path / "hand" / "iter_3.pth"))
    ours, theirs = (read_checkpoint(r["checkpoint"]) for r in (by_hand, by_script))
    assert ours["meta"]["classes"] == theirs["meta"]["classes"] and ours["meta"]["config"]
    for key, value in theirs["state_dict"].items():
        assert torch.equal(ours["state_dict"][key], value), key


def test_training_initialises_the_weights_once(cfg, tmp_path, monkeypatch):
    calls = []
    original = ImageClassifier.init_weights

    def counted(self):
        if next(self.parameters()).device.type != "meta":  # the preflight's shape check builds one on meta
            calls.append(self)
        original(self)

    monkeypatch.setattr(ImageClassifier, "init_weights", counted)
    train(cfg, work_dir=tmp_path, device="cpu", validate=False)
    assert len(calls) == 1
