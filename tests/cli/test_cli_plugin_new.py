"""``clsrun plugins new``: the generated distribution is complete, installs, is discovered and passes its tests."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from clscore.cli import cli
from clscore.cli.plugin_new import clscore_requirement, template_files, template_values

EXPECTED_FILES = {
    ".gitignore",
    "README.md",
    "pyproject.toml",
    "configs/zebra_digits.yaml",
    "src/clscore_zebra/__init__.py",
    "src/clscore_zebra/plugin.py",
    "src/clscore_zebra/backbone.py",
    "src/clscore_zebra/transforms.py",
    "src/clscore_zebra/py.typed",
    "tests/test_plugin.py",
}


def new(*args: str):
    return CliRunner().invoke(cli, ["plugins", "new", *args])


@pytest.fixture
def project(tmp_path) -> Path:
    result = new("zebra", "--dir", str(tmp_path), "--author", "Jane Doe <jane@example.org>")
    assert result.exit_code == 0, result.output
    return tmp_path / "clscore-plugin-zebra"


def test_writes_the_whole_distribution(project):
    files = {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()}
    assert files == EXPECTED_FILES


def test_every_placeholder_is_filled_and_every_python_file_parses(project):
    for path in project.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert "{{" not in text and "}}" not in text, path
            if path.suffix == ".py":
                ast.parse(text, filename=str(path))


def test_pyproject_declares_the_entry_point_and_the_clscore_range(project):
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    meta = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert meta["name"] == "clscore-plugin-zebra"
    assert meta["entry-points"]["clscore.plugins"] == {"zebra": "clscore_zebra.plugin"}
    assert "clscore>=0.1,<0.2" in meta["dependencies"] and "torch>=2.4" in meta["dependencies"]
    assert meta["authors"] == [{"name": "Jane Doe", "email": "jane@example.org"}]


def test_plugin_module_registers_lazily_and_imports_no_torch(project):
    source = (project / "src/clscore_zebra/plugin.py").read_text()
    assert '"clscore_zebra.backbone:ZebraNet"' in source
    assert '"clscore_zebra.transforms:ZebraNoise"' in source
    imports = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert all("torch" not in ast.unparse(n) for n in imports)


def test_the_output_says_what_to_do_next(tmp_path):
    result = new("zebra", "--dir", str(tmp_path))
    assert "pip install -e ." in result.output and "pytest" in result.output


def test_an_existing_project_is_kept_unless_forced(project):
    (project / "README.md").write_text("mine")
    again = new("zebra", "--dir", str(project.parent))
    assert again.exit_code == 1
    assert "already exists and is not empty; pass --force" in again.output
    assert (project / "README.md").read_text() == "mine"
    forced = new("zebra", "--dir", str(project.parent), "--force")
    assert forced.exit_code == 0, forced.output
    assert (project / "README.md").read_text().startswith("# clscore-plugin-zebra")


def test_the_old_spelling_still_works_points_to_the_new_one_and_is_hidden(tmp_path):
    result = CliRunner().invoke(cli, ["plugin", "new", "zebra", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "clscore-plugin-zebra" / "pyproject.toml").is_file()
    notes = [line for line in result.output.splitlines() if "clsrun plugins new" in line]
    assert notes == ["Note: `clsrun plugin new` is now `clsrun plugins new`; this spelling will be removed."]
    listed = [
        line.split()[0]
        for line in CliRunner().invoke(cli, ["--help"]).output.splitlines()
        if line[:2] == "  "
    ]
    assert "plugins" in listed and "plugin" not in listed


@pytest.mark.parametrize("name", ["Zebra", "9lives", "ze bra", "zebra-", "a--b", "clscore:x", ""])
def test_invalid_names_are_refused(tmp_path, name):
    result = new(name, "--dir", str(tmp_path))
    assert result.exit_code == 2
    assert "invalid plugin name" in result.output
    assert not any(tmp_path.iterdir())


def test_the_builtins_name_is_reserved(tmp_path):
    result = new("clscore", "--dir", str(tmp_path))
    assert result.exit_code == 2 and "name of clscore's built-ins" in result.output


def test_names_with_dashes_make_valid_packages_and_classes():
    values = template_values("my-nets")
    assert values["dist"] == "clscore-plugin-my-nets"
    assert values["package"] == "clscore_my_nets"
    assert values["prefix"] == "MyNets"
    assert values["author"] == "Your Name"


def test_the_clscore_range_follows_the_minor_series():
    assert clscore_requirement("0.1.0") == "clscore>=0.1,<0.2"
    assert clscore_requirement("0.3.7") == "clscore>=0.3,<0.4"
    assert clscore_requirement("1.2.0") == "clscore>=1.2,<2"


def test_the_template_ships_as_package_data():
    names = {path.as_posix() for path, _ in template_files()}
    assert "src/{{package}}/plugin.py.tmpl" in names and "dot-gitignore.tmpl" in names


# -- installed for real ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The generated plugin, installed with pip into its own folder (never into this environment)."""
    root = tmp_path_factory.mktemp("plugin-new")
    result = subprocess.run(
        [sys.executable, "-m", "clscore", "plugins", "new", "zebra", "--dir", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    project = root / "clscore-plugin-zebra"
    site = root / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--target", str(site), str(project)],
        check=True,
        capture_output=True,
        timeout=300,
    )  # fmt: skip
    pythonpath = os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": pythonpath, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("CLSCORE_LOAD_PLUGINS", None)
    env.pop("CLSCORE_DISABLE_PLUGINS", None)
    return project, env


@pytest.mark.slow
def test_generated_tests_pass_against_the_installed_plugin(installed):
    project, env = installed
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "8 passed" in result.stdout


@pytest.mark.slow
def test_clsrun_lists_the_installed_plugin_and_validates_its_config(installed):
    project, env = installed

    def clsrun(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "clscore", *args], env=env, capture_output=True, text=True, timeout=300
        )

    listing = clsrun("plugins", "-v")
    assert listing.returncode == 0, listing.stderr
    rows = {line.split()[0]: line.split()[1:] for line in listing.stdout.splitlines() if line[:1].strip()}
    assert rows["zebra"] == ["clscore-plugin-zebra", "0.1.0", "loaded"]
    assert "backbone: ZebraNet" in listing.stdout and "transform: ZebraNoise" in listing.stdout
    check = clsrun("config", "validate", str(project / "configs" / "zebra_digits.yaml"))
    assert check.returncode == 0, check.stderr
