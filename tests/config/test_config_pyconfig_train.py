"""``clsrun train x.py --cfg-options ...`` trains from a Python config (LeNet-5 on the embedded digits)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from clscore.cli import cli

ROOT = Path(__file__).resolve().parents[2]
TRAIN_PY = """
_base_ = [{digits!r}, {runtime!r}]
model = dict(
    type='ImageClassifier',
    backbone=dict(type='LeNet5', in_channels=3),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=120,
              loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))
batch = 4 * 64
data = dict(samples_per_gpu=batch, train=dict(pipeline={{{{_base_.digits_test_pipeline}}}}))
optimizer = dict(type='SGD', lr=0.01 * batch / 64, momentum=0.9)
optimizer_config = dict(grad_clip=None)
lr_config = dict(policy='step', step=[s * 2 for s in (1, 2)])
runner = dict(type='EpochBasedRunner', max_epochs=5)
evaluation = dict(interval=1, metric='accuracy', metric_options=dict(topk=(1, )))
log_config = dict(interval=2, hooks=[dict(type='TextLoggerHook')])
"""


@pytest.mark.slow
def test_train_from_a_python_config(tmp_path):
    base = ROOT / "configs" / "_base_"
    config = tmp_path / "lenet_digits.py"
    config.write_text(
        TRAIN_PY.format(
            digits=str(base / "datasets" / "digits.yaml"), runtime=str(base / "default_runtime.yaml")
        )
    )
    work_dir = tmp_path / "work"
    result = CliRunner().invoke(
        cli,
        [
            "train",
            str(config),
            "--work-dir",
            str(work_dir),
            "--device",
            "cpu",
            "--cfg-options",
            "runner.max_epochs=1",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert (work_dir / "epoch_1.pth").is_file()
    assert not (work_dir / "epoch_2.pth").exists()  # the override won over the .py file's 5 epochs
    (log,) = work_dir.glob("*.log.json")
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert any(r.get("mode") == "val" and "accuracy_top-1" in r for r in records)
