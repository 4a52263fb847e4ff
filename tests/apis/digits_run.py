"""One short real training run on the embedded digits, shared by the tests of trained-model tools.

The run is made once per test session with ``clsrun train`` and cached in the session's temp
folder (shared by xdist workers, under a lock); a module that needs it has a fixture calling
:func:`shared_digits_run`, so it does not matter which module asks first::

    from apis.digits_run import DigitsRun, shared_digits_run

    @pytest.fixture(scope="module")
    def run(tmp_path_factory) -> DigitsRun:
        return shared_digits_run(tmp_path_factory)
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

#: LeNet-5 on 32x32 digits: 2 epochs of 23 iterations reach about 95 % top-1 in seconds.
CONFIG = """\
model:
  type: ImageClassifier
  backbone: {type: LeNet5}
  neck: {type: GlobalAveragePooling}
  head: {type: LinearClsHead, num_classes: 10, in_channels: 120}
img_norm_cfg: &norm {mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5], to_rgb: false}
data:
  samples_per_gpu: 64
  workers_per_gpu: 0
  train:
    type: Digits
    split: train
    img_size: 32
    pipeline:
      - {type: RandomCrop, size: 32, padding: 2}
      - {type: Normalize, <<: *norm}
      - {type: ToTensor, keys: [gt_label]}
      - {type: Collect, keys: [img, gt_label]}
  val: &val
    type: Digits
    split: val
    img_size: 32
    pipeline:
      - {type: Normalize, <<: *norm}
      - {type: ImageToTensor, keys: [img]}
      - {type: ToTensor, keys: [gt_label]}
      - {type: Collect, keys: [img, gt_label]}
  test: *val
optimizer: {type: Adam, lr: 0.01}
lr_config: {policy: step, step: [1]}
runner: {type: EpochBasedRunner, max_epochs: 2}
evaluation: {interval: 1, metric: accuracy, metric_options: {topk: [1, 5]}}
checkpoint_config: {interval: 1}
log_config: {interval: 5}
seed: 0
"""


@dataclass(frozen=True)
class DigitsRun:
    config: Path
    work_dir: Path
    checkpoint: Path
    log_json: Path
    records: list[dict[str, Any]]

    @property
    def last_val(self) -> dict[str, Any]:
        return [r for r in self.records if r.get("mode") == "val"][-1]


@contextlib.contextmanager
def _locked(path: Path):
    """An exclusive lock on ``path`` (so parallel xdist workers train once); no-op without fcntl."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def train_digits(root: Path) -> DigitsRun:
    """Train into ``root`` unless a finished run is already there."""
    root.mkdir(parents=True, exist_ok=True)
    config, work_dir = root / "lenet_digits.yaml", root / "work"
    with _locked(root / ".lock"):
        if not (work_dir / "latest").is_file():
            _train(config, work_dir)
    log_json = sorted(work_dir.glob("*.log.json"))[-1]
    records = [json.loads(line) for line in log_json.read_text().splitlines() if line.strip()]
    checkpoint = work_dir / (work_dir / "latest").read_text().strip()
    return DigitsRun(config, work_dir, checkpoint, log_json, [r for r in records if "mode" in r])


def _train(config: Path, work_dir: Path) -> None:
    config.write_text(CONFIG, encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "clscore",
            "train",
            str(config),
            "--work-dir",
            str(work_dir),
            "--device",
            "cpu",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def shared_digits_run(tmp_path_factory: pytest.TempPathFactory) -> DigitsRun:
    """The session's run; under xdist the workers share the folder above their own temp folders."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    return train_digits(base / "digits-run")
