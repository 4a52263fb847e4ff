from __future__ import annotations

import pytest
from click.testing import CliRunner

from clscore.cli import cli
from clscore.cli._options import Command, spread


def test_spread_cfg_options():
    assert spread(["c.yaml", "--cfg-options", "a=1", "b.c=[1, 2]", "--debug"], Command.multi_value) == [
        "c.yaml",
        "--cfg-options",
        "a=1",
        "--cfg-options",
        "b.c=[1, 2]",
        "--debug",
    ]


@pytest.fixture
def cfg_file(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("runner: {type: EpochBasedRunner, max_epochs: 3}\nsteps: [1, 2]\n")
    return path


def test_config_show_applies_overrides(cfg_file):
    result = CliRunner().invoke(
        cli, ["config", "show", str(cfg_file), "--cfg-options", "runner.max_epochs=5", "steps=[7]"]
    )
    assert result.exit_code == 0, result.output
    assert result.output == "runner: {type: EpochBasedRunner, max_epochs: 5}\nsteps: [7]\n"


def test_config_validate_ok(cfg_file):
    result = CliRunner().invoke(cli, ["config", "validate", str(cfg_file)])
    assert result.exit_code == 0
    assert result.output.strip().endswith(": ok")


def test_config_validate_errors_exit_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("runner: {type: EpochRunner, max_epoch: 3}\nlr_confg: {}\n")
    result = CliRunner().invoke(cli, ["config", "validate", str(bad)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "runner.max_epoch: unknown key; did you mean 'max_epochs'?" in result.output
    assert (
        "runner.type: expected Literal['EpochBasedRunner', 'IterBasedRunner'], got 'EpochRunner'"
        in result.output
    )
    assert "lr_confg: unknown section; did you mean 'lr_config'?" in result.output


def test_debug_shows_the_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: 1\na: 2\n")
    result = CliRunner().invoke(cli, ["--debug", "config", "validate", str(bad)])
    assert result.exit_code != 0
    assert result.exception is not None and "duplicate key" in str(result.exception)


def test_missing_config_file_is_a_clear_error():
    result = CliRunner().invoke(cli, ["config", "validate", "nope.yaml"])
    assert result.exit_code == 2
    assert "config file not found: nope.yaml" in result.output
