from __future__ import annotations

from click.testing import CliRunner

from clscore import hookimpl
from clscore.cli import cli
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
    import pytest

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


def test_plugin_commands_are_added():
    import click

    class CommandPlugin:
        name = "cmd"

        @hookimpl
        def register_commands(self, cli):
            @cli.command()
            def hello():
                """Say hello."""
                click.echo("hello from a plugin")

    from clscore.cli import LazyGroup

    group = LazyGroup(name="clsrun", callback=lambda **_: None)
    with use_host(isolated_host(CommandPlugin())):
        result = CliRunner().invoke(group, ["hello"])
    assert result.output == "hello from a plugin\n"
