"""pytest fixtures for clscore and its plugins (registered through the ``pytest11`` entry point).

Loaded into every pytest run of an environment where clscore is installed, so it imports no torch.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from clscore.plugins import PluginHost
from clscore.testing._host import isolated_host, use_host


@pytest.fixture
def clscore_host() -> Iterator[PluginHost]:
    """A process-wide host holding only the built-ins; add plugins with ``host.add_plugin``."""
    with use_host(isolated_host()) as host:
        yield host


@pytest.fixture
def clscore_tiny_host() -> Iterator[PluginHost]:
    """Like ``clscore_host``, plus ``TinyDataset`` for ``clscore.testing.tiny_config``."""
    with use_host(isolated_host(tiny_data=True)) as host:
        yield host
