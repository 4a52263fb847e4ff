"""Built-in components of this area (lazy registrations; no torch imported here)."""

from clscore.hookspecs import hookimpl


@hookimpl
def register_metrics(registry):
    """Filled in by this area."""

