"""SeesawLoss against the paper's formula worked out by hand on a 3-class example."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from clscore.errors import ComponentError
from clscore.models.losses import SeesawLoss
from clscore.plugins import build

LOGITS = [[2.0, 1.0, 0.5], [0.2, 0.3, 1.5], [1.0, 2.5, -1.0], [0.0, 0.0, 0.0]]


def seesaw_by_hand(logits, labels, counts, p=0.8, q=2.0, eps=1e-2):
    """-log( e^{z_i} / (e^{z_i} + sum_{j != i} M_ij C_ij e^{z_j}) ) per sample (paper, eq. 2-4)."""
    counts = [max(c, 1) for c in counts]
    losses = []
    for z, i in zip(logits, labels):
        total = sum(math.exp(v) for v in z)
        sigma = [math.exp(v) / total for v in z]
        denom = math.exp(z[i])
        for j, zj in enumerate(z):
            if j == i:
                continue
            mitigation = (counts[j] / counts[i]) ** p if counts[j] < counts[i] else 1.0
            ratio = sigma[j] / max(sigma[i], eps)
            compensation = ratio**q if ratio > 1 else 1.0
            denom += mitigation * compensation * math.exp(zj)
        losses.append(-math.log(math.exp(z[i]) / denom))
    return losses


def test_factors_by_hand_on_one_sample():
    # Counts after the batch below: class 0 seen 3 times, class 1 once, class 2 never (counted as 1).
    # Sample 0 (class 0, logits 2, 1, 0.5): M_01 = M_02 = (1/3)^0.8; it is scored highest, so C = 1.
    # Its loss is -log(e^2 / (e^2 + (1/3)^0.8 (e^1 + e^0.5))).
    loss = SeesawLoss(num_classes=3, reduction="none")
    labels = torch.tensor([0, 2, 0, 0])
    got = loss(torch.tensor(LOGITS), labels)
    m = (1 / 3) ** 0.8
    assert got[0].item() == pytest.approx(
        -math.log(math.exp(2) / (math.exp(2) + m * (math.e + math.exp(0.5))))
    )
    # Sample 1 is class 2 (count clamped to 1 < 3): no mitigation on classes 0 and 1, and its own score is
    # the highest, so no compensation: plain cross-entropy.
    assert got[1].item() == pytest.approx(
        F.cross_entropy(torch.tensor([LOGITS[1]]), torch.tensor([2])).item()
    )
    # Sample 2 (class 0, logits 1, 2.5, -1): class 1 outscores class 0, so C_01 = (sigma_1/sigma_0)^2 = e^3.
    z = LOGITS[2]
    expected = -math.log(
        math.exp(z[0]) / (math.exp(z[0]) + m * math.exp(3) * math.exp(z[1]) + m * math.exp(z[2]))
    )
    assert got[2].item() == pytest.approx(expected, rel=1e-5)
    assert loss.cum_samples.tolist() == [3.0, 0.0, 1.0]


def test_counts_accumulate_over_calls_and_mean_reduction():
    loss = SeesawLoss(num_classes=3)
    first = torch.tensor([0, 0, 0, 1])
    loss(torch.tensor(LOGITS), first)
    second = torch.tensor([1, 2, 1, 0])
    got = loss(torch.tensor(LOGITS), second)
    counts = [4, 3, 1]  # both batches
    assert loss.cum_samples.tolist() == counts
    expected = seesaw_by_hand(LOGITS, second.tolist(), counts)
    assert got.item() == pytest.approx(sum(expected) / 4, rel=1e-5)
    assert "cum_samples" in loss.state_dict()


def test_p_and_q_of_zero_give_plain_cross_entropy_and_loss_weight_scales():
    logits, labels = torch.tensor(LOGITS), torch.tensor([0, 1, 2, 1])
    plain = SeesawLoss(num_classes=3, p=0.0, q=0.0, loss_weight=2.0)(logits, labels)
    assert plain.item() == pytest.approx(2.0 * F.cross_entropy(logits, labels).item(), rel=1e-6)
    only_q = SeesawLoss(num_classes=3, p=0.0, q=1.5, reduction="sum")(logits, labels)
    assert only_q.item() == pytest.approx(sum(seesaw_by_hand(LOGITS, [0, 1, 2, 1], [1, 1, 1], p=0.0, q=1.5)))


def test_sample_weights_avg_factor_and_gradients():
    logits = torch.tensor(LOGITS, requires_grad=True)
    labels = torch.tensor([1, 1, 1, 0])
    loss = SeesawLoss(num_classes=3)
    got = loss(logits, labels, weight=torch.tensor([1.0, 0.0, 0.5, 2.0]), avg_factor=4)
    per_sample = seesaw_by_hand(LOGITS, labels.tolist(), [1, 3, 0])
    assert got.item() == pytest.approx(
        (per_sample[0] + 0.5 * per_sample[2] + 2 * per_sample[3]) / 4, rel=1e-5
    )
    got.backward()
    assert logits.grad is not None and torch.isfinite(logits.grad).all()


def test_registered_with_mmcls_defaults(clscore_host):
    loss = build("loss", {"type": "SeesawLoss"})
    assert (loss.p, loss.q, loss.num_classes, loss.eps, loss.reduction, loss.loss_weight) == (
        0.8,
        2.0,
        1000,
        1e-2,
        "mean",
        1.0,
    )
    assert loss.cum_samples.shape == (1000,)
    with pytest.raises(ComponentError, match="softmax only"):
        build("loss", {"type": "SeesawLoss", "use_sigmoid": True})


def test_mistakes_are_explained():
    loss = SeesawLoss(num_classes=4)
    with pytest.raises(ValueError, match="num_classes=4 but the scores have 3"):
        loss(torch.tensor(LOGITS), torch.tensor([0, 1, 2, 0]))
    loss3 = SeesawLoss(num_classes=3)
    with pytest.raises(ValueError, match="Mixup/CutMix"):
        loss3(torch.tensor(LOGITS), torch.full((4, 3), 1 / 3))
    with pytest.raises(ValueError, match="out of range"):
        loss3(torch.tensor(LOGITS), torch.tensor([0, 1, 3, 0]))
    assert loss3.cum_samples.sum().item() == 0  # nothing counted from rejected batches
