"""``clsrun config``: show the merged config, validate it without building anything, convert ``.py`` to YAML."""

from __future__ import annotations

import click

from clscore.apis import load_config
from clscore.cli._options import Command, cfg_options, config_argument


@click.group()
def config() -> None:
    """Inspect, validate and convert configs (YAML, or MMClassification .py files read as data)."""


@config.command(cls=Command)
@config_argument
@cfg_options
def show(config: str, cfg_options: tuple[str, ...]) -> None:
    """Print the merged config (bases and overrides applied) as YAML."""
    click.echo(load_config(config, cfg_options, validate=False).text, nl=False)


@config.command(cls=Command)
@config_argument
@cfg_options
@click.option(
    "--deep",
    is_flag=True,
    help="Also open the files the config names, list the data, build the model on the meta device and run it on one meta batch, and "
    "resolve evaluation.save_best (imports torch; what clsrun train checks before it starts).",
)
@click.option(
    "--partial",
    is_flag=True,
    help="A part of a config (a _base_ file): do not ask for model, data, optimizer.",
)
def validate(config: str, cfg_options: tuple[str, ...], deep: bool, partial: bool) -> None:
    """Check every component name, parameter and value, the sections and files training needs; exit 2
    listing all problems. Without --deep no torch is imported.
    """
    cfg = load_config(config, cfg_options)
    if deep:
        from clscore.apis._config import to_plain
        from clscore.apis.preflight import preflight

        for warning in preflight(to_plain(cfg)).warnings:
            click.echo(f"warning: {warning}", err=True)
    else:
        from clscore.config._preflight import check_before_run
        from clscore.config._sections import REQUIRED_SECTIONS

        sections = () if partial else tuple(REQUIRED_SECTIONS)
        check_before_run(cfg, splits=(), checkpoints={}, sections=sections)  # files: --deep only
    click.echo(f"{config}: ok")


@config.command()
@click.argument("source", type=click.Path(exists=True))
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="Where to write: a .yaml file (or a folder) for one config, a folder for a folder "
    "[default: next to each source].",
)
@click.option("--overwrite", is_flag=True, help="Replace YAML files that already exist.")
def convert(source: str, output: str | None, overwrite: bool) -> None:
    """Write YAML for a .py config, or for every .py config under a folder.

    Each file keeps its own keys and its _base_ list, which points at the converted bases, so the
    YAML reads back to the same config. The .py files also work as they are.

    \b
    clsrun config convert my_configs/resnet50_8xb32_in1k.py
    clsrun config convert my_configs -o my_configs_yaml
    """
    from clscore.config import convert as convert_files

    for src, out in convert_files(source, output, overwrite=overwrite):
        click.echo(f"{src} -> {out}")
