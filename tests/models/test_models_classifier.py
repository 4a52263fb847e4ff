"""ImageClassifier end to end with the core's parts: LeNet5 → GlobalAveragePooling → LinearClsHead."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from clscore.errors import ComponentError, ConfigError
from clscore.models.backbones import LeNet5
from clscore.models.builder import build_model
from clscore.models.classifier import ImageClassifier
from clscore.models.heads import LinearClsHead
from clscore.models.necks import GlobalAveragePooling


def lenet_cfg(**extra) -> dict:
    cfg = {
        "type": "ImageClassifier",
        "backbone": {"type": "LeNet5"},
        "neck": {"type": "GlobalAveragePooling"},
        "head": {"type": "LinearClsHead", "num_classes": 10},
    }
    cfg.update(extra)
    return cfg


@pytest.fixture
def img() -> torch.Tensor:
    torch.manual_seed(0)
    return torch.randn(2, 3, 32, 32)


def test_end_to_end(img):
    model = build_model(lenet_cfg())
    assert isinstance(model, ImageClassifier)
    assert model.head.in_channels == 120  # filled from LeNet5.out_channels
    assert model.num_classes == 10 and model.multi_label is False
    assert model(img).shape == (2, 10)
    losses = model.loss(img, torch.tensor([3, 7]))
    assert torch.isfinite(losses["loss"])
    losses["loss"].backward()
    assert all(p.grad is not None for p in model.parameters())
    probs = model.predict(img)
    torch.testing.assert_close(probs.sum(dim=1), torch.ones(2))


def test_extract_feat_stages(img):
    model = build_model(lenet_cfg())
    assert model.extract_feat(img, stage="backbone")[0].shape == (2, 120, 1, 1)
    neck_out = model.extract_feat(img)  # a tuple, like the backbone's
    assert isinstance(neck_out, tuple) and neck_out[0].shape == (2, 120)
    assert model.extract_feat(img, stage="pre_logits").shape == (2, 120)
    with pytest.raises(ValueError, match="stage must be one of"):
        model.extract_feat(img, stage="head")


@pytest.mark.parametrize(
    "augments",
    [
        {"type": "Mixup", "alpha": 0.2, "num_classes": 10, "prob": 1.0},
        {"type": "CutMix", "alpha": 1.0, "num_classes": 10, "prob": 1.0},
        [
            {"type": "BatchMixup", "alpha": 0.8, "num_classes": 10, "prob": 0.5},
            {"type": "BatchCutMix", "alpha": 1.0, "num_classes": 10, "prob": 0.5},
        ],
    ],
)
def test_batch_augments_give_soft_labels_and_a_finite_loss(img, augments):
    model = build_model(lenet_cfg(train_cfg={"augments": augments}))
    seen: list[torch.Tensor] = []
    head_loss = model.head.loss
    model.head.loss = lambda feats, label, **kw: seen.append(label) or head_loss(feats, label, **kw)
    losses = model.loss(img, torch.tensor([3, 7]))
    assert torch.isfinite(losses["loss"])
    losses["loss"].backward()
    assert seen[0].shape == (2, 10) and seen[0].dtype == torch.float32
    torch.testing.assert_close(seen[0].sum(dim=1), torch.ones(2))


def test_train_cfg_mistakes():
    with pytest.raises(ConfigError, match="unknown key"):
        build_model(lenet_cfg(train_cfg={"augment": {}}))
    with pytest.raises(ConfigError, match="num_classes=5 but the head has 10"):
        build_model(lenet_cfg(train_cfg={"augments": {"type": "Mixup", "alpha": 1.0, "num_classes": 5}}))
    with pytest.raises(ConfigError, match=r"model\.train_cfg\.augments: unknown batch_augment 'MixUp'"):
        build_model(lenet_cfg(train_cfg={"augments": {"type": "MixUp", "alpha": 1.0, "num_classes": 10}}))
    head = {"type": "LinearClsHead", "num_classes": 10, "cal_acc": True}
    mixup = {"type": "Mixup", "alpha": 1.0, "num_classes": 10}
    with pytest.raises(ConfigError, match="cal_acc"):
        build_model(lenet_cfg(head=head, train_cfg={"augments": mixup}))


def test_errors_name_the_part():
    with pytest.raises(ComponentError, match=r"^model\.backbone: unknown backbone 'LeNet'"):
        build_model(lenet_cfg(backbone={"type": "LeNet"}))
    with pytest.raises(ComponentError, match=r"^model\.head: unknown head 'LinearHead'"):
        build_model(lenet_cfg(head={"type": "LinearHead", "num_classes": 3}))
    with pytest.raises(ComponentError, match=r"model\.head: .*num_classes=0"):
        build_model(lenet_cfg(head={"type": "LinearClsHead", "num_classes": 0}))
    with pytest.raises(ConfigError, match="model: expected a mapping"):
        build_model(["not", "a", "mapping"])


def test_defaults_and_prebuilt_parts(img):
    cfg = lenet_cfg(head={"type": "LinearClsHead", "num_classes": 4, "in_channels": 120})
    del cfg["type"]
    assert isinstance(build_model(cfg), ImageClassifier)  # type defaults to ImageClassifier
    model = ImageClassifier(LeNet5(), GlobalAveragePooling(), LinearClsHead(4, 120))
    assert model(img).shape == (2, 4)


def test_backbone_without_out_channels_needs_in_channels(img):
    class Tiny(nn.Module):
        def forward(self, x):
            return (x,)

    with pytest.raises(ComponentError, match="needs in_channels"):
        ImageClassifier(Tiny(), GlobalAveragePooling(), {"type": "LinearClsHead", "num_classes": 3})
    model = ImageClassifier(
        Tiny(), GlobalAveragePooling(), {"type": "LinearClsHead", "num_classes": 3, "in_channels": 3}
    )
    assert model(img).shape == (2, 3)


def test_head_without_in_channels_parameter_is_left_alone(img):
    model = build_model({"backbone": {"type": "LeNet5", "num_classes": 6}, "head": {"type": "ClsHead"}})
    assert model(img).shape == (2, 6)
    assert model.num_classes is None


def test_multi_label_model(img):
    model = build_model(lenet_cfg(head={"type": "MultiLabelLinearClsHead", "num_classes": 5}))
    assert model.multi_label is True and model.num_classes == 5
    scores = model.predict(img)
    torch.testing.assert_close(scores, torch.sigmoid(model(img)))
    assert torch.isfinite(model.loss(img, torch.tensor([[1, 0, 0, 1, 0], [0, 1, -1, 0, 0]]))["loss"])


def test_model_without_head(img):
    model = build_model({"backbone": {"type": "LeNet5"}, "neck": {"type": "GlobalAveragePooling"}})
    assert model(img)[0].shape == (2, 120)
    with pytest.raises(ValueError, match="no head"):
        model.loss(img, torch.tensor([0, 1]))


def _count_reads(monkeypatch) -> list:
    import clscore.layers._pretrained as pretrained

    reads: list = []
    real = pretrained.read_checkpoint

    def read_checkpoint(filename, map_location="cpu"):
        reads.append(str(filename))
        return real(filename, map_location)

    monkeypatch.setattr(pretrained, "read_checkpoint", read_checkpoint)
    return reads


def _assert_same_weights(model: nn.Module, source: nn.Module) -> None:
    expected = source.state_dict()
    for key, value in model.state_dict().items():
        torch.testing.assert_close(value, expected[key], msg=key)


def test_pretrained_init_cfg_loads_each_file_once(monkeypatch, tmp_path):
    source = build_model(lenet_cfg(head={"type": "LinearClsHead", "num_classes": 10, "init_cfg": None}))
    whole, part = str(tmp_path / "w.pth"), str(tmp_path / "b.pth")
    torch.save({"state_dict": source.state_dict()}, whole)
    torch.save(source.backbone.state_dict(), part)
    reads = _count_reads(monkeypatch)
    model = build_model(lenet_cfg(init_cfg={"type": "Pretrained", "checkpoint": whole}))
    backbone_cfg = {"type": "LeNet5", "init_cfg": {"type": "Pretrained", "checkpoint": part}}
    backbone = build_model(lenet_cfg(backbone=backbone_cfg)).backbone
    with pytest.warns(DeprecationWarning, match="pretrained"):
        old = ImageClassifier({"type": "LeNet5"}, pretrained=whole)
    assert reads == [whole, part, whole]
    _assert_same_weights(model, source)
    _assert_same_weights(backbone, source.backbone)
    _assert_same_weights(old.backbone, source.backbone)


def test_init_cfg_types():
    model = build_model(
        lenet_cfg(init_cfg=[{"type": "Constant", "layer": "Conv2d", "val": 0.5, "bias": 1.0}])
    )
    conv = model.backbone.features[0]
    assert torch.all(conv.weight == 0.5) and torch.all(conv.bias == 1.0)
    with pytest.raises(ComponentError, match="unknown init_cfg type 'Gaussian'"):
        build_model(lenet_cfg(init_cfg={"type": "Gaussian", "layer": "Linear"}))
    with pytest.raises(ComponentError, match="needs a 'layer' key"):
        build_model(lenet_cfg(init_cfg={"type": "Normal", "std": 0.1}))
