from __future__ import annotations

import logging
from pathlib import Path

import pytest
import torch
import torchvision
from clscore.errors import CheckpointError
from safetensors.torch import save_file

from clscore_resnet import ResNet, ResNetV1c
from resnet_test_utils import randomize_norms


@pytest.fixture(scope="module")
def tv_state() -> dict[str, torch.Tensor]:
    return randomize_norms(torchvision.models.resnet18(weights=None)).state_dict()


@pytest.fixture
def tv_file(tmp_path: Path, tv_state: dict[str, torch.Tensor]) -> Path:
    path = tmp_path / "resnet18_torchvision.pth"
    torch.save(tv_state, path)
    return path


def assert_backbone_equals(model: ResNet, state: dict[str, torch.Tensor]) -> None:
    for key, value in model.state_dict().items():
        torch.testing.assert_close(value, state[key], msg=key)


# -- arguments ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("pretrained", "init_cfg", "message"),
    [
        ("a.pth", {"type": "Pretrained", "checkpoint": "b.pth"}, "either 'pretrained' or init_cfg"),
        (None, {"type": "Pretrained"}, "needs 'checkpoint: "),
        (None, {"type": "Pretrained", "checkpoint": "b.pth", "prefx": "x"}, r"no key\(s\) \['prefx'\]"),
        ("torchvision://resnet50", None, "get_model_weights"),
        ("https://download.pytorch.org/models/resnet50-0676ba61.pth", None, "downloads nothing"),
    ],
)
def test_mistakes_are_reported_before_anything_is_built(
    pretrained: str | None, init_cfg: dict | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        ResNet(18, pretrained=pretrained, init_cfg=init_cfg)


def test_an_init_cfg_of_other_types_replaces_the_default() -> None:
    init_cfg = [
        {"type": "Constant", "layer": "Conv2d", "val": 0.25},
        {"type": "Constant", "layer": "_BatchNorm", "val": 2},
    ]
    model = ResNet(18, init_cfg=init_cfg)
    assert torch.all(model.conv1.weight == 0.25) and torch.all(model.layer4[1].conv2.weight == 0.25)
    assert torch.all(model.bn1.weight == 2)
    assert torch.all(model.layer1[0].bn2.weight == 0)  # zero_init_residual still applies without a file


# -- loading --------------------------------------------------------------------------------------
def test_torchvision_file_loads_and_reports_skipped_fc(
    tv_file: Path, tv_state: dict[str, torch.Tensor], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        model = ResNet(18, pretrained=str(tv_file))
    assert_backbone_equals(model, tv_state)  # zero_init_residual did not undo the loaded bn2 weights
    skipped = [r.getMessage() for r in caplog.records if "fc.weight" in r.getMessage()]
    assert skipped and "fc.bias" in skipped[0]
    assert not any("missing" in r.getMessage() for r in caplog.records)


def test_init_cfg_with_prefix_loads_a_classifier_checkpoint(
    tmp_path: Path, tv_state: dict[str, torch.Tensor]
) -> None:
    renamed = {("head." if k.startswith("fc.") else "backbone.") + k: v for k, v in tv_state.items()}
    path = tmp_path / "classifier.pth"
    torch.save({"state_dict": renamed, "meta": {"epoch": 3}}, path)
    for prefix in ("backbone.", "backbone"):
        cfg = {"type": "Pretrained", "checkpoint": str(path), "prefix": prefix}
        assert_backbone_equals(ResNet(18, init_cfg=cfg), tv_state)
    # without a prefix, the backbone part of a classifier checkpoint is recognised
    assert_backbone_equals(ResNet(18, pretrained=str(path)), tv_state)


def test_safetensors(tmp_path: Path, tv_state: dict[str, torch.Tensor]) -> None:
    path = tmp_path / "resnet18.safetensors"
    save_file({k: v.contiguous() for k, v in tv_state.items()}, str(path))
    model = ResNet(18, init_cfg={"type": "Pretrained", "checkpoint": str(path)})
    assert_backbone_equals(model, tv_state)


def test_init_weights_again_keeps_the_pretrained_weights(tv_file: Path, tv_state: dict) -> None:
    model = ResNet(18, pretrained=str(tv_file))
    model.init_weights()
    assert_backbone_equals(model, tv_state)


def test_a_file_that_matches_nothing_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "other.pth"
    torch.save({"encoder.weight": torch.zeros(3)}, path)
    with pytest.raises(CheckpointError, match=r"no weight in .*other.pth matches ResNet \(it has encoder"):
        ResNet(18, pretrained=str(path))


def test_missing_file_is_a_checkpoint_error(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="not found"):
        ResNet(18, pretrained=str(tmp_path / "nope.pth"))


def test_deep_stem_weights_partially_match_a_torchvision_file(
    tv_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The stages load, the deep stem has no torchvision counterpart and is reported missing."""
    with caplog.at_level(logging.WARNING):
        model = ResNetV1c(18, pretrained=str(tv_file))
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "stem.0.conv.weight" in text and "conv1.weight" in text
    assert model.layer1[0].bn2.weight.abs().sum() > 0
