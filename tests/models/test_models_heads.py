"""Heads: logits, losses, scores, pre-logits, initialisation."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from clscore.errors import ComponentError
from clscore.models.heads import (
    ClsHead,
    LinearClsHead,
    MultiLabelClsHead,
    MultiLabelLinearClsHead,
    StackedLinearClsHead,
    VisionTransformerClsHead,
)
from clscore.plugins import build


@pytest.mark.parametrize("as_tuple", [False, True])
def test_cls_head(as_tuple):
    feats = torch.randn(4, 10)
    inputs = (feats,) if as_tuple else feats
    label = torch.randint(0, 10, (4,))
    head = ClsHead()
    losses = head.loss(inputs, label)
    assert set(losses) == {"loss"} and losses["loss"] > 0
    assert losses["loss"].item() == pytest.approx(float(F.cross_entropy(feats, label)))
    half = head.loss(inputs, label, weight=torch.full((4,), 0.5))["loss"]
    assert half.item() == pytest.approx(losses["loss"].item() / 2)
    torch.testing.assert_close(head.predict(inputs), feats.softmax(dim=1))
    assert head.pre_logits(inputs) is feats
    assert head.num_classes is None and head.multi_label is False


def test_cls_head_training_accuracy():
    feats = torch.tensor([[0.1, 0.2, 0.4], [0.2, 0.5, 0.3], [0.4, 0.3, 0.1], [0.8, 0.9, 0.0]])
    label = torch.tensor([2, 0, 0, 0])
    losses = ClsHead(cal_acc=True, topk=(1, 2, 5)).loss(feats, label)
    assert set(losses) == {"loss", "accuracy_top-1", "accuracy_top-2", "accuracy_top-5"}
    assert float(losses["accuracy_top-1"]) == pytest.approx(50.0)
    assert float(losses["accuracy_top-2"]) == pytest.approx(75.0)
    assert float(losses["accuracy_top-5"]) == pytest.approx(100.0)  # clipped to 3 classes
    with pytest.raises(ValueError, match="batch augmentation"):
        ClsHead(cal_acc=True).loss(feats, label.new_zeros(4, 3).float())
    with pytest.raises(ValueError, match="topk"):
        ClsHead(topk=0)


def test_linear_head():
    head = LinearClsHead(num_classes=5, in_channels=10)
    feats = (torch.randn(4, 3), torch.randn(4, 10))
    assert head.pre_logits(feats) is feats[1]
    assert head(feats).shape == (4, 5)
    assert head.num_classes == 5
    torch.testing.assert_close(head.predict(feats).sum(dim=1), torch.ones(4))
    assert head.loss(feats, torch.randint(0, 5, (4,)))["loss"] > 0
    assert set(head.state_dict()) == {"fc.weight", "fc.bias"}


def test_linear_head_init_is_normal_0_01():
    head = LinearClsHead(num_classes=1000, in_channels=512)
    assert float(head.fc.weight.detach().std()) == pytest.approx(0.01, rel=0.05)
    assert float(head.fc.weight.detach().mean()) == pytest.approx(0.0, abs=1e-3)
    assert torch.count_nonzero(head.fc.bias) == 0
    zero = LinearClsHead(
        num_classes=3, in_channels=4, init_cfg={"type": "Constant", "layer": "Linear", "val": 0}
    )
    assert torch.count_nonzero(zero.fc.weight) == 0


def test_linear_head_errors():
    with pytest.raises(ValueError, match="num_classes=-5 must be a positive integer"):
        LinearClsHead(in_channels=10, num_classes=-5)
    with pytest.raises(ComponentError, match="num_classes=0 must be"):
        build("head", {"type": "LinearClsHead", "num_classes": 0, "in_channels": 4})
    with pytest.raises(ValueError, match="needs in_channels"):
        LinearClsHead(num_classes=3)
    with pytest.raises(ValueError, match="GlobalAveragePooling"):
        LinearClsHead(num_classes=3, in_channels=4)(torch.randn(2, 4, 7, 7))


def test_head_with_a_configured_loss():
    head = build(
        "head",
        {
            "type": "LinearClsHead",
            "num_classes": 2,
            "in_channels": 2,
            "loss": {"type": "LabelSmoothLoss", "label_smooth_val": 0.1},
        },
    )
    with torch.no_grad():
        head.fc.weight.copy_(torch.eye(2))
        head.fc.bias.zero_()
    loss = head.loss(torch.tensor([[1.0, -1.0]]), torch.tensor([0]))["loss"]
    assert loss.item() == pytest.approx(0.2269, abs=1e-4)


def test_stacked_linear_head():
    head = StackedLinearClsHead(
        num_classes=3, in_channels=8, mid_channels=[16, 12], dropout_rate=0.1, norm_cfg={"type": "BN1d"}
    )
    feats = torch.randn(4, 8)
    assert head.pre_logits(feats).shape == (4, 12)
    assert head(feats).shape == (4, 3)
    assert len(head.layers) == 3
    keys = set(head.state_dict())
    assert {"layers.0.fc.weight", "layers.0.norm.weight", "layers.2.fc.weight"} <= keys
    assert "layers.2.norm.weight" not in keys  # the classifier layer has no norm
    plain = StackedLinearClsHead(num_classes=3, in_channels=8, mid_channels=[4], act_cfg=None)
    assert plain.layers[0].act is None
    with pytest.raises(ValueError, match="mid_channels"):
        StackedLinearClsHead(num_classes=3, in_channels=8, mid_channels=4)


def test_multi_label_heads():
    feats = torch.randn(4, 6)
    label = torch.tensor([[1, 0, -1, 0, 0, 1]] * 4)
    head = MultiLabelClsHead()
    assert head.multi_label is True
    torch.testing.assert_close(head.predict(feats), feats.sigmoid())
    expected = F.binary_cross_entropy_with_logits(feats, label.abs().float(), reduction="sum") / 4
    assert head.loss(feats, label)["loss"].item() == pytest.approx(float(expected))
    linear = MultiLabelLinearClsHead(num_classes=3, in_channels=6)
    scores = linear.predict(feats)
    assert scores.shape == (4, 3) and ((scores > 0) & (scores < 1)).all()
    assert linear.loss(feats, torch.tensor([0, 1, 2, 0]))["loss"] > 0  # class indices accepted
    assert linear.num_classes == 3 and linear.multi_label


def test_vit_head():
    head = VisionTransformerClsHead(num_classes=5, in_channels=8)
    cls_token = torch.randn(2, 8)
    assert torch.count_nonzero(head(cls_token)) == 0  # the head layer starts at zero
    patch_tokens = torch.randn(2, 8, 4, 4)
    assert head.pre_logits(((patch_tokens, cls_token),)) is cls_token
    hidden = VisionTransformerClsHead(num_classes=5, in_channels=8, hidden_dim=16)
    assert hidden.pre_logits(cls_token).shape == (2, 16)
    assert hidden.pre_logits(cls_token).abs().max() <= 1  # tanh
    assert set(hidden.state_dict()) == {
        "layers.pre_logits.weight",
        "layers.pre_logits.bias",
        "layers.head.weight",
        "layers.head.bias",
    }
    assert float(hidden.layers.pre_logits.weight.detach().std()) == pytest.approx((1 / 8) ** 0.5, rel=0.3)
