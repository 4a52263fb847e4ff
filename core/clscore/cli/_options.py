"""Options shared by several ``clsrun`` commands."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import click

CFG_OPTIONS_FLAG = "--cfg-options"


class Command(click.Command):
    """A command whose ``multi_value`` options take several values after one flag (MMCV style).

    ``--cfg-options a=1 b.c=2`` is the one every command has; subclasses add their own.

    ``multi_value`` maps each flag to the pattern its values match; the first argument that does not
    match ends the list (``--metrics accuracy precision CONFIG`` still finds CONFIG when it has a
    dot or a slash).
    """

    multi_value: dict[str, re.Pattern[str]] = {CFG_OPTIONS_FLAG: re.compile(r"^[^-][^=]*=")}

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, spread(args, self.multi_value))


def spread(args: list[str], multi_value: dict[str, re.Pattern[str]]) -> list[str]:
    """``--metrics a b`` -> ``--metrics a --metrics b`` for each flag of ``multi_value``."""
    out: list[str] = []
    flag, consumed = None, False
    for arg in args:
        if arg in multi_value:
            flag, consumed = arg, False
            continue
        if flag is not None and multi_value[flag].match(arg):
            out.extend([flag, arg])
            consumed = True
            continue
        if flag is not None and not consumed:
            out.append(flag)  # as plain click would: the next argument is the value
        flag = None
        out.append(arg)
    if flag is not None and not consumed:
        out.append(flag)  # click reports the missing value
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


class Device(click.ParamType):
    """``cpu``, ``cuda``, ``cuda:N`` or ``auto``: what :func:`clscore.dist.resolve_device` understands."""

    name = "device"
    _pattern = re.compile(r"^(cpu|auto|cuda(:\d+)?)$")

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if isinstance(value, str) and self._pattern.match(value):
            return value
        self.fail(f"{value!r}: use cpu, cuda, cuda:N or auto", param, ctx)


def device_option(*, default: str | None = "auto", where: str = "Where to run") -> Callable[..., Any]:
    """``--device cpu|cuda|cuda:N|auto``; ``default=None`` leaves the choice to the config's ``device``."""
    fallback = " [the config's device, else auto]" if default is None else ""
    return click.option(
        "--device",
        type=Device(),
        default=default,
        show_default=default is not None,
        metavar="[cpu|cuda|cuda:N|auto]",
        help=f"{where}: cpu, cuda, cuda:N or auto (CUDA when present){fallback}.",
    )


def config_argument(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.argument("config", type=click.Path(dir_okay=False))(fn)
