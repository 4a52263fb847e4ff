from __future__ import annotations

from click.testing import CliRunner

from clscore_timm.commands import timm_group


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(timm_group, list(args))
    return result.exit_code, result.output


def test_list() -> None:
    code, out = invoke("list", "convnext_at*")
    assert code == 0
    assert "convnext_atto" in out.splitlines()
    code, out = invoke("list", "no_such_net*")
    assert code == 1 and "no timm model matches 'no_such_net*'" in out


def test_info_shows_the_channels_a_head_needs() -> None:
    code, out = invoke("info", "resnet18")
    assert code == 0, out
    assert "head in_channels: 512" in out
    lines = [line.split() for line in out.splitlines()]
    assert ["4", "512", "32", "layer4"] in lines and ["1", "64", "4", "layer1"] in lines


def test_info_with_model_kwargs() -> None:
    code, out = invoke("info", "vit_tiny_patch16_224", "-k", "img_size=32", "-k", "patch_size=4")
    assert code == 0, out
    assert "head in_channels: 192" in out
    assert ["11", "192", "4", "blocks.11"] in [line.split() for line in out.splitlines()]
    code, out = invoke("info", "mobilenetv3_small_050", "-k", "img_size=32")
    assert code == 1 and "img_size" in out
    code, out = invoke("info", "mobilenetv3_small_050")
    assert code == 0 and "head in_channels: 1024" in out


def test_info_unknown_model() -> None:
    code, out = invoke("info", "resnet19")
    assert code == 1 and "did you mean 'resnet18'" in out
