from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from clscore import hookimpl
from clscore.cli import BUILTIN_COMMANDS, Clsrun, cli
from clscore.plugins import PluginWarning
from clscore.testing import isolated_host, use_host


class BrokenPlugin:
    name = "broken"

    @hookimpl
    def register_backbones(self, registry):
        raise ImportError("needs libfoo")


class NetPlugin:
    name = "net"

    @hookimpl
    def register_backbones(self, registry):
        registry.add("Net", "collections:OrderedDict", summary="A test backbone.")


def test_plugins_lists_status_and_verbose_lists_components_and_errors():
    with pytest.warns(UserWarning), use_host(isolated_host(NetPlugin(), BrokenPlugin())):
        plain = CliRunner().invoke(cli, ["plugins"])
        verbose = CliRunner().invoke(cli, ["plugins", "-v"])
    assert plain.exit_code == 0, plain.output
    lines = plain.output.splitlines()
    assert lines[0].split() == ["plugin", "distribution", "version", "status"]
    assert any(line.split()[0] == "broken" and line.split()[-1] == "failed" for line in lines[1:])
    assert "needs libfoo" not in plain.output
    assert verbose.exit_code == 0
    assert "error: ImportError: needs libfoo" in verbose.output
    assert "backbone: Net" in verbose.output


def test_plugins_check_reports_ok_and_failures():
    with use_host(isolated_host(NetPlugin())):
        result = CliRunner().invoke(cli, ["plugins", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: 2 plugins")


def test_plugins_components_lists_qualified_names():
    with use_host(isolated_host(NetPlugin())):
        result = CliRunner().invoke(cli, ["plugins", "components", "backbone"])
    assert result.exit_code == 0
    assert "net:Net" in result.output and "A test backbone." in result.output


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and "clsrun, version" in result.output


class CommandPlugin:
    name = "cmd"

    @hookimpl
    def register_commands(self, cli):
        @cli.command()
        def hello():
            """Say hello."""
            click.echo("hello from a plugin")

        @cli.command("train")
        def train():
            """A plugin's own train."""
            click.echo("the plugin's train")


def fresh_cli() -> Clsrun:
    """A root group like ``clsrun``'s that has not added the plugins' commands yet."""
    return Clsrun(name="clsrun", callback=lambda **_: None, lazy_subcommands=BUILTIN_COMMANDS)


def test_plugin_commands_are_added():
    with use_host(isolated_host(CommandPlugin())), pytest.warns(PluginWarning):
        result = CliRunner().invoke(fresh_cli(), ["hello"])
    assert result.output == "hello from a plugin\n"


def test_a_plugin_command_named_like_a_builtin_is_reachable_and_reported():
    group = fresh_cli()
    with use_host(isolated_host(CommandPlugin())), pytest.warns(PluginWarning) as caught:
        listed = group.list_commands(click.Context(group))
        plugin_train = CliRunner().invoke(group, ["cmd:train"])
        builtin_train = CliRunner().invoke(group, ["train", "--help"])
    (warning,) = [str(w.message) for w in caught]
    assert "plugin 'cmd'" in warning and "'train'" in warning and "clsrun cmd:train" in warning
    assert {"train", "cmd:train", "hello"} <= set(listed)
    assert plugin_train.output == "the plugin's train\n"
    assert "Train" in builtin_train.output and "the plugin's train" not in builtin_train.output


def test_builtin_commands_do_not_load_plugins():
    group = fresh_cli()
    with use_host(isolated_host(CommandPlugin())):
        result = CliRunner().invoke(group, ["plugins", "new", "--help"])
    assert result.exit_code == 0, result.output
    assert "hello" not in group.commands  # the plugins' commands were never asked for
