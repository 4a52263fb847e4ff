"""Config sections the engine reads, each interpreted by one function of ``engine.builders``."""

from __future__ import annotations

from typing import Any

import pytest

from clscore.engine.builders import log_interval, runner_limits, runner_type, training_hooks
from clscore.engine.hooks import CheckpointHook, Hook, TextLoggerHook
from clscore.errors import ConfigError
from clscore.hookspecs import hookimpl
from clscore.testing import isolated_host, use_host


class IntervalHook(Hook):
    def __init__(self, interval: int = 1) -> None:
        self.interval = interval


class ClosedHook(Hook):
    def __init__(self, every: int = 1) -> None:
        self.every = every


class HookPlugin:
    name = "hooktest"

    @hookimpl
    def register_runner_hooks(self, registry: Any) -> None:
        registry.add("IntervalHook", IntervalHook, summary="Takes interval.")
        registry.add("ClosedHook", ClosedHook, summary="Takes only every.")


def test_runner_type_and_limits():
    assert runner_type(None) == "EpochBasedRunner"
    assert runner_limits({"type": "IterBasedRunner", "max_iters": 7}) == (None, 7)
    assert runner_limits({"max_epochs": 3}) == (3, None)
    assert runner_limits(None, total_epochs=2) == (2, None)
    with pytest.raises(ConfigError, match=r"runner\.type: unknown runner 'EpochRunner'"):
        runner_type({"type": "EpochRunner"})
    with pytest.raises(ConfigError, match=r"runner\.max_iters is required"):
        runner_limits({"type": "IterBasedRunner"})
    with pytest.raises(ConfigError, match=r"runner\.max_epochs must be a positive integer"):
        runner_limits({"max_epochs": 0})


@pytest.mark.parametrize(("interval", "expected"), [(None, 10), (0, 10), (-3, 10), (5, 5)])
def test_log_interval(interval, expected):
    cfg = {} if interval is None else {"log_config": {"interval": interval}}
    assert log_interval(cfg) == expected


def test_training_hooks_read_the_sections_once():
    cfg = {
        "runner": {"type": "IterBasedRunner", "max_iters": 40},
        "log_config": {"interval": -1, "hooks": [{"type": "IntervalHook"}, {"type": "ClosedHook"}]},
        "custom_hooks": [{"type": "ClosedHook", "priority": "HIGH"}],
    }
    with use_host(isolated_host(HookPlugin())):
        built = training_hooks(cfg, validate=True, has_val=False)
    hooks = {type(h): h for h, _ in built}
    assert hooks[CheckpointHook].interval == 40  # an iteration-based run saves at its end by default
    # the text logger is always added; every logger hook that takes an interval gets log_config.interval
    assert hooks[TextLoggerHook].interval == hooks[IntervalHook].interval == 10 == log_interval(cfg)
    assert [p for h, p in built if isinstance(h, ClosedHook)] == [None, "HIGH"]
