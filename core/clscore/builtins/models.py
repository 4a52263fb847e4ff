"""Built-in components of this area (lazy registrations; no torch imported here)."""

from clscore.hookspecs import hookimpl


@hookimpl
def register_models(registry):
    """Filled in by this area."""


@hookimpl
def register_backbones(registry):
    """Filled in by this area."""


@hookimpl
def register_necks(registry):
    """Filled in by this area."""


@hookimpl
def register_heads(registry):
    """Filled in by this area."""


@hookimpl
def register_losses(registry):
    """Filled in by this area."""


@hookimpl
def register_batch_augments(registry):
    """Filled in by this area."""

