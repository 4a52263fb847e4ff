"""The documentation site: its navigation, the configs it shows, and a strict build."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from clscore.config import Config, validate
from clscore.testing import isolated_host, use_host

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
FENCE = re.compile(r"^```yaml\n(.*?)^```", re.MULTILINE | re.DOTALL)
#: Sections that make a YAML block in the docs a whole config, which must then validate.
WHOLE_CONFIG = {"model", "data", "optimizer"}
#: Anchors that fragments in the docs refer to, defined on the page around them.
PREAMBLE = "_anchors: [&img_norm_cfg {mean: [0], std: [1]}, &train_pipeline [], &test_pipeline []]\n"


def nav_pages(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [page for item in node for page in nav_pages(item)]
    if isinstance(node, dict):
        return [page for value in node.values() for page in nav_pages(value)]
    return []


def pages() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if "hooks" not in p.relative_to(DOCS).parts)


def test_every_page_is_in_the_navigation_and_every_entry_exists():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    listed = nav_pages(config["nav"])
    assert sorted(listed) == sorted(p.relative_to(DOCS).as_posix() for p in pages())
    assert len(listed) == len(set(listed))


def whole_configs() -> list[tuple[str, str]]:
    found = []
    for page in pages():
        for index, match in enumerate(FENCE.finditer(page.read_text(encoding="utf-8"))):
            found.append((f"{page.relative_to(DOCS)}#{index}", match.group(1)))
    return found


@pytest.mark.parametrize(("where", "text"), whole_configs(), ids=[w for w, _ in whole_configs()])
def test_every_yaml_example_parses_and_whole_configs_validate(where, text):
    cfg = Config.fromstring(text if "_anchors" in text or "&" in text else PREAMBLE + text)
    if set(cfg) >= WHOLE_CONFIG:
        with use_host(isolated_host(entry_points=True)):
            validate(cfg)


@pytest.mark.slow
def test_the_site_builds_strictly(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    pytest.importorskip("mkdocs_click")
    mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent)) or "mkdocs"
    result = subprocess.run(
        [mkdocs, "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    reference = (tmp_path / "site" / "reference" / "config" / "index.html").read_text()
    assert 'id="backbone-clscore-lenet5"' in reference and "GlobalAveragePooling" in reference
    cli = (tmp_path / "site" / "reference" / "cli" / "index.html").read_text()
    assert "clsrun plugins new" in cli and "clsrun config validate" in cli
    hooks = (tmp_path / "site" / "reference" / "hooks" / "index.html").read_text()
    assert all(name in hooks for name in ("register_backbones", "register_commands", "register_runner_hooks"))
