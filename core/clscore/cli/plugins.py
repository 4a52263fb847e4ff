"""``clsrun plugins``: what is installed, what loaded, what each plugin provides; ``new`` writes one."""

from __future__ import annotations

import click

from clscore.cli.plugin_new import new
from clscore.plugins import KINDS, PluginHost, get_host


def _status(host: PluginHost, verbose: bool) -> None:
    rows = [(p.name, p.distribution or "-", p.version or "-", p.status) for p in host.plugins.values()]
    widths = [
        max(len(r[i]) for r in [("plugin", "distribution", "version", "status"), *rows]) for i in range(4)
    ]
    header = ("plugin", "distribution", "version", "status")
    click.echo("  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip())
    for info in host.plugins.values():
        row = (info.name, info.distribution or "-", info.version or "-", info.status)
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        if not verbose:
            continue
        if info.status == "failed":
            click.echo(f"    error: {info.error}")
            if info.traceback:
                for line in info.traceback.rstrip().splitlines()[-6:]:
                    click.echo(f"      {line}")
        for kind in KINDS:
            names = info.components.get(kind)
            if names:
                click.echo(f"    {kind}: {', '.join(sorted(names, key=str.lower))}")
        reason = info.unavailable_reason
        if reason and info.status != "failed":
            click.echo(f"    {reason}")


@click.group(invoke_without_command=True)
@click.option("-v", "--verbose", is_flag=True, help="Also list each plugin's components, and errors.")
@click.pass_context
def plugins(ctx: click.Context, verbose: bool) -> None:
    """List installed plugins with their distribution, version and status.

    \b
    clsrun plugins -v             # also each plugin's components and errors
    clsrun plugins new zebra      # write a new plugin distribution
    """
    if ctx.invoked_subcommand is None:
        _status(get_host(), verbose)


@plugins.command()
def check() -> None:
    """Check hook implementations against the specs and that every lazy factory imports."""
    host = get_host()
    problems: list[str] = []
    try:
        host.pm.check_pending()
    except Exception as exc:  # pluggy raises PluginValidationError
        problems.append(str(exc))
    for registry in host.registries.values():
        for component in registry:
            try:
                factory = component.load()
            except Exception as exc:
                problems.append(f"{component.kind} {component.qualified_name}: {exc}")
                continue
            if not callable(factory):
                problems.append(
                    f"{component.kind} {component.qualified_name}: {component.target} is not callable"
                )
    for info in host.failed():
        problems.append(f"plugin {info.name} ({info.distribution}) failed to load: {info.error}")
    total = sum(len(r) for r in host.registries.values())
    if problems:
        for problem in problems:
            click.echo(f"FAIL {problem}", err=True)
        raise SystemExit(1)
    click.echo(f"ok: {len(host.plugins)} plugins, {total} components, all hooks match their specs")


@plugins.command("components")
@click.argument("kind", required=False, type=click.Choice(sorted(KINDS)), metavar="[KIND]")
def components(kind: str | None) -> None:
    """List registered components (of one KIND) with their provider and summary.

    KIND: model, backbone, neck, head, loss, batch_augment, transform, dataset, scheduler, optimizer,
    metric or runner_hook.
    """
    host = get_host()
    for kind_name in [kind] if kind else list(KINDS):
        registry = host.registry(kind_name)
        if not len(registry):
            continue
        click.echo(f"{kind_name}:")
        for component in registry:
            summary = f"  {component.summary}" if component.summary else ""
            click.echo(f"  {component.qualified_name:<32}{summary}")


plugins.add_command(new)
