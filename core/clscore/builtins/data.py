"""Built-in components of this area (lazy registrations; no torch imported here)."""

from clscore.hookspecs import hookimpl


@hookimpl
def register_transforms(registry):
    """Filled in by this area."""


@hookimpl
def register_datasets(registry):
    """Filled in by this area."""

