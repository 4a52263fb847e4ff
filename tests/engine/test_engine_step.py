"""The per-iteration pieces of the training loop: hook dispatch, the non-finite loss guard, the log buffer."""

from __future__ import annotations

from types import SimpleNamespace

import torch

from clscore.engine.hooks import Hook
from clscore.engine.hooks.base import overrides
from clscore.engine.runner import Runner
from clscore.engine.step import FiniteGuard, LogBuffer


class _Counting(Hook):
    def __init__(self) -> None:
        self.calls: list[str] = []

    def after_train_iter(self, runner) -> None:
        self.calls.append("after_train_iter")


def test_overrides_tells_a_stage_from_the_base_no_op():
    hook = _Counting()
    assert overrides(hook, "after_train_iter")
    assert not overrides(hook, "before_train_iter")
    hook.before_train_iter = lambda runner: None  # set on the instance counts too
    assert overrides(hook, "before_train_iter")
    duck = SimpleNamespace()  # not a Hook: every stage is called, as before
    assert overrides(duck, "before_run")


def test_call_hook_skips_no_ops_and_sees_hooks_added_later():
    runner = Runner.__new__(Runner)  # only the hook registry is used
    runner.hooks, runner._hook_levels, runner._stage_hooks = [], [], {}
    first, second = _Counting(), _Counting()
    runner.register_hook(first)
    runner.call_hook("after_train_iter")
    runner.call_hook("before_train_iter")
    assert runner._stage_hooks == {"after_train_iter": [first], "before_train_iter": []}
    runner.register_hook(second, "HIGH")
    runner.call_hook("after_train_iter")
    assert first.calls == ["after_train_iter"] * 2 and second.calls == ["after_train_iter"]
    assert runner._stage_hooks["after_train_iter"] == [second, first]  # priority order kept


def test_finite_guard_reports_the_first_bad_iteration_and_keeps_it():
    guard = FiniteGuard()
    assert guard.first_nonfinite(torch.device("cpu")) is None  # nothing tracked: no read at all
    for iteration, value in enumerate([1.0, 2.0, float("nan"), float("inf"), 3.0], start=1):
        guard.track(iteration, torch.tensor(value))
        if iteration == 2:
            assert guard.first_nonfinite(torch.device("cpu")) is None
    assert guard.first_nonfinite(torch.device("cpu")) == 3
    guard.track(6, torch.tensor(1.0))
    assert guard.first_nonfinite(torch.device("cpu")) == 3  # a later check still reports it


def test_log_buffer_averages_without_changing_the_logged_tensors():
    buffer = LogBuffer()
    first = torch.tensor(1.0)
    buffer.add({"loss": first}, {"time": 0.5})
    buffer.add({"loss": torch.tensor(3.0)}, {"time": 1.5})
    assert buffer.average() == {"loss": 2.0, "time": 1.0}
    assert first.item() == 1.0
