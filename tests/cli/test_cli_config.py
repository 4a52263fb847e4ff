from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from clscore.cli import cli
from clscore.cli._options import Command, spread
from clscore.config import Config, loads


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
    result = CliRunner().invoke(cli, ["config", "validate", "--partial", str(cfg_file)])
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


PYCONFIGS = Path(__file__).resolve().parents[1] / "config" / "pyconfigs"


def test_config_show_prints_a_python_config_chain():
    """Three levels of ``_base_`` with ``{{_base_.x}}``, ``**spread``, comprehensions and ``_delete_``."""
    child = PYCONFIGS / "resnet50_child.py"
    result = CliRunner().invoke(cli, ["config", "show", str(child), "--cfg-options", "total=21"])
    assert result.exit_code == 0, result.output
    shown = loads(result.output)
    assert shown == {**Config.fromfile(child).to_dict(), "total": 21}
    assert shown["optimizer"] == {
        "type": "AdamW",
        "lr": 0.001,
        "weight_decay": 0.05,
        "paramwise_cfg": {
            "custom_keys": {"backbone.layer1": {"lr_mult": 0.1}, "backbone.layer3": {"lr_mult": 0.1 * 3}}
        },
    }
    assert shown["data"]["test"] == shown["data"]["val"]
    assert shown["data"]["train"]["pipeline"][3] == {
        "type": "Normalize",
        "mean": [123.675, 116.28, 103.53],
        "std": [58.395, 57.12, 57.375],
        "to_rgb": True,
    }
    assert shown["rounded_mean"] == [104, 116, 124]


def test_config_show_of_a_python_config_imports_no_torch():
    code = (
        "import sys\n"
        "from clscore.cli import cli\n"
        f"try:\n    cli.main(['config', 'show', {str(PYCONFIGS / 'resnet50_child.py')!r}], prog_name='clsrun')\n"
        "except SystemExit as e:\n    assert e.code == 0, e.code\n"
        "heavy = sorted(m for m in ('torch', 'torchvision', 'timm') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "model:" in done.stdout


def test_config_convert_cli(tmp_path):
    tree = tmp_path / "configs"
    shutil.copytree(PYCONFIGS, tree)
    result = CliRunner().invoke(cli, ["config", "convert", str(tree), "-o", str(tmp_path / "yaml")])
    assert result.exit_code == 0, result.output
    assert f"{tree / 'resnet50_child.py'} -> {tmp_path / 'yaml' / 'resnet50_child.yaml'}" in result.output
    shown = CliRunner().invoke(cli, ["config", "show", str(tmp_path / "yaml" / "resnet50_child.yaml")])
    original = CliRunner().invoke(cli, ["config", "show", str(tree / "resnet50_child.py")])
    assert shown.output.replace(str(tmp_path / "yaml"), str(tree)) == original.output

    again = CliRunner().invoke(
        cli, ["config", "convert", str(tree / "resnet50_mid.py"), "-o", str(tmp_path / "yaml")]
    )
    assert again.exit_code == 2
    assert "resnet50_mid.yaml exists; pass --overwrite to replace it" in again.output
