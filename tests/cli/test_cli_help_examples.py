"""The examples in every command's ``--help`` name configs that exist and the work dirs they train into."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click

from clscore.cli import cli
from clscore.plugins._kinds import KINDS

ROOT = Path(__file__).resolve().parents[2]
CONFIG_STEMS = {p.stem for p in (ROOT / "configs").rglob("*.yaml") if "_base_" not in p.parts}


def help_texts(command: click.Command, ctx: click.Context) -> Iterator[tuple[str, str]]:
    yield ctx.command_path, command.get_help(ctx)
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                yield from help_texts(sub, click.Context(sub, info_name=name, parent=ctx))


def test_help_examples_name_real_configs_and_default_work_dirs():
    texts = list(help_texts(cli, click.Context(cli, info_name="clsrun")))
    assert len(texts) > 10
    for path, text in texts:
        # configs in a sub-folder: configs/x.yaml is a placeholder
        for config in re.findall(r"\bconfigs/[\w.-]+/[\w/.-]+\.ya?ml", text):
            assert (ROOT / config).is_file(), f"`{path} --help` names {config}, which does not exist"
        for work_dir in re.findall(r"\bwork_dirs/([\w.-]+)/latest", text):
            assert work_dir in CONFIG_STEMS, (
                f"`{path} --help` uses work_dirs/{work_dir}: no config of that name"
            )


def test_plugins_components_help_names_every_kind():
    group = cli.get_command(click.Context(cli), "plugins")
    command = group.get_command(click.Context(group), "components")
    text = command.get_help(click.Context(command, info_name="components"))
    assert "components [OPTIONS] [KIND]" in text
    assert all(re.search(rf"\b{kind}\b", text) for kind in KINDS), text


def test_every_subcommand_has_working_help():
    from click.testing import CliRunner

    runner = CliRunner()
    ctx = cli.make_context("clsrun", ["--help"], resilient_parsing=True)
    for name in cli.list_commands(ctx):
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
