"""The plugin as clscore sees it, checked with clscore's own plugin-testing helpers."""

from __future__ import annotations

import clscore
import pytest
from clscore.errors import ComponentError
from clscore.testing import (
    assert_registered,
    assert_training_lowers_loss,
    isolated_host,
    tiny_config,
    use_host,
)

import clscore_timm.plugin
from clscore_timm import TIMMBackbone
from clscore_timm.plugin import SUMMARY


def test_registered_lazily_with_summary() -> None:
    host = isolated_host(clscore_timm.plugin)
    component = assert_registered(
        host,
        "backbone",
        "TIMMBackbone",
        params=["model_name", "features_only", "checkpoint_path"],
        plugin="timm",
        lazy=True,
    )
    assert component.summary == SUMMARY
    assert host.plugins["timm"].distribution == "clscore-plugin-timm"
    assert component.load() is TIMMBackbone


def test_config_validation_passes_timm_keywords_through() -> None:
    """``**model_kwargs`` stays open, so validation lets timm's own keywords through (read from source
    without importing anything heavy: tests/test_light_paths.py)."""
    component = isolated_host(clscore_timm.plugin).registry("backbone").get("TIMMBackbone")
    assert component.accepts("drop_path_rate") and not component.declares("drop_path_rate")


TINY_VIT = {"model_name": "vit_tiny_patch16_224", "img_size": 32, "patch_size": 8, "depth": 2}


@pytest.mark.parametrize(
    "backbone",
    [{"type": "TIMMBackbone", "model_name": "resnet18"}, {"type": "TIMMBackbone", **TINY_VIT}],
)
def test_training_with_head_channels_filled_in_lowers_the_loss(backbone: dict) -> None:
    """Four images, one batch: each step sees the same batch, so a working model fits it."""
    with use_host(isolated_host(clscore_timm.plugin, tiny_data=True)):
        cfg = tiny_config(backbone, size=32, num_samples=4, batch_size=4)
        assert_training_lowers_loss(cfg, steps=4, factor=0.9)


def test_build_passes_timm_arguments_through() -> None:
    cfg = {"type": "TIMMBackbone", "model_name": "vit_tiny_patch16_224", "img_size": 32, "patch_size": 4}
    with use_host(isolated_host(clscore_timm.plugin)):
        backbone = clscore.build("backbone", cfg)
        with pytest.raises(ComponentError, match=r"TIMMBackbone.*img_sz"):
            clscore.build("backbone", {"type": "TIMMBackbone", "model_name": "resnet18", "img_sz": 32})
    assert backbone.model.patch_embed.img_size == (32, 32)
