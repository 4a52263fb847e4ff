"""Batch augments: Mixup, CutMix, Identity and the probability-weighted choice among them."""

from __future__ import annotations

import pytest
import torch

from clscore.models.augments import BatchAugments, CutMix, Identity, Mixup
from clscore.plugins import build


def _distinct_batch(n: int = 4, size: int = 16) -> tuple[torch.Tensor, torch.Tensor]:
    """Image i is filled with value i and has class i, so pixels tell where they came from."""
    img = torch.arange(n, dtype=torch.float32).reshape(n, 1, 1, 1).expand(n, 3, size, size).contiguous()
    return img, torch.arange(n)


def test_mixup_mixes_images_and_labels_alike():
    torch.manual_seed(0)
    img, label = _distinct_batch()
    mixed, soft = Mixup(alpha=1.0, num_classes=4)(img, label)
    assert mixed.shape == img.shape and soft.shape == (4, 4)
    torch.testing.assert_close(soft.sum(dim=1), torch.ones(4))
    # each pixel value is the label-weighted mean of the source values
    torch.testing.assert_close(mixed[:, 0, 0, 0], soft @ torch.arange(4.0))


def test_mixup_is_reproducible_with_the_torch_seed():
    img, label = _distinct_batch()
    torch.manual_seed(3)
    first = Mixup(alpha=0.2, num_classes=4)(img, label)
    torch.manual_seed(3)
    second = Mixup(alpha=0.2, num_classes=4)(img, label)
    torch.testing.assert_close(first, second)


@pytest.mark.parametrize("minmax", [None, (0.2, 0.8)])
def test_cutmix_label_mass_equals_pasted_area(minmax):
    torch.manual_seed(1)
    img, label = _distinct_batch()
    original = img.clone()
    for _ in range(5):
        mixed, soft = CutMix(alpha=1.0, num_classes=4, cutmix_minmax=minmax)(img, label)
        torch.testing.assert_close(img, original)  # the input batch is untouched
        for i in range(4):
            fractions = torch.stack([(mixed[i, 0] == j).float().mean() for j in range(4)])
            torch.testing.assert_close(soft[i], fractions)


def test_cutmix_validation():
    with pytest.raises(ValueError, match="cutmix_minmax"):
        CutMix(alpha=1.0, num_classes=4, cutmix_minmax=[0.8, 0.2])
    with pytest.raises(ValueError, match="alpha"):
        CutMix(alpha=0, num_classes=4)
    with pytest.raises(ValueError, match="num_classes"):
        Mixup(alpha=1.0, num_classes=0)
    with pytest.raises(ValueError, match="prob"):
        Mixup(alpha=1.0, num_classes=3, prob=1.5)
    with pytest.raises(ValueError, match="out of range"):
        Mixup(alpha=1.0, num_classes=3)(torch.zeros(2, 3, 8, 8), torch.tensor([0, 7]))


def test_identity_makes_one_hot():
    img, label = _distinct_batch()
    out, soft = Identity(num_classes=4)(img, label)
    assert out is img
    torch.testing.assert_close(soft, torch.eye(4))


def test_batch_augments_choice_by_probability():
    augments = BatchAugments(
        [
            {"type": "Mixup", "alpha": 0.2, "num_classes": 4, "prob": 0.5},
            {"type": "BatchCutMix", "alpha": 1.0, "num_classes": 4, "prob": 0.25},
        ]
    )
    assert [type(a).__name__ for a in augments.augments] == ["Mixup", "CutMix", "Identity"]
    assert augments.probs == pytest.approx([0.5, 0.25, 0.25])
    calls: list[int] = []
    augments.augments = [lambda img, lbl, i=i: calls.append(i) or (img, lbl) for i in range(3)]
    torch.manual_seed(0)
    img, label = _distinct_batch()
    for _ in range(400):
        augments(img, label)
    share = [calls.count(i) / 400 for i in range(3)]
    assert share == pytest.approx([0.5, 0.25, 0.25], abs=0.08)


def test_batch_augments_validation():
    with pytest.raises(ValueError, match=r"add up to 1\.5"):
        BatchAugments(
            [
                {"type": "Mixup", "alpha": 0.2, "num_classes": 4, "prob": 1.0},
                {"type": "CutMix", "alpha": 1.0, "num_classes": 4, "prob": 0.5},
            ]
        )
    with pytest.raises(ValueError, match="disagree on num_classes"):
        BatchAugments([Mixup(1.0, 4, prob=0.5), CutMix(1.0, 5, prob=0.5)])
    single = BatchAugments(build("batch_augment", {"type": "Mixup", "alpha": 1.0, "num_classes": 3}))
    assert len(single.augments) == 1  # prob 1: no identity share
