"""Against torchvision's own ResNets: same weights in, same features and logits out.

BN layers get random running statistics and affine parameters (eval mode), so a wrong mapping of
any single tensor shows.
"""

from __future__ import annotations

from pathlib import Path

import clscore
import pytest
import torch
import torchvision
from torch import nn

from clscore_resnet import ResNet
from resnet_test_utils import randomize_norms

#: The model section of the seed's config (configs/resnet/resnet50_8xb32_in1k.yaml in the repository).
SEED_MODEL = {
    "type": "ImageClassifier",
    "backbone": {"type": "ResNet", "depth": 50, "num_stages": 4, "out_indices": [3], "style": "pytorch"},
    "neck": {"type": "GlobalAveragePooling"},
    "head": {
        "type": "LinearClsHead",
        "num_classes": 1000,
        "in_channels": 2048,
        "loss": {"type": "CrossEntropyLoss", "loss_weight": 1.0},
    },
}


def torchvision_model(depth: int) -> nn.Module:
    model = getattr(torchvision.models, f"resnet{depth}")(weights=None)
    with torch.no_grad():
        model.fc.bias.normal_(0.0, 0.1)
    return randomize_norms(model).eval()


def torchvision_stages(model: nn.Module, x: torch.Tensor) -> list[torch.Tensor]:
    x = model.maxpool(model.relu(model.bn1(model.conv1(x))))
    outs = []
    for layer in (model.layer1, model.layer2, model.layer3, model.layer4):
        x = layer(x)
        outs.append(x)
    return outs


def mmcls_state_dict(tv_state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """torchvision names renamed the MMClassification way: ``backbone.`` prefix, ``fc`` -> ``head.fc``."""
    return {(f"head.{k}" if k.startswith("fc.") else f"backbone.{k}"): v for k, v in tv_state.items()}


@pytest.mark.parametrize("depth", [18, 50])
def test_same_features_and_logits_as_torchvision(depth: int) -> None:
    tv = torchvision_model(depth)
    num_classes = tv.fc.out_features
    model = clscore.build_model(
        {
            "type": "ImageClassifier",
            "backbone": {"type": "ResNet", "depth": depth, "out_indices": [0, 1, 2, 3]},
            "neck": {"type": "GlobalAveragePooling"},
            "head": {"type": "LinearClsHead", "num_classes": num_classes},  # in_channels filled in
        }
    )
    result = model.backbone.load_state_dict(tv.state_dict(), strict=False)
    assert not result.missing_keys and result.unexpected_keys == ["fc.weight", "fc.bias"]
    model.head.fc.load_state_dict(tv.fc.state_dict())
    model.eval()

    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        ours = model.backbone(x)
        theirs = torchvision_stages(tv, x)
        for got, want in zip(ours, theirs, strict=True):
            torch.testing.assert_close(got, want, rtol=0, atol=0)
        # the head sees the last map only (neck output of a tuple keeps its last entry)
        assert (model(x) - tv(x)).abs().max().item() < 1e-5


def test_seed_config_with_renamed_torchvision_resnet50_weights(tmp_path: Path) -> None:
    """Done-when of the issue: MMClassification-style checkpoint of torchvision weights -> same logits."""
    tv = torchvision_model(50)
    path = tmp_path / "resnet50_mmcls.pth"
    torch.save({"state_dict": mmcls_state_dict(tv.state_dict()), "meta": {}}, path)

    model = clscore.build_model(SEED_MODEL)
    result = clscore.load_checkpoint(model, str(path))
    assert not result["missing_keys"] and not result["unexpected_keys"] and not result["mismatched_keys"]
    model.eval()
    x = torch.randn(2, 3, 224, 224)
    with torch.no_grad():
        diff = (model(x) - tv(x)).abs().max().item()
    assert diff < 1e-4


def test_torchvision_state_dict_loads_into_backbone_through_init_cfg(tmp_path: Path) -> None:
    tv = torchvision_model(18)
    path = tmp_path / "resnet18.pth"
    torch.save(tv.state_dict(), path)
    backbone = ResNet(18, init_cfg={"type": "Pretrained", "checkpoint": str(path)}).eval()
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(backbone(x)[0], torchvision_stages(tv, x)[3], rtol=0, atol=0)
