"""Reading the JSON-lines training logs (``<time>.log.json``) into curves.

Each line is an object; the first one holds the environment and config (no ``mode``), the others
have ``mode`` (train/val), ``epoch`` (1-based), ``iter`` and the logged values. In epoch-based runs a
train record's ``iter`` counts within its epoch; curves use the global iteration
``(epoch - 1) * iters_per_epoch + iter``, with ``iters_per_epoch`` the largest ``iter`` logged.
Validation values are drawn against the epoch (the iteration in iteration-based runs).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clscore.errors import ClsCoreError


@dataclass
class Curve:
    """One key of one log: ``xs``/``ys`` and what ``xs`` counts (``iter`` or ``epoch``)."""

    key: str
    mode: str
    x_label: str
    xs: list[float]
    ys: list[float]


def read_json_log(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The records (lines with a ``mode``) of a JSON-lines log; broken lines are an error naming them."""
    file = Path(path)
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ClsCoreError(f"cannot read the log {file}: {exc.strerror or exc}") from None
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            if number == len(lines):
                break  # a run killed while writing its last line
            raise ClsCoreError(
                f"{file}:{number} is not JSON ({exc.msg}); give a <time>.log.json file"
            ) from None
        if isinstance(record, dict) and "mode" in record:
            records.append(record)
    if not records:
        raise ClsCoreError(f"{file} has no training records; give the <time>.log.json a training run wrote")
    return records


def _by_epoch(records: list[dict[str, Any]]) -> bool:
    """Whether train ``iter`` restarts every epoch (epoch-based run) rather than counting globally."""
    last: dict[int, int] = {}
    for record in records:
        if record.get("mode") == "train":
            last[int(record.get("epoch", 1))] = int(record.get("iter", 0))
    epochs = sorted(last)
    if len(epochs) < 2:
        return True
    return any(
        int(r.get("iter", 0)) <= last[epochs[0]]
        for r in records
        if r.get("mode") == "train" and int(r.get("epoch", 1)) > epochs[0]
    )


def curve(records: list[dict[str, Any]], key: str, source: str = "log") -> Curve:
    """The values of ``key``: train values per global iteration, else val values per epoch."""
    train = [r for r in records if r.get("mode") == "train" and _number(r.get(key))]
    if train:
        by_epoch = _by_epoch(records)
        per_epoch = max(int(r.get("iter", 0)) for r in records if r.get("mode") == "train")
        xs = [
            float((int(r.get("epoch", 1)) - 1) * per_epoch + int(r["iter"])) if by_epoch else float(r["iter"])
            for r in train
        ]
        return Curve(key, "train", "iteration", xs, [float(r[key]) for r in train])
    val = [r for r in records if r.get("mode") == "val" and _number(r.get(key))]
    if val:
        by_epoch = _by_epoch(records)
        xs = [float(r["epoch"]) if by_epoch else float(r.get("iter", 0)) for r in val]
        return Curve(key, "val", "epoch" if by_epoch else "iteration", xs, [float(r[key]) for r in val])
    available = sorted(
        {k for r in records for k, v in r.items() if _number(v) and k not in ("epoch", "iter")}
    )
    raise ClsCoreError(f"{source} has no values for {key!r}; it logs: {', '.join(available)}")


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
