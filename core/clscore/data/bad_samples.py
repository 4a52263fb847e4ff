"""What a dataset does with a sample it cannot read: ``on_error: raise`` (default) or ``skip``.

A dataset config may say ``on_error: skip`` (with ``max_skip_ratio``, default 0.01 of the dataset, or
``max_skips``). A bad sample is then replaced by the next readable index, so every process of a
distributed run still yields the same number of batches. The replacement carries a report of what it
stands in for (under :data:`REPORT_KEY`); the loader (:class:`SkipTracker`) takes the reports out of
each batch in the main process, logs each bad file once, counts them per epoch, and stops the run
with one clear error once more files are bad than the limit allows. Workers, spawn or fork, need no
shared state for that.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass, replace
from typing import Any

from clscore.config._sections import DATASET_POLICY_KEYS
from clscore.errors import ConfigError, DataError

#: The dataset config keys of the policy (besides the dataset's own parameters).
POLICY_KEYS = tuple(DATASET_POLICY_KEYS)
#: The sample key that carries the reports of the bad samples a sample replaces.
REPORT_KEY = "bad_samples"
#: Errors that mean the data is bad; anything else is a bug and always propagates.
DATA_ERRORS = (DataError, OSError)

#: A bad sample as reported to the main process: (index, file or dataset name, reason).
Report = tuple[int, str, str]


@dataclass(frozen=True)
class ErrorPolicy:
    """``on_error`` with its limit; ``key`` is the config key that messages name (``data.train``)."""

    on_error: str = "raise"
    max_skip_ratio: float = 0.01
    max_skips: int | None = None
    key: str | None = None

    @property
    def skips(self) -> bool:
        return self.on_error == "skip"

    @classmethod
    def pop_from(cls, spec: MutableMapping[str, Any], key: str | None) -> ErrorPolicy | None:
        """The policy in a dataset config (its keys removed from ``spec``); ``None`` when it gives none."""
        given = {name: spec.pop(name) for name in POLICY_KEYS if name in spec}
        if not given:
            return None
        where = f"{key}." if key else ""
        on_error = given.get("on_error", "raise")
        if on_error not in ("raise", "skip"):
            raise ConfigError(f"{where}on_error: expected 'raise' or 'skip', got {on_error!r}")
        ratio = given.get("max_skip_ratio", cls.max_skip_ratio)
        if isinstance(ratio, bool) or not isinstance(ratio, int | float) or not 0 <= ratio <= 1:
            raise ConfigError(f"{where}max_skip_ratio: expected a fraction in [0, 1], got {ratio!r}")
        skips = given.get("max_skips")
        if skips is not None and (isinstance(skips, bool) or not isinstance(skips, int) or skips < 0):
            raise ConfigError(f"{where}max_skips: expected an integer >= 0, got {skips!r}")
        return cls(str(on_error), float(ratio), skips, key)

    def limit(self, size: int) -> float:
        """How many distinct bad samples a dataset of ``size`` may have before the run stops."""
        return float(self.max_skips) if self.max_skips is not None else self.max_skip_ratio * size

    def describe_limit(self, size: int) -> str:
        if self.max_skips is not None:
            return f"max_skips {self.max_skips}"
        return f"max_skip_ratio {self.max_skip_ratio:g} of {size} samples"

    def message(self, index: int, name: str, reason: str) -> str:
        """One line naming the key, the index, the file and the reason."""
        where = f"{self.key}: " if self.key else ""
        named = reason if name in reason else f"{name}: {reason}"
        return f"{where}sample {index}: {named}"


def reason_of(exc: BaseException) -> str:
    """The error's message on one line."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if isinstance(exc, DataError) else f"{type(exc).__name__}: {text}"


def read_guarded(
    load: Callable[[int], Any], index: int, size: int, policy: ErrorPolicy, name_of: Callable[[int], str]
) -> Any:
    """``load(index)``, with a bad sample raised as one line or replaced by the next readable index."""
    try:
        sample = load(index)
    except DATA_ERRORS as exc:
        first: Report = (index, name_of(index), reason_of(exc))
        if not policy.skips:
            raise DataError(policy.message(*first) + _skip_hint(policy)) from None
    else:
        return _with_reports(sample, (), policy)
    reports = [first]
    tries = min(size - 1, int(policy.limit(size)) + 1)  # the loader's tracker enforces the limit itself
    for step in range(1, tries + 1):
        candidate = (index + step) % size
        try:
            sample = load(candidate)
        except DATA_ERRORS as exc:
            reports.append((candidate, name_of(candidate), reason_of(exc)))
            continue
        return _with_reports(sample, tuple(reports), policy)
    raise DataError(
        f"{policy.message(*first)}; and the {len(reports) - 1} sample(s) after it are bad too, more than "
        f"the limit ({policy.describe_limit(size)}): check the data"
    )


def _skip_hint(policy: ErrorPolicy) -> str:
    return f" (to train on without it: {policy.key}.on_error=skip)" if policy.key else ""


def _with_reports(sample: Any, reports: tuple[Report, ...], policy: ErrorPolicy) -> Any:
    """Under ``skip`` every sample carries the key (an empty tuple when it replaces nothing), for batching."""
    if policy.skips and isinstance(sample, MutableMapping):
        sample[REPORT_KEY] = reports
    return sample


def leaf_datasets(dataset: Any) -> Iterator[Any]:
    """The datasets that read samples: those inside wrappers (``dataset`` / ``datasets``), or ``dataset``."""
    inner = getattr(dataset, "datasets", None)
    if inner is None and getattr(dataset, "dataset", None) is not None:
        inner = [dataset.dataset]
    if inner is None:
        yield dataset
        return
    for child in inner:
        yield from leaf_datasets(child)


def apply_policy(dataset: Any, policy: ErrorPolicy | None, key: str | None = None) -> None:
    """Give ``policy`` to every dataset inside ``dataset`` (wrappers included) that reads samples.

    Without a ``policy`` the datasets keep their own (one set on a dataset inside a wrapper) and get
    ``key`` for their messages.
    """
    for leaf in leaf_datasets(dataset):
        if not hasattr(leaf, "error_policy"):
            if policy is not None and policy.skips:
                raise ConfigError(
                    f"{policy.key or 'dataset'}.on_error: skip needs datasets built on "
                    f"clscore.data.datasets.BaseDataset; {type(leaf).__name__} is not"
                )
            continue
        if policy is not None:
            leaf.error_policy = policy
        elif key is not None and leaf.error_policy.key is None:
            leaf.error_policy = replace(leaf.error_policy, key=key)


def skip_policy(dataset: Any) -> ErrorPolicy | None:
    """The ``skip`` policy of a dataset or of one inside it, if any."""
    for leaf in leaf_datasets(dataset):
        policy = getattr(leaf, "error_policy", None)
        if policy is not None and policy.skips:
            return policy
    return None


class SkipTracker:
    """Main-process side of ``skip``: logs each bad file once, counts, and enforces the limit."""

    def __init__(self, policy: ErrorPolicy, size: int, logger: logging.Logger | None = None) -> None:
        self.policy = policy
        self.size = size
        self.logger = logger or logging.getLogger("clscore")
        self.bad: dict[str, str] = {}
        self.epoch_count = 0

    @property
    def count(self) -> int:
        """Distinct bad samples seen so far in this run (this process)."""
        return len(self.bad)

    def take(self, batch: Any) -> Any:
        """Remove the reports from ``batch`` and account for them."""
        if not isinstance(batch, MutableMapping) or REPORT_KEY not in batch:
            return batch
        for reports in batch.pop(REPORT_KEY):
            self.record(reports)
        return batch

    def record(self, reports: Iterable[Report]) -> None:
        for index, name, reason in reports:
            self.epoch_count += 1
            where = f"{name}#{index}"
            if where in self.bad:
                continue
            self.bad[where] = reason
            self.logger.warning(
                "%s; skipped (replaced by the next readable sample)", self.policy.message(index, name, reason)
            )
            if self.count > self.policy.limit(self.size):
                raise DataError(
                    f"{self.policy.key or 'dataset'}: {self.count} bad samples, more than the limit "
                    f"({self.policy.describe_limit(self.size)}); the latest: {self.policy.message(index, name, reason)}. "
                    "Fix or remove the files, or raise max_skips / max_skip_ratio"
                )

    def end_epoch(self) -> None:
        """Log the epoch's count (when there were any) and start a new one."""
        if self.epoch_count:
            self.logger.warning(
                "%s: %d bad sample(s) replaced in this pass over the data; %d distinct so far (limit: %s)",
                self.policy.key or "dataset",
                self.epoch_count,
                self.count,
                self.policy.describe_limit(self.size),
            )
        self.epoch_count = 0

    def follow(self, batches: Iterable[Any]) -> Iterator[Any]:
        """``batches`` with their reports taken out; the count is logged when the pass ends."""
        try:
            for batch in batches:
                yield self.take(batch)
        finally:  # also when the run stops mid-pass (its last iteration, an error)
            self.end_epoch()


__all__ = [
    "DATA_ERRORS",
    "POLICY_KEYS",
    "REPORT_KEY",
    "ErrorPolicy",
    "SkipTracker",
    "apply_policy",
    "leaf_datasets",
    "read_guarded",
    "skip_policy",
]
