"""``clsrun config``: show the merged config, or validate it without building anything."""

from __future__ import annotations

import click

from clscore.cli._options import Command, cfg_options, config_argument, load_config


@click.group()
def config() -> None:
    """Inspect and validate configs."""


@config.command(cls=Command)
@config_argument
@cfg_options
def show(config: str, cfg_options: tuple[str, ...]) -> None:
    """Print the merged config (bases and overrides applied) as YAML."""
    click.echo(load_config(config, cfg_options, check=False).text, nl=False)


@config.command(cls=Command)
@config_argument
@cfg_options
def validate(config: str, cfg_options: tuple[str, ...]) -> None:
    """Check every component name, parameter and value; exit 2 listing all problems."""
    load_config(config, cfg_options)
    click.echo(f"{config}: ok")
