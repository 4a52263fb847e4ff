"""The entry module clscore loads (entry point group ``clscore.plugins``, name ``timm``).

Registers the backbone as a lazy ``"module:attr"`` string and adds the ``clsrun timm`` command
group; neither torch nor timm is imported here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clscore import hookimpl

if TYPE_CHECKING:
    import click
    from clscore import Registry

SUMMARY = (
    "Any timm model by model_name: its pre-logits features, or a feature pyramid with features_only; "
    "see `clsrun timm info MODEL` for the channels."
)


@hookimpl
def register_backbones(registry: Registry) -> None:
    registry.add("TIMMBackbone", "clscore_timm.backbone:TIMMBackbone", summary=SUMMARY)


@hookimpl
def register_commands(cli: click.Group) -> None:
    from clscore_timm.commands import timm_group

    cli.add_command(timm_group)
