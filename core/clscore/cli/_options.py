"""Options shared by several ``clsrun`` commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

CFG_OPTIONS_FLAG = "--cfg-options"


class Command(click.Command):
    """A click command that reads MMCV-style ``--cfg-options a=1 b.c=2`` (several values after one flag)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, spread_cfg_options(args))


def spread_cfg_options(args: list[str]) -> list[str]:
    """``--cfg-options a=1 b=2 rest`` -> ``--cfg-options a=1 --cfg-options b=2 rest``."""
    out: list[str] = []
    collecting = False
    for arg in args:
        if arg == CFG_OPTIONS_FLAG:
            collecting = True
            continue
        if collecting and not arg.startswith("-") and "=" in arg:
            out.extend([CFG_OPTIONS_FLAG, arg])
            continue
        collecting = False
        out.append(arg)
    return out


def cfg_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--cfg-options key.path=value ...``: override any config key (values are YAML)."""
    return click.option(
        CFG_OPTIONS_FLAG,
        "cfg_options",
        multiple=True,
        metavar="KEY=VALUE...",
        help="Override config keys, e.g. runner.max_epochs=3 data.train.pipeline.1.size=64 "
        "(list indices allowed; values are parsed as YAML).",
    )(fn)


def config_argument(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.argument("config", type=click.Path(dir_okay=False))(fn)


def load_config(path: str, options: tuple[str, ...] | list[str] = (), *, check: bool = True) -> Any:
    """Load, override and (by default) validate a config; user mistakes raise ConfigError."""
    from clscore.config import Config, validate

    cfg = Config.fromfile(path, cfg_options=list(options))
    if check:
        validate(cfg)
    return cfg
