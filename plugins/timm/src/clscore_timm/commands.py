"""``clsrun timm list`` and ``clsrun timm info``: find a model name and the channels it gives a head.

timm and torch are imported inside the commands, so ``clsrun --help`` stays fast.
"""

from __future__ import annotations

import json
from typing import Any

import click


@click.group("timm")
def timm_group() -> None:
    """Browse timm's models for TIMMBackbone (clscore-plugin-timm)."""


@timm_group.command("list")
@click.argument("pattern", default="*")
@click.option("--pretrained", is_flag=True, help="Only models for which timm knows pretrained weights.")
def list_command(pattern: str, pretrained: bool) -> None:
    """List timm model names matching PATTERN (shell-style wildcards, e.g. '*resnet*')."""
    import timm

    names = timm.list_models(pattern, pretrained=pretrained)
    if not names:
        wider = "*" + pattern.strip("*") + "*"
        raise click.ClickException(
            f"no timm model matches {pattern!r}; try a wider pattern such as {wider!r}"
        )
    click.echo("\n".join(names))


@timm_group.command("info")
@click.argument("model_name")
@click.option(
    "--model-kwarg",
    "-k",
    "model_kwargs",
    multiple=True,
    metavar="KEY=VALUE",
    help="A timm keyword argument, as in the config (JSON values are parsed), e.g. -k img_size=32.",
)
def info_command(model_name: str, model_kwargs: tuple[str, ...]) -> None:
    """Show MODEL_NAME's feature maps and the in_channels a head needs, without loading weights."""
    from clscore_timm.backbone import check_model_name, describe_model

    kwargs = _parse_kwargs(model_kwargs)
    try:
        check_model_name(model_name)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        info = describe_model(model_name, **kwargs)
    except (TypeError, ValueError, RuntimeError) as exc:  # a keyword argument this model does not take
        raise click.ClickException(f"timm cannot build {model_name} with {kwargs}: {exc}") from None
    click.echo(f"{model_name}: {info['params'] / 1e6:.2f}M parameters (without classifier)")
    click.echo(
        f"single-vector mode (default): one map of {info['pre_logits']} channels -> head in_channels: "
        f"{info['pre_logits']}"
    )
    click.echo("pyramid mode (features_only: true; out_indices index this list):")
    click.echo(f"  {'index':>5}  {'channels':>8}  {'reduction':>9}  module")
    for index, stage in enumerate(info["stages"]):
        click.echo(f"  {index:>5}  {stage['num_chs']:>8}  {stage['reduction']:>9}  {stage['module']}")


def _parse_kwargs(pairs: tuple[str, ...]) -> dict[str, Any]:
    """``KEY=VALUE`` pairs; a value that reads as JSON (``32``, ``true``, ``[32, 32]``) is parsed."""
    kwargs: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--model-kwarg")
        try:
            kwargs[key] = json.loads(value)
        except json.JSONDecodeError:
            kwargs[key] = value
    return kwargs
