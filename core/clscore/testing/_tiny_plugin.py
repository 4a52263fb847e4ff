"""The plugin that brings ``TinyDataset`` into a test host (lazily: no torch until it is built)."""

from __future__ import annotations

from typing import Any

from clscore.hookspecs import hookimpl


class TinyDataPlugin:
    """Registers ``TinyDataset`` (qualified ``clscore_testing:TinyDataset``)."""

    name = "clscore_testing"

    @hookimpl
    def register_datasets(self, registry: Any) -> None:
        registry.add(
            "TinyDataset",
            "clscore.testing.data:TinyDataset",
            summary="A few random in-memory images per class, for tests: no files, deterministic.",
        )


TINY_DATA_PLUGIN = TinyDataPlugin()
