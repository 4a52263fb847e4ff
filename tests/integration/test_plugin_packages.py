"""Throwaway plugin distributions, installed with pip, discovered through their entry points."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

PACKAGES = {
    "good": """
        from clscore import hookimpl

        @hookimpl
        def register_backbones(registry):
            registry.add("Zeta", "collections:OrderedDict", summary="A backbone from a third party.")
    """,
    "broken": """
        import os
        open(os.environ["BROKEN_MARKER"], "w").close()
        raise ImportError("clscore_broken needs libfoo, which is not installed")
    """,
    "dupa": """
        from clscore import hookimpl

        @hookimpl
        def register_necks(registry):
            registry.add("GlobalAveragePooling", "collections:OrderedDict")
    """,
    "dupb": """
        from clscore import hookimpl

        @hookimpl
        def register_necks(registry):
            registry.add("GlobalAveragePooling", "collections:OrderedDict")
    """,
}


def write_package(root: Path, short: str, code: str) -> Path:
    project = root / f"clscore-plugin-{short}"
    package = project / f"clscore_{short}"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "plugin.py").write_text(textwrap.dedent(code))
    (project / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""
            [build-system]
            requires = ["setuptools>=61"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "clscore-plugin-{short}"
            version = "0.3.{len(short)}"

            [project.entry-points."clscore.plugins"]
            {short} = "clscore_{short}.plugin"

            [tool.setuptools]
            packages = ["clscore_{short}"]
            """
        )
    )
    return project


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("plugins")
    projects = [write_package(root, short, code) for short, code in PACKAGES.items()]
    target = root / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            *map(str, projects),
        ],
        check=True,
        capture_output=True,
    )
    return target


@pytest.fixture
def clsrun(site, tmp_path):
    marker = tmp_path / "broken-was-imported"

    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, "PYTHONPATH": str(site), "BROKEN_MARKER": str(marker), **env}
        full_env.pop("CLSCORE_DISABLE_PLUGINS", None) if "CLSCORE_DISABLE_PLUGINS" not in env else None
        return subprocess.run(
            [sys.executable, "-m", "clscore", *args],
            capture_output=True,
            text=True,
            env=full_env,
            timeout=120,
        )

    run.marker = marker
    return run


def status_of(output: str) -> dict[str, list[str]]:
    return {
        line.split()[0]: line.split()[1:] for line in output.splitlines() if line and not line[0].isspace()
    }


def test_installed_plugin_is_discovered_with_its_distribution(clsrun):
    result = clsrun("plugins", "-v")
    assert result.returncode == 0, result.stderr
    rows = status_of(result.stdout)
    assert rows["good"] == ["clscore-plugin-good", "0.3.4", "loaded"]
    assert "backbone: Zeta" in result.stdout


def test_broken_plugin_is_reported_and_the_cli_keeps_working(clsrun):
    result = clsrun("plugins")
    assert result.returncode == 0
    assert status_of(result.stdout)["broken"][-1] == "failed"
    assert "clscore plugin 'broken'" in result.stderr and "needs libfoo" in result.stderr
    assert "Traceback" not in result.stderr
    verbose = clsrun("plugins", "-v")
    assert "error: ImportError: clscore_broken needs libfoo" in verbose.stdout


def test_disabled_plugin_is_never_imported(clsrun):
    result = clsrun("plugins", CLSCORE_DISABLE_PLUGINS="broken")
    assert result.returncode == 0
    assert status_of(result.stdout)["broken"][-1] == "disabled"
    assert not clsrun.marker.exists()


def test_load_plugins_empty_loads_only_builtins(clsrun):
    result = clsrun("plugins", CLSCORE_LOAD_PLUGINS="")
    statuses = {name: row[-1] for name, row in status_of(result.stdout).items() if name != "plugin"}
    assert statuses.pop("clscore") == "loaded"
    assert set(statuses.values()) == {"selected"} or set(statuses.values()) == {"not selected"}
    assert not clsrun.marker.exists()


def test_strict_plugins_fails_on_the_broken_plugin(clsrun):
    result = clsrun("--strict-plugins", "plugins")
    assert result.returncode == 1
    assert "plugin 'broken' (clscore-plugin-broken) failed to load" in result.stderr
    assert "Traceback" not in result.stderr


def test_same_name_from_two_plugins_is_ambiguous_until_qualified(clsrun, tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("model: {backbone: {type: Zeta}, neck: {type: GlobalAveragePooling}}\n")
    result = clsrun("config", "validate", str(cfg), CLSCORE_DISABLE_PLUGINS="broken")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "model.neck: neck 'GlobalAveragePooling' is ambiguous" in result.stderr
    assert "dupa:GlobalAveragePooling (clscore-plugin-dupa)" in result.stderr
    assert "dupb:GlobalAveragePooling (clscore-plugin-dupb)" in result.stderr
    ok = clsrun(
        "config",
        "validate",
        str(cfg),
        "--cfg-options",
        "model.neck.type=dupa:GlobalAveragePooling",
        CLSCORE_DISABLE_PLUGINS="broken",
    )
    assert "ambiguous" not in ok.stderr


def test_component_of_a_disabled_plugin_names_the_plugin(clsrun, tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("model: {backbone: {type: good:Zeta}}\n")
    result = clsrun("config", "validate", str(cfg), CLSCORE_DISABLE_PLUGINS="good,broken")
    assert result.returncode == 2
    assert (
        "backbone 'good:Zeta' is provided by plugin 'good', which is disabled by CLSCORE_DISABLE_PLUGINS"
        in (result.stderr)
    )
