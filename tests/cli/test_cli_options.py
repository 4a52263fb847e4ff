"""The options every command shares are declared once and mean the same everywhere."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from clscore.cli import cli

#: Each command that runs a model, with the arguments it needs besides --device.
DEVICE_COMMANDS = [
    ["train", "c.yaml"],
    ["test", "c.yaml", "ckpt.pth"],
    ["infer", "ckpt.pth", "image.png"],
    ["analyze", "confusion-matrix", "c.yaml", "ckpt.pth", "--out", "cm.png"],
]


@pytest.mark.parametrize("command", DEVICE_COMMANDS, ids=lambda c: c[0])
def test_every_device_option_refuses_the_same_values_before_running(command):
    result = CliRunner().invoke(cli, [*command, "--device", "gpu"])
    assert result.exit_code == 2
    assert "'gpu': use cpu, cuda, cuda:N or auto" in result.output


@pytest.mark.parametrize("command", DEVICE_COMMANDS, ids=lambda c: c[0])
def test_every_device_option_has_the_same_help(command):
    words = [w for w in command if not w.endswith((".yaml", ".pth", ".png")) and not w.startswith("--")]
    help_text = " ".join(CliRunner().invoke(cli, [*words[:2], "--help"]).output.split())
    assert "--device [cpu|cuda|cuda:N|auto]" in help_text
    assert "cpu, cuda, cuda:N or auto (CUDA when present)" in help_text
