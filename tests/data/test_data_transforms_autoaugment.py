"""AutoAugment and RandAugment on torchvision's policies."""

from __future__ import annotations

import pytest
import torch

from clscore.data.transforms.autoaugment import AutoAugment, RandAugment
from clscore.errors import ComponentError
from clscore.plugins import build


@pytest.mark.parametrize(("h", "w"), [(1, 1), (3, 2000), (2000, 3), (64, 48)])
def test_policies_take_odd_inputs(sample, h, w):
    torch.manual_seed(0)
    for transform in (AutoAugment(), RandAugment(), RandAugment(magnitude_std="inf")):
        for _ in range(5):
            out = transform(sample(h, w))
            assert out["img"].shape == (3, h, w) and out["img"].dtype == torch.uint8, transform


def test_auto_augment_is_reproducible_and_changes_images(sample):
    aa = AutoAugment("imagenet")
    torch.manual_seed(5)
    first = [aa(sample(32, 32, seed=i))["img"] for i in range(8)]
    torch.manual_seed(5)
    again = [aa(sample(32, 32, seed=i))["img"] for i in range(8)]
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    assert any(not torch.equal(a, sample(32, 32, seed=i)["img"]) for i, a in enumerate(first))


def test_rand_augment_magnitude_follows_mmcls_scale():
    ra = RandAugment(num_policies=2, magnitude_level=9, total_level=30)
    assert ra._op.num_magnitude_bins == 31 and ra._op.magnitude == 9
    torch.manual_seed(0)
    levels = {RandAugment(magnitude_level=9, magnitude_std=3)._level() for _ in range(50)}
    assert len(levels) > 3 and min(levels) >= 0 and max(levels) <= 30


def test_unsupported_policies_and_inputs_are_refused(sample):
    with pytest.raises(ComponentError, match="lists of MMClassification policy dicts"):
        build("transform", {"type": "AutoAugment", "policies": [[{"type": "Posterize", "bits": 4}]]})
    with pytest.raises(ComponentError, match="policies"):
        build("transform", {"type": "RandAugment", "policies": [{"type": "Invert"}]})
    s = sample(8, 8)
    s["img"] = s["img"].float()
    with pytest.raises(ValueError, match="before Normalize"):
        AutoAugment()(s)


def test_hparams_pad_val_becomes_fill():
    aa = AutoAugment(hparams={"pad_val": [104, 116, 124], "interpolation": "bilinear"})
    assert aa.interpolation == "bilinear"
    assert AutoAugment(policies="cifar10").policies == "cifar10"
