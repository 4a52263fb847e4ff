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
    "set_host",
    "signature_of",
]
