"""MMClassification checkpoints: config as MMCV Python text, ``CLASSES``, its state-dict key names."""

from __future__ import annotations

import pytest
import torch
from click.testing import CliRunner
from PIL import Image

from clscore.apis.inference import Inferencer
from clscore.apis.trained import load_trained_model
from clscore.checkpoint import load_checkpoint
from clscore.cli import cli
from clscore.errors import CheckpointError
from clscore.models.builder import build_model

CLASSES = ["cat", "dog", "eel"]

# What MMCV's Config.pretty_text gives for a ResNet-18 config (yapf layout, tuples, range, None).
PRETTY_TEXT = """model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNet',
        depth=18,
        num_stages=4,
        out_indices=(3, ),
        style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=3,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, )))
dataset_type = 'ImageNet'
img_norm_cfg = dict(
    mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', size=(40, -1)),
    dict(type='CenterCrop', crop_size=32),
    dict(
        type='Normalize',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    dict(type='ImageToTensor', keys=['img']),
    dict(type='Collect', keys=['img'])
]
data = dict(
    samples_per_gpu=32,
    workers_per_gpu=2,
    test=dict(
        type='ImageNet',
        data_prefix='data/imagenet/val',
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='Resize', size=(40, -1)),
            dict(type='CenterCrop', crop_size=32),
            dict(
                type='Normalize',
                mean=[123.675, 116.28, 103.53],
                std=[58.395, 57.12, 57.375],
                to_rgb=True),
            dict(type='ImageToTensor', keys=['img']),
            dict(type='Collect', keys=['img'])
        ]))
optimizer = dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=0.0001)
optimizer_config = dict(grad_clip=None)
lr_config = dict(policy='step', step=[30, 60, 90])
runner = dict(type='EpochBasedRunner', max_epochs=100)
checkpoint_config = dict(interval=1)
log_config = dict(interval=100, hooks=[dict(type='TextLoggerHook')])
dist_params = dict(backend='nccl')
log_level = 'INFO'
load_from = None
resume_from = None
workflow = [('train', 1)]
work_dir = './work_dirs/resnet18_8xb32_in1k'
gpu_ids = range(0, 1)
"""


def _mmcls_model() -> torch.nn.Module:
    from clscore.config import loads_python

    torch.manual_seed(0)
    return build_model(loads_python(PRETTY_TEXT)["model"]).eval()


@pytest.fixture(scope="module")
def mmcls_checkpoint(tmp_path_factory) -> tuple:
    """A checkpoint as MMClassification 0.25 writes it, and the model it holds."""
    model = _mmcls_model()
    folder = tmp_path_factory.mktemp("mmcls")
    path = folder / "epoch_1.pth"
    meta = {
        "mmcls_version": "0.25.0",
        "config": PRETTY_TEXT,
        "CLASSES": tuple(CLASSES),
        "epoch": 1,
        "iter": 3,
    }
    torch.save({"meta": meta, "state_dict": model.state_dict()}, path)
    image = folder / "cat.png"
    Image.fromarray(((torch.arange(48 * 40 * 3) * 7) % 256).to(torch.uint8).reshape(48, 40, 3).numpy()).save(
        image
    )
    return path, image, model


def test_the_python_config_and_CLASSES_of_the_checkpoint_are_used(mmcls_checkpoint):
    path, _, model = mmcls_checkpoint
    trained = load_trained_model(path)
    assert trained.classes == CLASSES
    assert trained.cfg.model["backbone"]["out_indices"] == [3]
    assert trained.cfg["gpu_ids"] == [0]
    img = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(trained.model(img), model(img))


def test_clsrun_infer_needs_no_config(mmcls_checkpoint):
    path, image, _ = mmcls_checkpoint
    result = CliRunner().invoke(cli, ["infer", str(path), str(image)])
    assert result.exit_code == 0, result.output
    expected = Inferencer(path)(str(image))
    assert expected["pred_class"] in CLASSES
    assert expected["pred_class"] in result.output


def test_an_unreadable_stored_config_asks_for_the_config_file(tmp_path):
    path = tmp_path / "bad.pth"
    meta = {"config": "import os\nmodel = dict(type='ImageClassifier')\n", "CLASSES": CLASSES}
    torch.save({"meta": meta, "state_dict": _mmcls_model().state_dict()}, path)
    with pytest.raises(CheckpointError) as info:
        load_trained_model(path)
    message = str(info.value)
    assert "cannot read the config stored in" in message and "CONFIG" in message
    assert "\n" not in message
    result = CliRunner().invoke(cli, ["infer", str(path), str(tmp_path / "x.png")])
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_seesaw_buffer_of_an_mmcls_checkpoint_loads(tmp_path):
    cfg = {
        "type": "ImageClassifier",
        "backbone": {"type": "LeNet5", "num_classes": -1},
        "head": {
            "type": "LinearClsHead",
            "num_classes": 3,
            "in_channels": 120,
            "loss": {"type": "SeesawLoss", "num_classes": 3},
        },
    }
    model = build_model(cfg)
    state = model.state_dict()
    counts = torch.tensor([5.0, 1.0, 9.0])
    state = {k.replace(".loss_module.", ".compute_loss."): v for k, v in state.items()}
    state["head.compute_loss.cum_samples"] = counts
    torch.save({"meta": {}, "state_dict": state}, tmp_path / "seesaw.pth")
    fresh = build_model(cfg)
    report = load_checkpoint(fresh, tmp_path / "seesaw.pth", strict=True)
    assert report["unexpected_keys"] == [] and report["missing_keys"] == []
    assert torch.equal(fresh.head.loss_module.cum_samples, counts)
