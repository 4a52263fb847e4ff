"""The light paths import no torch, torchvision or timm (``import torch`` alone costs over a second).

Each case runs in a fresh interpreter; this is the one place that checks it. Plugin authors have
``clscore.testing.assert_import_is_light`` for their own entry module.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "torchvision", "timm")


def clsrun(*args: str) -> str:
    """Code that runs ``clsrun ARGS`` and fails unless it exits 0."""
    return (
        "from clscore.cli import main\n"
        "try:\n"
        f"    main({list(args)!r})\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, f'exit status {exc.code}'\n"
    )


def needs(module: str) -> list[pytest.MarkDecorator]:
    installed = importlib.util.find_spec(module.split(".")[0]) is not None
    return [pytest.mark.skipif(not installed, reason=f"{module} is not installed")]


LIGHT_PATHS = [
    pytest.param("import clscore", id="import clscore"),
    pytest.param("from clscore.plugins import get_host; get_host()", id="loading the plugin host"),
    pytest.param(
        "import clscore_resnet.plugin", id="resnet plugin registration", marks=needs("clscore_resnet")
    ),
    pytest.param("import clscore_timm.plugin", id="timm plugin registration", marks=needs("clscore_timm")),
    pytest.param("import clscore.testing.pytest_plugin", id="the pytest plugin"),
    pytest.param(
        "from clscore.plugins import signature_of\n"
        "assert signature_of('torch.optim:SGD').names[:2] == ['params', 'lr']\n"
        "from clscore.plugins import get_host\n"
        "assert get_host().registry('head').get('LinearClsHead').signature().get('num_classes').required\n"
        "assert get_host().registry('metric').get('Accuracy').signature().names == ['topk', 'thrs']\n"
        "assert signature_of('clscore_timm.backbone:TIMMBackbone').open_kwargs\n",
        id="reading factories' signatures",
        marks=needs("clscore_timm"),
    ),
    pytest.param(
        "from clscore.data.datasets.digits_source import load_digits; assert load_digits()[0].shape == (1797, 8, 8)",
        id="reading the digits",
    ),
    pytest.param(clsrun("--help"), id="clsrun --help"),
    pytest.param(clsrun("plugins"), id="clsrun plugins"),
    pytest.param(clsrun("plugins", "-v"), id="clsrun plugins -v"),
    pytest.param(clsrun("config", "validate", "configs/digits/resnet18_digits.yaml"), id="config validate"),
    pytest.param(clsrun("config", "show", "configs/digits/resnet18_digits.yaml"), id="config show"),
    pytest.param(
        clsrun("config", "validate", "configs/resnet/resnet50_8xb32_in1k.yaml"),
        id="config validate resnet50",
        marks=needs("clscore_resnet"),
    ),
    pytest.param(
        clsrun("config", "validate", "tests/integration/recipes/resnet50_8xb256-rsb-a1-600e_in1k.py"),
        id="config validate RandAugment policies and sampler",
        marks=needs("clscore_resnet"),
    ),
    pytest.param(
        clsrun("config", "validate", "configs/timm/vit_tiny_timm_digits.yaml"),
        id="config validate timm",
        marks=needs("clscore_timm"),
    ),
]


@pytest.mark.parametrize("code", LIGHT_PATHS)
def test_light_path_imports_nothing_heavy(code: str) -> None:
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    heavy = json.loads(result.stdout.strip().splitlines()[-1])
    assert heavy == [], f"imported {', '.join(heavy)}"
