"""``load_pretrained``: the one way weights come from a file into a module."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import clscore.layers._pretrained as pretrained
from clscore.errors import CheckpointError
from clscore.layers import initialize, load_pretrained


def make_backbone() -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))


@pytest.fixture
def source() -> nn.Sequential:
    torch.manual_seed(1)
    backbone = make_backbone()
    with torch.no_grad():
        backbone[1].running_mean.uniform_(0, 1)
    return backbone


@pytest.fixture
def classifier_file(tmp_path, source):
    state = {f"backbone.{k}": v for k, v in source.state_dict().items()}
    state["head.fc.weight"] = torch.zeros(2, 4)
    path = tmp_path / "classifier.pth"
    torch.save({"state_dict": state, "meta": {}}, path)
    return path


def assert_loaded(module: nn.Module, source: nn.Module) -> None:
    for key, value in module.state_dict().items():
        torch.testing.assert_close(value, source.state_dict()[key], msg=key)


@pytest.mark.parametrize("prefix", ["backbone", "backbone."])
def test_prefix_selects_and_strips_keys(classifier_file, source, prefix: str) -> None:
    module = make_backbone()
    report = load_pretrained(module, str(classifier_file), prefix=prefix)
    assert_loaded(module, source)
    assert report["missing_keys"] == [] and report["unexpected_keys"] == []


def test_a_classifier_file_without_prefix_gives_its_backbone_part(classifier_file, source) -> None:
    module = make_backbone()
    load_pretrained(module, classifier_file)
    assert_loaded(module, source)


def test_a_classifier_loads_a_classifier_file_as_it_is(classifier_file, source) -> None:
    model = nn.Module()
    model.backbone = make_backbone()
    model.head = nn.Module()
    model.head.fc = nn.Linear(4, 2, bias=False)
    load_pretrained(model, classifier_file)
    assert_loaded(model.backbone, source)
    assert torch.all(model.head.fc.weight == 0)


def test_mismatched_shapes_are_skipped_and_reported(tmp_path, source) -> None:
    state = source.state_dict()
    state["0.weight"] = torch.zeros(4, 3, 5, 5)
    torch.save(state, tmp_path / "w.pth")
    module = make_backbone()
    before = module[0].weight.clone()
    report = load_pretrained(module, tmp_path / "w.pth")
    assert [k for k, _, _ in report["mismatched_keys"]] == ["0.weight"]
    assert torch.equal(module[0].weight, before)
    torch.testing.assert_close(module[1].running_mean, source[1].running_mean)


def test_files_that_cannot_fit_are_errors(tmp_path, classifier_file) -> None:
    torch.save({"encoder.weight": torch.zeros(3)}, tmp_path / "other.pth")
    with pytest.raises(
        CheckpointError, match=r"no weight in .*other\.pth matches Sequential \(it has encoder\.weight\)"
    ):
        load_pretrained(make_backbone(), tmp_path / "other.pth")
    with pytest.raises(CheckpointError, match=r"has no weights under the prefix 'neck\.'"):
        load_pretrained(make_backbone(), classifier_file, prefix="neck")
    with pytest.raises(CheckpointError, match="not found"):
        load_pretrained(make_backbone(), tmp_path / "missing.pth")
    with pytest.raises(
        CheckpointError, match=r"downloads nothing; save them .*get_model_weights\(.resnet50.\)"
    ):
        load_pretrained(make_backbone(), "torchvision://resnet50")


def test_init_cfg_reads_the_file_once(monkeypatch, classifier_file, source) -> None:
    reads = []
    real = pretrained.read_checkpoint
    monkeypatch.setattr(pretrained, "read_checkpoint", lambda f, m="cpu": reads.append(f) or real(f, m))
    module = make_backbone()
    initialize(module, [{"type": "Pretrained", "checkpoint": str(classifier_file), "prefix": "backbone"}])
    assert reads == [str(classifier_file)]
    assert_loaded(module, source)
