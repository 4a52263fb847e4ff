"""Plugin discovery, registries and component building."""

from clscore.plugins._build import build
from clscore.plugins._kinds import KINDS, Kind
from clscore.plugins._manager import (
    DISABLE_ENV,
    ENTRY_POINT_GROUP,
    LOAD_ENV,
    PluginHost,
    PluginInfo,
    PluginWarning,
    discover,
    get_host,
    set_host,
)
from clscore.plugins._registry import Component, Provenance, Registry
from clscore.plugins._signature import Param, Signature, signature_of


def hookspecs_names() -> list[str]:
    """Names of every hook a plugin can implement."""
    from clscore import hookspecs

    return sorted(n for n in dir(hookspecs) if n.startswith("register_"))


__all__ = [
    "DISABLE_ENV",
    "ENTRY_POINT_GROUP",
    "KINDS",
    "LOAD_ENV",
    "Component",
    "Kind",
    "Param",
    "PluginHost",
    "PluginInfo",
    "PluginWarning",
    "Provenance",
    "Registry",
    "Signature",
    "build",
    "discover",
    "get_host",
    "hookspecs_names",
    "set_host",
    "signature_of",
]
