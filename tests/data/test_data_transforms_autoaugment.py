"""AutoAugment and RandAugment: MMClassification's policy lists, and torchvision's by name."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest
import torch

from clscore.config import Config, validate
from clscore.data.transforms.autoaugment import AutoAugment, RandAugment
from clscore.errors import ComponentError
from clscore.plugins import build

#: MMClassification's ``rand_increasing_policies`` (RandAugment's op list of the RSB recipes).
RAND_INCREASING = [
    {"type": "AutoContrast"},
    {"type": "Equalize"},
    {"type": "Invert"},
    {"type": "Rotate", "magnitude_key": "angle", "magnitude_range": [0, 30]},
    {"type": "Posterize", "magnitude_key": "bits", "magnitude_range": [4, 0]},
    {"type": "Solarize", "magnitude_key": "thr", "magnitude_range": [256, 0]},
    {"type": "SolarizeAdd", "magnitude_key": "magnitude", "magnitude_range": [0, 110]},
    {"type": "ColorTransform", "magnitude_key": "magnitude", "magnitude_range": [0, 0.9]},
    {"type": "Contrast", "magnitude_key": "magnitude", "magnitude_range": [0, 0.9]},
    {"type": "Brightness", "magnitude_key": "magnitude", "magnitude_range": [0, 0.9]},
    {"type": "Sharpness", "magnitude_key": "magnitude", "magnitude_range": [0, 0.9]},
    {"type": "Shear", "magnitude_key": "magnitude", "magnitude_range": [0, 0.3], "direction": "horizontal"},
    {"type": "Shear", "magnitude_key": "magnitude", "magnitude_range": [0, 0.3], "direction": "vertical"},
    {
        "type": "Translate",
        "magnitude_key": "magnitude",
        "magnitude_range": [0, 0.45],
        "direction": "horizontal",
    },
    {
        "type": "Translate",
        "magnitude_key": "magnitude",
        "magnitude_range": [0, 0.45],
        "direction": "vertical",
    },
]
RSB_RAND_AUGMENT = {
    "type": "RandAugment",
    "policies": RAND_INCREASING,
    "num_policies": 2,
    "total_level": 10,
    "magnitude_level": 7,
    "magnitude_std": 0.5,
    "hparams": {"pad_val": [124, 116, 104], "interpolation": "bicubic"},
}


def ops_of(ra: RandAugment, level: float) -> list:
    return [p.op(level, float(ra.total_level)) for p in ra._policies]


# -- torchvision's policies, by name -------------------------------------------------------------
@pytest.mark.parametrize(("h", "w"), [(1, 1), (3, 2000), (2000, 3), (64, 48)])
def test_policies_take_odd_inputs(sample, h, w):
    torch.manual_seed(0)
    listed = build("transform", RSB_RAND_AUGMENT)
    for transform in (AutoAugment(), RandAugment(), RandAugment(magnitude_std="inf"), listed):
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


def test_named_rand_augment_uses_torchvision_bins():
    ra = RandAugment(num_policies=2, magnitude_level=9, total_level=30)
    assert ra._op.num_magnitude_bins == 31 and ra._op.magnitude == 9


def test_unknown_names_and_float_inputs_are_refused(sample):
    with pytest.raises(ComponentError, match="'imagenet', 'cifar10', 'svhn' or a list"):
        build("transform", {"type": "AutoAugment", "policies": "imagenett"})
    s = sample(8, 8)
    s["img"] = s["img"].float()
    with pytest.raises(ValueError, match="before Normalize"):
        AutoAugment()(s)


def test_hparams_pad_val_becomes_fill():
    aa = AutoAugment(hparams={"pad_val": [104, 116, 124], "interpolation": "bilinear"})
    assert aa.interpolation == "bilinear"
    assert AutoAugment(policies="cifar10").policies == "cifar10"


# -- MMClassification's policy lists ---------------------------------------------------------------
def test_auto_augment_applies_one_sub_policy_in_order(sample):
    policies = [
        [{"type": "Invert", "prob": 1.0}, {"type": "Posterize", "bits": 4, "prob": 1.0}],
        [{"type": "Solarize", "thr": 0, "prob": 1.0}, {"type": "Solarize", "thr": 0, "prob": 1.0}],
    ]
    aa = build("transform", {"type": "AutoAugment", "policies": policies})
    img = sample(9, 9)["img"]
    first = (255 - img) & 0xF0  # invert, then posterize: order matters
    seen = set()
    torch.manual_seed(0)
    for _ in range(40):
        out = aa({"img": img.clone()})["img"]
        assert torch.equal(out, first) or torch.equal(out, img)  # solarize twice at thr 0 is the identity
        seen.add(torch.equal(out, first))
    assert seen == {True, False}


def test_hparams_fill_only_the_ops_that_take_them_and_leave_set_values():
    aa = AutoAugment(
        policies=[
            [
                {"type": "Rotate", "angle": 30.0},
                {"type": "Invert"},
                {"type": "Translate", "magnitude": 0.1, "pad_val": 5},
            ]
        ],
        hparams={"pad_val": [1, 2, 3], "interpolation": "bicubic", "unused": 1},
    )
    rotate, invert, translate = aa._sub_policies[0]
    assert rotate.pad_val == (1, 2, 3) and rotate.interpolation == "bicubic"
    assert not hasattr(invert, "pad_val")
    assert translate.pad_val == (5, 5, 5) and translate.interpolation == "bicubic"
    default = AutoAugment(policies=[[{"type": "Shear", "magnitude": 0.1}]])
    assert default._sub_policies[0][0].pad_val == (128, 128, 128)  # MMClassification's default hparams


def test_magnitude_maps_the_level_onto_the_range():
    ra = RandAugment(policies=RAND_INCREASING, num_policies=1, magnitude_level=5, total_level=10)
    ops = {type(op).__name__ + getattr(op, "direction", ""): op for op in ops_of(ra, 5.0)}
    assert ops["Rotate"].angle == 15.0
    assert ops["Posterize"].bits == 2  # (4, 0) at half way
    assert ops["Solarize"].thr == 128.0  # (256, 0): the range may run downwards
    assert ops["SolarizeAdd"].magnitude == 55.0
    assert ops["Sharpness"].magnitude == pytest.approx(0.45)
    assert ops["Shearvertical"].magnitude == pytest.approx(0.15)
    assert ops["Translatehorizontal"].magnitude == pytest.approx(0.225)
    assert ops_of(ra, 10.0)[4].bits == 0 and ops_of(ra, 0.0)[5].thr == 256.0


def test_level_draws_follow_magnitude_std():
    fixed = RandAugment(policies=RAND_INCREASING, magnitude_level=7, total_level=10)
    assert {fixed.level() for _ in range(5)} == {7.0}
    torch.manual_seed(0)
    normal = RandAugment(policies=RAND_INCREASING, magnitude_level=9, magnitude_std=2, total_level=10)
    levels = [normal.level() for _ in range(2000)]
    assert min(levels) >= 0 and max(levels) == 10.0  # clipped to total_level
    assert levels.count(10.0) > 500  # P(N(9, 2) > 10) = 0.31
    assert statistics.median(levels) == pytest.approx(9, abs=0.15)
    uniform = RandAugment(policies=RAND_INCREASING, magnitude_level=6, magnitude_std="inf", total_level=10)
    levels = [uniform.level() for _ in range(2000)]
    assert 0 <= min(levels) < 0.1 and 5.9 < max(levels) <= 6  # uniform in [0, magnitude_level]
    assert statistics.mean(levels) == pytest.approx(3, abs=0.15)


def test_ops_are_drawn_with_replacement_and_each_keeps_its_prob(sample):
    add = {"type": "SolarizeAdd", "magnitude": 10, "thr": 256, "prob": 1.0}
    ra = RandAugment(policies=[add], num_policies=3, magnitude_level=0)
    img = torch.full((3, 4, 4), 100, dtype=torch.uint8)
    assert ra({"img": img.clone()})["img"].unique().tolist() == [130]  # the single op, three times
    never = RandAugment(policies=[{**add, "prob": 0.0}], num_policies=3, magnitude_level=0)
    assert torch.equal(never({"img": img.clone()})["img"], img)
    assert torch.equal(RandAugment(policies=[add], num_policies=0)({"img": img.clone()})["img"], img)


def test_each_op_of_a_draw_gets_its_own_level():
    ra = RandAugment(
        policies=[
            {
                "type": "SolarizeAdd",
                "prob": 1.0,
                "thr": 256,
                "magnitude_key": "magnitude",
                "magnitude_range": [0, 10],
            }
        ],
        num_policies=2,
        magnitude_level=5,
        magnitude_std="inf",
        total_level=10,
    )
    torch.manual_seed(3)
    totals = {ra({"img": torch.zeros(3, 1, 1, dtype=torch.uint8)})["img"][0, 0, 0].item() for _ in range(60)}
    assert len(totals) > 5 and max(totals) <= 10


def test_policy_mistakes_name_the_policy():
    with pytest.raises(ComponentError, match=r"policies\[1\]: magnitude_key and magnitude_range go together"):
        build(
            "transform",
            {
                "type": "RandAugment",
                "policies": [{"type": "Invert"}, {"type": "Rotate", "magnitude_key": "angle"}],
            },
        )
    with pytest.raises(ComponentError, match=r"policies\[0\]: unknown transform 'Rotat'"):
        build("transform", {"type": "RandAugment", "policies": [{"type": "Rotat"}]})
    with pytest.raises(ComponentError, match=r"policies\[0\]\[1\].*direction"):
        build(
            "transform",
            {
                "type": "AutoAugment",
                "policies": [[{"type": "Invert"}, {"type": "Shear", "magnitude": 1, "direction": "up"}]],
            },
        )
    with pytest.raises(ComponentError, match=r"policies\[0\] must be a non-empty list"):
        build("transform", {"type": "AutoAugment", "policies": [{"type": "Invert"}]})
    with pytest.raises(ComponentError, match="magnitude_range must be two numbers"):
        build(
            "transform",
            {
                "type": "RandAugment",
                "policies": [{"type": "Rotate", "magnitude_key": "angle", "magnitude_range": 30}],
            },
        )
    with pytest.raises(ComponentError, match="magnitude_std must be a number or 'inf'"):
        build("transform", {"type": "RandAugment", "policies": RAND_INCREASING, "magnitude_std": "wide"})


def test_rsb_style_config_validates_and_its_pipeline_runs(tmp_path: Path, sample):
    cfg_file = tmp_path / "rsb.yaml"
    cfg_file.write_text(
        Path(__file__).with_name("configs").joinpath("rsb_randaugment.yaml").read_text(), encoding="utf-8"
    )
    cfg = Config.fromfile(cfg_file)
    validate(cfg)
    step = cfg.data.train.pipeline[2]
    assert step["type"] == "RandAugment" and len(step["policies"]) == 15
    ra = build("transform", step)
    torch.manual_seed(0)
    changed = sum(
        not torch.equal(ra(sample(40, 40, seed=i))["img"], sample(40, 40, seed=i)["img"]) for i in range(20)
    )
    assert changed >= 15  # two ops at prob 0.5 each: unchanged about a quarter of the time
