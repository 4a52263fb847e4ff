"""Weights named by URL are refused while the config is validated, with what to write instead."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from clscore.cli import cli
from clscore.config import validate
from clscore.config._remote import remote_problems
from clscore.errors import ConfigError

URL = "https://download.openmmlab.com/mmclassification/v0/resnet/resnet50_8xb32_in1k_20210831-ea4938fc.pth"


def test_load_from_url_says_how_to_use_a_local_file():
    (message,) = remote_problems({"load_from": URL})
    assert message.startswith("load_from: ")
    assert "downloads nothing" in message
    assert f"curl -LO {URL}" in message
    assert message.endswith("set load_from: ./resnet50_8xb32_in1k_20210831-ea4938fc.pth")


def test_every_weights_key_is_checked_and_local_paths_pass():
    cfg = {
        "resume_from": "s3://bucket/run/latest.pth",
        "load_from": "work_dirs/x/epoch_3.pth",
        "model": {
            "pretrained": "http://example.org/w.pth",
            "backbone": {
                "type": "ResNet",
                "init_cfg": [
                    {"type": "Kaiming", "layer": "Conv2d"},
                    {"type": "Pretrained", "checkpoint": "torchvision://resnet50", "prefix": "backbone"},
                ],
            },
            "head": {"init_cfg": {"type": "Pretrained", "checkpoint": "/data/w.pth"}},
        },
    }
    problems = remote_problems(cfg)
    keys = sorted(p.split(":")[0] for p in problems)
    assert keys == ["model.backbone.init_cfg.1.checkpoint", "model.pretrained", "resume_from"]
    assert any("s3:// location" in p for p in problems)
    assert remote_problems({"load_from": "file:///data/w.pth", "resume_from": None}) == []


def test_validate_and_the_cli_stop_before_building(tmp_path):
    with pytest.raises(ConfigError, match="downloads nothing"):
        validate({"load_from": URL})
    config = tmp_path / "c.yaml"
    config.write_text(f"load_from: {URL}\n")
    result = CliRunner().invoke(cli, ["config", "validate", str(config)])
    assert result.exit_code == 2
    assert "curl -LO" in result.output and "Traceback" not in result.output
