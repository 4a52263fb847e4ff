"""``clsrun config validate`` on the demo config: each mistake exits 2 with its key path and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from clscore.cli import cli

ROOT = Path(__file__).resolve().parents[2]
DEMO = str(ROOT / "configs" / "digits" / "resnet18_digits.yaml")


def validate(*options: str, deep: bool = True):
    args = ["config", "validate", DEMO, *(["--deep"] if deep else []), "--cfg-options", *options]
    return CliRunner().invoke(cli, args if options else args[:-1])


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("optimizer.lr=-0.1", "optimizer.lr: -0.1 is out of range; use a value >= 0"),
        ("data=null", "data: the config has no 'data' section, which training needs; add one"),
        (
            "model.backbone.depth=19",
            "model.backbone.depth: ResNet (clscore-plugin-resnet) has no depth 19; choose one of 18, 34, 50, 101, 152",
        ),
        ("data.samples_per_gpu=0", "data.samples_per_gpu: 0 is out of range; use a value >= 1"),
        ("checkpoint_config.interval=0", "checkpoint_config.interval: 0 is out of range; use a value >= 1"),
        ("model.head=5", "model.head: expected a head config (a mapping with 'type'"),
        ("data.train.on_error=maybe", "data.train.on_error: expected"),
        (
            "data.train.max_skip_ratio=2",
            "data.train.max_skip_ratio: 2 is out of range; use a value between 0 and 1",
        ),
        ("load_from=missing/epoch_3.pth", "load_from: checkpoint not found: missing/epoch_3.pth"),
        ("resume_from=missing/latest.pth", "resume_from: checkpoint not found: missing/latest.pth"),
        (
            'data.val={"type":"CustomDataset","data_prefix":"no/such/folder"}',
            "data.val.data_prefix: folder not found: no/such/folder",
        ),
    ],
)
def test_each_mistake_exits_2_with_the_key_path(option, expected):
    result = validate(option)
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "Traceback" not in result.output


def test_without_deep_the_files_are_not_opened_and_torch_is_not_imported():
    assert validate("load_from=missing.pth", deep=False).exit_code == 0
    assert validate("optimizer.lr=-1", deep=False).exit_code == 2


def test_the_demo_config_is_valid_without_torch():
    import subprocess
    import sys

    code = (
        "import sys; from click.testing import CliRunner; from clscore.cli import cli; "
        f"r = CliRunner().invoke(cli, ['config', 'validate', {DEMO!r}]); "
        "print(r.output); assert r.exit_code == 0, r.output; assert 'torch' not in sys.modules"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_partial_configs_need_no_training_sections(tmp_path):
    part = tmp_path / "part.yaml"
    part.write_text("runner: {type: EpochBasedRunner, max_epochs: 3}\n")
    assert CliRunner().invoke(cli, ["config", "validate", "--partial", str(part)]).exit_code == 0
    result = CliRunner().invoke(cli, ["config", "validate", str(part)])
    assert result.exit_code == 2 and "model: the config has no 'model' section" in result.output


def test_on_error_keys_are_accepted_on_any_dataset():
    assert validate("data.train.on_error=skip", "data.train.max_skips=3").exit_code == 0
