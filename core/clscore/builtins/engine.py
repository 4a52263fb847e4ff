"""Built-in components of this area (lazy registrations; no torch imported here)."""

from clscore.hookspecs import hookimpl


@hookimpl
def register_optimizers(registry):
    """Filled in by this area."""


@hookimpl
def register_schedulers(registry):
    """Filled in by this area."""


@hookimpl
def register_runner_hooks(registry):
    """Filled in by this area."""

