"""The plugin as clscore sees it, checked with clscore's own plugin-testing helpers."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import clscore
import pytest
from clscore.errors import ComponentError
from clscore.testing import (
    assert_import_is_light,
    assert_registered,
    isolated_host,
    run_one_step,
    tiny_config,
    use_host,
)

import clscore_timm.plugin
from clscore_timm import TIMMBackbone
from clscore_timm.plugin import SUMMARY


def test_entry_module_imports_nothing_heavy() -> None:
    assert_import_is_light("clscore_timm.plugin")


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
    """Read from source, as `clsrun config validate` reads it: ``**model_kwargs`` stays open."""
    code = """
        import sys
        from clscore.plugins import signature_of
        sig = signature_of("clscore_timm.backbone:TIMMBackbone")
        print(sig.open_kwargs, "timm" in sys.modules or "torch" in sys.modules)
    """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False"]


TINY_VIT = {"model_name": "vit_tiny_patch16_224", "img_size": 32, "patch_size": 8, "depth": 2}


@pytest.mark.parametrize(
    "backbone",
    [{"type": "TIMMBackbone", "model_name": "resnet18"}, {"type": "TIMMBackbone", **TINY_VIT}],
)
def test_trains_one_step_with_head_channels_filled_in(backbone: dict) -> None:
    with use_host(isolated_host(clscore_timm.plugin, tiny_data=True)):
        losses = run_one_step(tiny_config(backbone, size=32), steps=2)
    assert losses["loss"] > 0


def test_build_passes_timm_arguments_through() -> None:
    cfg = {"type": "TIMMBackbone", "model_name": "vit_tiny_patch16_224", "img_size": 32, "patch_size": 4}
    with use_host(isolated_host(clscore_timm.plugin)):
        backbone = clscore.build("backbone", cfg)
        with pytest.raises(ComponentError, match=r"TIMMBackbone.*img_sz"):
            clscore.build("backbone", {"type": "TIMMBackbone", "model_name": "resnet18", "img_sz": 32})
    assert backbone.model.patch_embed.img_size == (32, 32)
