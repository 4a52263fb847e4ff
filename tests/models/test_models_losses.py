"""Losses against MMClassification's test vectors (mmcls-semantics.md §2.5)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from clscore.errors import ComponentError
from clscore.models.losses import AsymmetricLoss, CrossEntropyLoss, FocalLoss, LabelSmoothLoss
from clscore.models.losses.utils import weight_reduce_loss
from clscore.plugins import build

SCORE = torch.tensor([[-1000.0, 1000.0], [100.0, -100.0]])
LABEL = torch.tensor([0, 1])
WEIGHT = torch.tensor([0.6, 0.4])

SIG_SCORE = torch.tensor([[-200.0, 100.0], [500.0, -1000.0], [300.0, -300.0]])
SIG_LABEL = torch.tensor([[1, 0], [0, 1], [1, 0]])
SIG_WEIGHT = torch.tensor([0.6, 0.4, 0.5])


@pytest.mark.parametrize("use_soft", [False, True])
def test_cross_entropy_reference_vectors(use_soft):
    loss = CrossEntropyLoss(use_soft=use_soft)
    assert loss(SCORE, LABEL) == pytest.approx(1100.0)
    assert loss(SCORE, LABEL, weight=WEIGHT) == pytest.approx(640.0)
    weighted = CrossEntropyLoss(use_soft=use_soft, class_weight=[0.3, 0.7])
    assert weighted(SCORE, LABEL) == pytest.approx(370.0)
    assert weighted(SCORE, LABEL, weight=WEIGHT) == pytest.approx(208.0)


def test_cross_entropy_through_the_registry_gives_370():
    loss = build("loss", {"type": "CrossEntropyLoss", "class_weight": [0.3, 0.7]})
    assert loss(SCORE, LABEL) == pytest.approx(370.0)
    # torch renormalises by the class weights; MMClassification (and we) do not
    assert F.cross_entropy(SCORE, LABEL, weight=torch.tensor([0.3, 0.7])) == pytest.approx(740.0)


def test_soft_labels_take_the_soft_path_without_a_flag():
    one_hot = F.one_hot(LABEL, 2).float()
    loss = CrossEntropyLoss(class_weight=[0.3, 0.7])
    assert loss(SCORE, one_hot, weight=WEIGHT) == pytest.approx(208.0)
    # a mix of two labels is the same mix of their losses
    score = torch.randn(4, 5)
    a, b = torch.tensor([0, 1, 2, 3]), torch.tensor([4, 3, 2, 1])
    mixed = 0.3 * F.one_hot(a, 5).float() + 0.7 * F.one_hot(b, 5).float()
    plain = CrossEntropyLoss(reduction="none")
    expected = 0.3 * plain(score, a) + 0.7 * plain(score, b)
    torch.testing.assert_close(plain(score, mixed), expected)


def test_sigmoid_cross_entropy_reference_vectors():
    assert CrossEntropyLoss(use_sigmoid=True)(SIG_SCORE, SIG_LABEL) == pytest.approx(300.0)
    assert CrossEntropyLoss(use_sigmoid=True)(SIG_SCORE, SIG_LABEL, weight=SIG_WEIGHT) == pytest.approx(130.0)
    weighted = CrossEntropyLoss(use_sigmoid=True, class_weight=[0.1, 0.9])
    assert weighted(SIG_SCORE, SIG_LABEL) == pytest.approx(176.667, abs=1e-3)
    assert weighted(SIG_SCORE, SIG_LABEL, weight=SIG_WEIGHT) == pytest.approx(74.333, abs=1e-3)
    pos = CrossEntropyLoss(use_sigmoid=True, pos_weight=[0.1, 0.2])
    assert pos(SIG_SCORE, SIG_LABEL) == pytest.approx(136.6667, abs=1e-4)


def test_sigmoid_accepts_class_indices():
    loss = CrossEntropyLoss(use_sigmoid=True)
    assert loss(SIG_SCORE, torch.tensor([0, 1, 0])) == pytest.approx(300.0)


def test_reductions_and_avg_factor():
    loss = CrossEntropyLoss()
    per_sample = loss(SCORE, LABEL, reduction_override="none")
    torch.testing.assert_close(per_sample, torch.tensor([2000.0, 200.0]))
    assert loss(SCORE, LABEL, reduction_override="sum") == pytest.approx(2200.0)
    assert loss(SCORE, LABEL, avg_factor=4) == pytest.approx(550.0)
    with pytest.raises(ValueError, match="avg_factor"):
        loss(SCORE, LABEL, avg_factor=2, reduction_override="sum")
    with pytest.raises(ValueError, match="reduction"):
        CrossEntropyLoss(reduction="avg")
    assert CrossEntropyLoss(loss_weight=0.5)(SCORE, LABEL) == pytest.approx(550.0)


def test_weight_reduce_loss_broadcasts_sample_weights():
    loss = torch.ones(3, 4)
    assert weight_reduce_loss(loss, torch.tensor([1.0, 0.0, 2.0]), "sum") == pytest.approx(12.0)
    assert weight_reduce_loss(loss, None, "mean", avg_factor=3) == pytest.approx(4.0)


def test_cross_entropy_rejects_bad_options():
    with pytest.raises(ValueError, match="use_sigmoid and use_soft"):
        CrossEntropyLoss(use_sigmoid=True, use_soft=True)
    with pytest.raises(ComponentError, match="use_sigmoid and use_soft"):
        build("loss", {"type": "CrossEntropyLoss", "use_sigmoid": True, "use_soft": True})
    with pytest.raises(ValueError, match="pos_weight"):
        CrossEntropyLoss(pos_weight=[1.0, 2.0])
    with pytest.raises(ValueError, match="class_weight has 3 entries"):
        CrossEntropyLoss(class_weight=[1.0, 1.0, 1.0])(SCORE, LABEL)
    with pytest.raises(ValueError, match="out of range"):
        CrossEntropyLoss(use_sigmoid=True)(SIG_SCORE, torch.tensor([0, 5, 1]))


def test_label_smooth_reference_values():
    score, label = torch.tensor([[1.0, -1.0]]), torch.tensor([0])
    assert LabelSmoothLoss(0.1)(score, label) == pytest.approx(0.2269, abs=1e-4)
    assert LabelSmoothLoss(0.1, mode="classy_vision")(score, label) == pytest.approx(0.2178, abs=1e-4)
    expected = F.cross_entropy(score, label, label_smoothing=0.1)
    assert LabelSmoothLoss(0.1)(score, label) == pytest.approx(float(expected))


def test_label_smooth_multi_label_and_soft_labels():
    score = torch.tensor([[1.0, -1.0, 0.5]])
    label = torch.tensor([[1, 0, 1]])
    targets = torch.tensor([[0.9, 0.1, 0.9]])
    expected = F.binary_cross_entropy_with_logits(score, targets, reduction="sum")
    assert LabelSmoothLoss(0.1, mode="multi_label")(score, label) == pytest.approx(float(expected) / 3)
    soft = torch.tensor([[0.25, 0.75, 0.0]])
    smoothed = soft * 0.9 + 0.1 / 3
    expected = -(smoothed * F.log_softmax(score, dim=1)).sum()
    assert LabelSmoothLoss(0.1, num_classes=3)(score, soft) == pytest.approx(float(expected))


def test_label_smooth_validation():
    with pytest.raises(ValueError, match="label_smooth_val"):
        LabelSmoothLoss(1.0)
    with pytest.raises(ValueError, match="mode"):
        LabelSmoothLoss(0.1, mode="timm")
    with pytest.raises(ValueError, match="num_classes=5"):
        LabelSmoothLoss(0.1, num_classes=5)(torch.zeros(2, 3), torch.tensor([0, 1]))


def test_focal_loss_matches_its_formula():
    score = torch.tensor([[2.0, -1.0], [0.5, 0.3]])
    label = torch.tensor([0, 1])
    target = F.one_hot(label, 2).float()
    p = score.sigmoid()
    pt = (1 - p) * target + p * (1 - target)
    weight = (0.25 * target + 0.75 * (1 - target)) * pt.pow(2)
    expected = (F.binary_cross_entropy_with_logits(score, target, reduction="none") * weight).mean()
    assert FocalLoss()(score, label) == pytest.approx(float(expected))
    # gamma 0, alpha 0.5 is half the binary cross-entropy
    bce = F.binary_cross_entropy_with_logits(score, target)
    assert FocalLoss(gamma=0.0, alpha=0.5)(score, label) == pytest.approx(float(bce) / 2)


def test_asymmetric_loss_reduces_to_bce_without_focusing():
    score = torch.tensor([[2.0, -1.0, 0.2], [0.5, 0.3, -3.0]])
    label = torch.tensor([[1, 0, 1], [0, 1, 0]])
    bce = F.binary_cross_entropy_with_logits(score, label.float())
    assert AsymmetricLoss(gamma_neg=0.0, clip=0.0)(score, label) == pytest.approx(float(bce), rel=1e-5)
    # clipping removes easy negatives entirely: p < clip gives zero loss
    easy = AsymmetricLoss(gamma_neg=0.0, clip=0.5)(torch.tensor([[-5.0]]), torch.tensor([[0]]))
    assert easy == pytest.approx(0.0, abs=1e-6)
    assert torch.isfinite(AsymmetricLoss(use_sigmoid=False)(score, label))


def test_losses_take_soft_labels_and_backpropagate():
    score = torch.randn(4, 3, requires_grad=True)
    soft = torch.softmax(torch.randn(4, 3), dim=1)
    for loss in (CrossEntropyLoss(), LabelSmoothLoss(0.1), FocalLoss(), AsymmetricLoss()):
        value = loss(score, soft, avg_factor=4)
        assert torch.isfinite(value)
        value.backward()
        assert score.grad is not None
