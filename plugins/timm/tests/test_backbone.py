from __future__ import annotations

from pathlib import Path

import pytest
import timm
import torch
from clscore.errors import CheckpointError, ConfigError
from safetensors.torch import save_file

from clscore_timm import TIMMBackbone

VIT = {"model_name": "vit_tiny_patch16_224", "img_size": 32, "patch_size": 4}
#: A Swin (NHWC outputs) shrunk through timm's own arguments, to keep the test fast.
SWIN = {
    "model_name": "swin_tiny_patch4_window7_224",
    "img_size": 64,
    "embed_dim": 48,
    "depths": (1, 1, 1, 1),
    "num_heads": (1, 2, 4, 8),
}
SWIN_KWARGS = {k: v for k, v in SWIN.items() if k != "model_name"}


def reference_model(backbone: TIMMBackbone, **kwargs: object) -> torch.nn.Module:
    """timm's own model with the backbone's weights."""
    model = timm.create_model(backbone.model_name, **kwargs)
    model.load_state_dict(backbone.model.state_dict())
    return model.eval()


def single(outs: tuple[torch.Tensor, ...]) -> torch.Tensor:
    assert isinstance(outs, tuple) and len(outs) == 1
    return outs[0]


# -- single-vector mode ---------------------------------------------------------------------------
def test_cnn_returns_timms_feature_map() -> None:
    backbone = TIMMBackbone("resnet18").eval()
    ref = reference_model(backbone, num_classes=0)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        fmap = single(backbone(x))
        torch.testing.assert_close(fmap, ref.forward_features(x), rtol=0, atol=0)
        torch.testing.assert_close(fmap.mean((2, 3)), ref(x))  # GAP of the map = timm's pre-logits
    assert backbone.returns_map and backbone.out_channels == [512] and fmap.shape == (2, 512, 2, 2)


def test_vit_tokens_become_timms_pre_logits_vector() -> None:
    backbone = TIMMBackbone(**VIT).eval()
    kwargs = {k: v for k, v in VIT.items() if k != "model_name"}
    ref = reference_model(backbone, num_classes=0, **kwargs)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        out = single(backbone(x))
        expected = ref.forward_head(ref.forward_features(x), pre_logits=True)
    assert out.shape == (2, 192, 1, 1) and backbone.out_channels == [192]
    torch.testing.assert_close(out.flatten(1), expected, rtol=0, atol=0)


def test_nhwc_model_is_turned_nchw() -> None:
    backbone = TIMMBackbone(**SWIN).eval()
    assert backbone.nhwc and backbone.returns_map
    ref = reference_model(backbone, num_classes=0, **SWIN_KWARGS)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        fmap = single(backbone(x))
        nhwc = ref.forward_features(x)
        assert nhwc.shape == (2, 2, 2, 384)
        torch.testing.assert_close(fmap, nhwc.permute(0, 3, 1, 2), rtol=0, atol=0)
        torch.testing.assert_close(fmap.mean((2, 3)), ref(x), rtol=1e-5, atol=1e-5)
    assert backbone.out_channels == [384]


@pytest.mark.parametrize(("name", "channels"), [("convnext_atto", 320), ("mobilenetv3_small_050", 1024)])
def test_heads_that_do_more_than_pool_give_timms_pre_logits(name: str, channels: int) -> None:
    """ConvNeXt normalises after pooling, MobileNetV3 adds a conv: the backbone keeps those layers."""
    backbone = TIMMBackbone(name).eval()
    assert not backbone.returns_map and backbone.out_channels == [channels]
    ref = reference_model(backbone, num_classes=0)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(single(backbone(x)).flatten(1), ref(x), rtol=0, atol=0)


def test_in_channels() -> None:
    backbone = TIMMBackbone("resnet18", in_channels=1)
    assert backbone.model.conv1.in_channels == 1
    assert single(backbone.eval()(torch.randn(1, 1, 32, 32))).shape == (1, 512, 1, 1)


# -- pyramid mode ---------------------------------------------------------------------------------
def test_pyramid_matches_feature_info() -> None:
    backbone = TIMMBackbone("resnet18", features_only=True, out_indices=[1, 2, 3, 4]).eval()
    assert backbone.out_channels == [64, 128, 256, 512] and backbone.reductions == [4, 8, 16, 32]
    ref = timm.create_model("resnet18", features_only=True, out_indices=(1, 2, 3, 4))
    ref.load_state_dict(backbone.model.state_dict())
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        outs, expected = backbone(x), ref.eval()(x)
    assert isinstance(outs, tuple)
    assert [tuple(o.shape) for o in outs] == [(1, 64, 16, 16), (1, 128, 8, 8), (1, 256, 4, 4), (1, 512, 2, 2)]
    for got, want in zip(outs, expected):
        torch.testing.assert_close(got, want, rtol=0, atol=0)


def test_nhwc_pyramid_is_nchw() -> None:
    backbone = TIMMBackbone(**SWIN, features_only=True, out_indices=(0, 3)).eval()
    assert backbone.out_channels == [48, 384]
    outs = backbone(torch.randn(1, 3, 64, 64))
    assert [tuple(o.shape) for o in outs] == [(1, 48, 16, 16), (1, 384, 2, 2)]


def test_out_indices_need_features_only() -> None:
    with pytest.raises(ValueError, match="features_only"):
        TIMMBackbone("resnet18", out_indices=[1])


# -- names and weights ----------------------------------------------------------------------------
def test_unknown_and_hub_names() -> None:
    with pytest.raises(ValueError, match=r"timm has no model 'resnet19'; did you mean 'resnet18'"):
        TIMMBackbone("resnet19")
    with pytest.raises(ValueError, match="never downloads"):
        TIMMBackbone("hf-hub:timm/resnet18.a1_in1k")


def test_pretrained_without_a_file_says_how_to_give_one() -> None:
    with pytest.raises(ConfigError, match=r"checkpoint_path: /path/to/model\.safetensors") as info:
        TIMMBackbone("resnet18", pretrained=True)
    assert "pretrained_cfg_overlay: {file:" in str(info.value)


def test_missing_checkpoint_file(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="checkpoint file not found"):
        TIMMBackbone("resnet18", checkpoint_path=str(tmp_path / "nope.safetensors"))


@pytest.fixture(scope="module")
def resnet18_weights(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, torch.Tensor]]:
    """A timm resnet18 with its 1000-class classifier, saved the way the Hub ships it."""
    state = timm.create_model("resnet18").state_dict()
    path = tmp_path_factory.mktemp("weights") / "model.safetensors"
    save_file({k: v.contiguous() for k, v in state.items()}, str(path))
    return path, state


def test_checkpoint_path_loads_without_the_classifier(resnet18_weights: tuple[Path, dict]) -> None:
    path, state = resnet18_weights
    for backbone in (
        TIMMBackbone("resnet18", pretrained=True, checkpoint_path=str(path)),
        TIMMBackbone("resnet18", pretrained=True, pretrained_cfg_overlay={"file": str(path)}),
        TIMMBackbone("resnet18", features_only=True, checkpoint_path=str(path)),
    ):
        loaded = backbone.model.state_dict()
        assert "fc.weight" not in loaded
        for key, value in loaded.items():
            torch.testing.assert_close(value, state[key], msg=key)


def test_checkpoint_adapts_the_input_conv(resnet18_weights: tuple[Path, dict]) -> None:
    path, state = resnet18_weights
    backbone = TIMMBackbone("resnet18", in_channels=1, checkpoint_path=str(path))
    torch.testing.assert_close(backbone.model.conv1.weight, state["conv1.weight"].sum(1, keepdim=True))
