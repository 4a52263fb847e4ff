"""``clsrun --help``, ``clsrun plugins`` and ``clsrun config validate`` must not import torch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "torchvision", "timm")

PROBE = """
import sys
from clscore.cli import main
try:
    main({args!r})
except SystemExit as exc:
    code = exc.code
else:
    code = 0
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
print("HEAVY=" + ",".join(heavy), file=sys.stderr)
sys.exit(code or 0)
"""


def run_probe(args: list[str]) -> tuple[int, str, list[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args, heavy=HEAVY)], capture_output=True, text=True, cwd=ROOT
    )
    heavy_line = [line for line in proc.stderr.splitlines() if line.startswith("HEAVY=")]
    assert heavy_line, proc.stderr
    loaded = [m for m in heavy_line[-1].removeprefix("HEAVY=").split(",") if m]
    return proc.returncode, proc.stdout + proc.stderr, loaded


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["plugins"],
        ["plugins", "-v"],
        ["config", "validate", "configs/digits/resnet18_digits.yaml"],
        ["config", "validate", "configs/resnet/resnet50_8xb32_in1k.yaml"],
    ],
)
def test_light_commands_import_no_torch(args):
    config = next((a for a in args if a.endswith(".yaml")), None)
    if config and not (ROOT / config).exists():
        pytest.skip(f"{config} not present")
    code, output, loaded = run_probe(args)
    assert code == 0, output
    assert loaded == [], f"clsrun {' '.join(args)} imported {loaded}"


def test_every_subcommand_has_working_help():
    from click.testing import CliRunner

    from clscore.cli import cli

    runner = CliRunner()
    ctx = cli.make_context("clsrun", ["--help"], resilient_parsing=True)
    for name in cli.list_commands(ctx):
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
