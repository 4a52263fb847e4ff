from __future__ import annotations

from clscore.plugins import get_host


def test_clscore_host_is_the_process_host_with_only_the_builtins(clscore_host):
    assert get_host() is clscore_host
    assert list(clscore_host.plugins) == ["clscore"]


def test_clscore_tiny_host_has_the_tiny_dataset(clscore_tiny_host):
    assert get_host() is clscore_tiny_host
    assert "TinyDataset" in clscore_tiny_host.registry("dataset")
