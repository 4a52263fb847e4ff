"""Developer tasks: ``nox -s tests`` (what CI runs), ``demo``, ``lint``, ``build``, ``docs``, ``bench``."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True

ROOT = Path(__file__).parent
PLUGINS = ["plugins/resnet", "plugins/timm"]
DIST = ROOT / "dist"
TEST_DEPS = ["pytest>=8", "pytest-xdist>=3.5", "build>=1.0", "scipy>=1.10"]
# the tested torch and its CUDA wheels, so that every fresh venv resolves the same set (see the file)
PINNED = ("-c", str(ROOT / "constraints.txt"))


def install_project(session: nox.Session, *extras: str) -> None:
    """The core and both plugins, editable, with the optional extras the tests exercise."""
    spec = f".[{','.join(extras)}]" if extras else "."
    session.install(*PINNED, "-e", spec, *[arg for p in PLUGINS for arg in ("-e", p)])


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite: core, plugins, and integration tests that install packages for real."""
    install_project(session, "onnx", "plot", "tensorboard")
    session.install(*PINNED, *TEST_DEPS)
    args = session.posargs or ["tests", *[f"{p}/tests" for p in PLUGINS], "-n", "2", "--durations=15"]
    session.run("pytest", *args)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (lint and format), a type check of the public API, and the core's layers (import-linter)."""
    session.install(
        "ruff>=0.6", "mypy>=1.10", "pluggy>=1.5", "click>=8.1", "types-PyYAML", "import-linter>=2.1"
    )
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")
    # the contracts in pyproject.toml: layers that import only downward, no cycles between siblings;
    # import-linter reads the source, so the package need only be findable, not installed
    session.run("lint-imports", env={"PYTHONPATH": str(ROOT / "core")})


@nox.session
def build(session: nox.Session) -> None:
    """Wheels of clscore and every plugin into dist/."""
    session.install("build>=1.0")
    shutil.rmtree(DIST, ignore_errors=True)
    for project in [".", *PLUGINS]:
        session.run("python", "-m", "build", "--wheel", "--outdir", str(DIST), project)


@nox.session(name="install_check")
def install_check(session: nox.Session) -> None:
    """Install the wheels from dist/ as a user would, then check the plugins are discovered and usable."""
    if not any(DIST.glob("clscore_plugin_resnet-*.whl")):
        session.error("no wheels in dist/: run `nox -s build` first")
    session.install(*PINNED, "--find-links", str(DIST), "clscore-plugin-resnet", "clscore-plugin-timm")
    session.run("python", "tests/integration/check_installed.py", str(ROOT / "configs"))


@nox.session
def demo(session: nox.Session) -> None:
    """The main job: train the digits demo end to end, then test its final checkpoint."""
    install_project(session)
    work_dir = ROOT / "work_dirs" / "demo"
    config = "configs/digits/resnet18_digits.yaml"
    session.run("clsrun", "train", config, "--work-dir", str(work_dir), *session.posargs)
    session.run("clsrun", "test", config, str(work_dir / "latest"))


@nox.session
def docs(session: nox.Session) -> None:
    """The documentation site, built strictly (warnings are errors)."""
    install_project(session)
    session.install(*PINNED, "-r", "docs/requirements.txt")
    session.run("mkdocs", "build", "--strict", "--site-dir", "site")


@nox.session
def bench(session: nox.Session) -> None:
    """Start-up cost, data pipeline, threads and training throughput against plain PyTorch, side by side.

    Every figure is a ratio from alternating runs, appended as JSON lines to bench-results/results.jsonl.
    ``MMCLS_PYTHON=/path/to/venv/bin/python`` (a scratch venv with mmcls 0.25) adds MMClassification's
    loader to the small-image comparison.
    """
    install_project(session)
    out = str(ROOT / "bench-results" / "results.jsonl")
    (ROOT / "bench-results").mkdir(exist_ok=True)
    mmcls = os.environ.get("MMCLS_PYTHON")
    runs = [
        ["bench_cli.py"],
        ["bench_pipeline.py"],
        ["bench_small_images.py", *(["--mmcls-python", mmcls] if mmcls else [])],
        ["bench_threads.py"],  # as the machine is, then with a busy process per core alongside
        ["bench_threads.py", "--busy", str(os.cpu_count() or 2)],
        ["bench_train.py", "--data", "digits"],
        ["bench_train.py", "--data", "jpeg", "--workers", "2"],
    ]
    for script, *args in runs:
        session.run("python", f"benchmarks/{script}", *args, "--out", out)
