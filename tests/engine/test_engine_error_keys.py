"""Errors about data and checkpoints name the config key they came from."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from clscore.cli import cli

ROOT = Path(__file__).resolve().parents[2]
DEMO = str(ROOT / "configs" / "digits" / "resnet18_digits.yaml")


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("load_from={missing}", "Error: load_from: checkpoint not found: "),
        ("resume_from={missing}", "Error: resume_from: checkpoint not found: "),
        ("model.backbone.pretrained={missing}", "Error: model.backbone: checkpoint not found: "),
        (
            "data.train={{type: CustomDataset, data_prefix: {missing}, pipeline: []}}",
            "Error: data.train.data_prefix: folder not found: ",
        ),
    ],
)
def test_error_names_the_config_key(tmp_path, option, expected):
    missing = tmp_path / "nowhere.pth"
    result = CliRunner().invoke(
        cli,
        ["train", DEMO, "--work-dir", str(tmp_path / "w"), "--cfg-options", option.format(missing=missing)],
    )
    assert result.exit_code != 0
    assert expected in result.output, result.output
    assert "Traceback" not in result.output
