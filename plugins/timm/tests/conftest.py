from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(autouse=True)
def _seed() -> None:
    torch.manual_seed(0)


@pytest.fixture(autouse=True)
def no_downloads(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any attempt by timm to fetch weights fails the test instead of reaching the network."""
    from timm.models import _builder

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"timm tried to download: {args}")

    for name in ("load_state_dict_from_url", "load_state_dict_from_hf", "download_cached_file"):
        monkeypatch.setattr(_builder, name, refuse)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    yield
