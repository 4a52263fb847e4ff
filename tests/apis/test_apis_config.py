"""``load_config``: one way every entry point reads a config (path or object, overrides, validation)."""

from __future__ import annotations

import pytest

from clscore.apis import load_config
from clscore.config import Config
from clscore.errors import ConfigError


def test_a_path_with_overrides_is_loaded_and_validated(tmp_path, clscore_host):
    path = tmp_path / "c.yaml"
    path.write_text("model: {backbone: {type: LeNet5, num_classes: 3}}\nrunner: {max_epochs: 1}\n")
    cfg = load_config(path, ["runner.max_epochs=4"])
    assert isinstance(cfg, Config) and cfg.runner.max_epochs == 4 and cfg.filename == str(path)
    with pytest.raises(ConfigError, match=r"model\.backbone\.depht"):
        load_config(path, ["model.backbone.depht=3"])
    assert load_config(path, ["model.backbone.depht=3"], validate=False).model.backbone.depht == 3


def test_an_object_is_used_as_it_is_or_copied_to_apply_overrides(clscore_host):
    plain = {"runner": {"max_epochs": 1}}
    assert load_config(plain) is plain
    changed = load_config(plain, ["runner.max_epochs=2"])
    assert changed.runner.max_epochs == 2 and plain["runner"]["max_epochs"] == 1
