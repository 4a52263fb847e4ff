from __future__ import annotations

from clscore.config import Config, validate
from clscore.testing import isolated_host, tiny_config, use_host


def test_tiny_config_puts_the_transforms_before_the_formatting_steps():
    cfg = tiny_config(
        {"type": "LeNet5"}, transforms=[{"type": "RandomFlip", "flip_prob": 1.0}], num_classes=3
    )
    assert isinstance(cfg, Config)
    pipeline = cfg.data.train.pipeline
    assert [t["type"] for t in pipeline] == [
        "RandomFlip",
        "Normalize",
        "ImageToTensor",
        "ToTensor",
        "Collect",
    ]
    assert [t["type"] for t in cfg.data.val.pipeline] == ["Normalize", "ImageToTensor", "ToTensor", "Collect"]
    assert cfg.model.head.num_classes == cfg.data.train.num_classes == 3
    assert "in_channels" not in cfg.model.head


def test_tiny_config_validates_with_the_tiny_data_host():
    with use_host(isolated_host(tiny_data=True)):
        validate(tiny_config({"type": "LeNet5"}, in_channels=120))


def test_the_caller_owns_the_config():
    transforms = [{"type": "RandomFlip"}]
    cfg = tiny_config({"type": "LeNet5"}, transforms)
    cfg.data.train.pipeline[0]["flip_prob"] = 0.0
    assert transforms == [{"type": "RandomFlip"}]
