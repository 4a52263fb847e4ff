"""Registries: one per component kind, filled by plugins, looked up by configs."""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from clscore.errors import ComponentError
from clscore.plugins._signature import Signature, signature_of

Factory = Callable[..., Any]


@dataclass(frozen=True)
class Provenance:
    """Who registered a component: the plugin's short name, its distribution and version."""

    plugin: str
    distribution: str | None = None
    version: str | None = None

    def describe(self) -> str:
        return self.distribution or self.plugin


@dataclass
class Component:
    """One registered component; ``factory`` is a callable or a lazy ``"module:attr"`` string."""

    kind: str
    name: str
    factory: Factory | str
    provider: Provenance
    summary: str | None = None
    _loaded: Factory | None = field(default=None, repr=False)
    _signature: Signature | None = field(default=None, repr=False)
    _signature_read: bool = field(default=False, repr=False)

    @property
    def qualified_name(self) -> str:
        return f"{self.provider.plugin}:{self.name}"

    @property
    def target(self) -> str:
        """``module:attr`` of the factory, without importing it when it is lazy."""
        if isinstance(self.factory, str):
            return self.factory
        return f"{self.factory.__module__}:{self.factory.__qualname__}"

    @property
    def is_loaded(self) -> bool:
        return not isinstance(self.factory, str) or self._loaded is not None

    def load(self) -> Factory:
        """Return the factory, importing it on first use when it was registered lazily."""
        if not isinstance(self.factory, str):
            return self.factory
        if self._loaded is None:
            self._loaded = resolve_target(self.factory, what=f"{self.kind} {self.qualified_name}")
        return self._loaded

    def describe(self) -> str:
        return f"{self.name} ({self.provider.describe()})"

    # -- "does X take P": the one answer validation, building and evaluation share -------------------
    def signature(self) -> Signature | None:
        """The factory's keyword parameters (read from source while it is not imported); ``None`` if unknown."""
        if not self._signature_read or (self._signature is None and self.is_loaded):
            self._signature = signature_of(self.load() if self.is_loaded else self.target)
            self._signature_read = True
        return self._signature

    def declares(self, name: str) -> bool:
        """Whether the factory names ``name`` as a parameter (so it is safe to pass it unasked)."""
        signature = self.signature()
        return signature is not None and signature.get(name) is not None

    def accepts(self, name: str) -> bool:
        """Whether ``name`` may be passed: declared, or the factory takes ``**kwargs`` or cannot be read."""
        signature = self.signature()
        return signature is None or signature.open_kwargs or signature.get(name) is not None


def resolve_target(target: str, *, what: str) -> Any:
    """Import ``"package.module:attr.sub"``; a failure names the component it was for."""
    module_name, sep, attr_path = target.partition(":")
    if not sep or not module_name or not attr_path:
        raise ComponentError(f"{what}: factory {target!r} is not of the form 'module:attr'")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise ComponentError(f"{what}: cannot import {module_name!r}: {exc}") from exc
    for part in attr_path.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError as exc:
            raise ComponentError(f"{what}: {module_name!r} has no attribute {attr_path!r}") from exc
    return obj


class Registry:
    """The components of one kind.

    Plugins receive a view bound to themselves, so ``registry.add(...)`` records who added what.
    Names are looked up plainly (``ResNet``) or qualified by plugin (``resnet:ResNet``).
    """

    def __init__(
        self,
        kind: str,
        *,
        fold_case: bool = False,
        _store: dict[str, Component] | None = None,
        _provider: Provenance | None = None,
        _unavailable: dict[str, str] | None = None,
    ) -> None:
        self.kind = kind
        self.fold_case = fold_case
        self._store: dict[str, Component] = {} if _store is None else _store
        self._provider = _provider
        #: plugin short name -> why it is not loaded (failed or disabled), for error messages.
        self._unavailable: dict[str, str] = {} if _unavailable is None else _unavailable

    # -- registration -------------------------------------------------------------------------
    def bind(self, provider: Provenance) -> Registry:
        """A view of this registry whose ``add`` records ``provider``."""
        return Registry(
            self.kind,
            fold_case=self.fold_case,
            _store=self._store,
            _provider=provider,
            _unavailable=self._unavailable,
        )

    def add(self, name: str, factory: Factory | str, *, summary: str | None = None) -> None:
        """Register ``factory`` (a callable, or a lazy ``"module:attr"`` string) as ``name``."""
        if self._provider is None:
            raise RuntimeError("add() needs a registry bound to a plugin; plugins receive one in their hook")
        if not isinstance(name, str) or not name or ":" in name:
            raise ValueError(f"invalid {self.kind} name {name!r}: use a non-empty name without ':'")
        if not (callable(factory) or (isinstance(factory, str) and ":" in factory)):
            raise TypeError(f"{self.kind} {name!r}: factory must be callable or a 'module:attr' string")
        component = Component(self.kind, name, factory, self._provider, summary)
        key = component.qualified_name
        if key in self._store:
            raise ValueError(f"{self.kind} {key!r} is registered twice by {self._provider.describe()}")
        self._store[key] = component

    def merge(self, staged: Registry) -> list[Component]:
        """Add the components of ``staged`` (one plugin's, collected apart) not registered here yet.

        Returns those added; a qualified name already present (the same plugin added twice) is kept.
        """
        added = [c for c in staged if c.qualified_name not in self._store]
        for component in added:
            self._store[component.qualified_name] = component
        return added

    # -- lookup -------------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Component]:
        return iter(sorted(self._store.values(), key=lambda c: (c.name.lower(), c.provider.plugin)))

    def __len__(self) -> int:
        return len(self._store)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and bool(self._matches(name))

    def names(self) -> list[str]:
        """Plain names, sorted, each once."""
        return sorted({c.name for c in self._store.values()}, key=str.lower)

    def by_plugin(self, plugin: str) -> list[Component]:
        return [c for c in self if c.provider.plugin == plugin]

    def _key(self, name: str) -> str:
        return name.lower().replace("_", "") if self.fold_case else name

    def _matches(self, name: str) -> list[Component]:
        plugin, sep, plain = name.rpartition(":")
        wanted = self._key(plain)
        return [
            c
            for c in self._store.values()
            if self._key(c.name) == wanted and (not sep or c.provider.plugin == plugin)
        ]

    def get(self, name: str) -> Component:
        """The component called ``name``; unknown or ambiguous names raise :class:`ComponentError`."""
        if not isinstance(name, str):
            raise ComponentError(f"{self.kind} type must be a string, got {name!r}")
        found = self._matches(name)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            providers = " and ".join(f"{c.qualified_name} ({c.provider.describe()})" for c in found)
            raise ComponentError(
                f"{self.kind} {name!r} is ambiguous: it is registered by {providers}; "
                f"write one of {', '.join(repr(c.qualified_name) for c in found)}, "
                "or disable one plugin with CLSCORE_DISABLE_PLUGINS"
            )
        raise ComponentError(self._unknown_message(name))

    def _unknown_message(self, name: str) -> str:
        plugin, sep, plain = name.rpartition(":")
        if sep and plugin in self._unavailable:
            return f"{self.kind} {name!r} is provided by plugin {plugin!r}, which {self._unavailable[plugin]}"
        message = f"unknown {self.kind} {name!r}"
        close = difflib.get_close_matches(plain, self.names(), n=1, cutoff=0.6)
        if not close and self.fold_case:
            lowered = {n.lower(): n for n in self.names()}
            close = [lowered[m] for m in difflib.get_close_matches(plain.lower(), list(lowered), n=1)]
        if close:
            message += f"; did you mean {close[0]!r}?"
        names = self.names()
        message += f" Available {self.kind}s: {', '.join(names) if names else '(none registered)'}."
        if self._unavailable:
            notes = "; ".join(f"plugin {p!r} {why}" for p, why in sorted(self._unavailable.items()))
            message += f" It may come from a plugin that is not loaded: {notes}."
        return message
