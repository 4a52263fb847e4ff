"""Checkpoints: safe loading (no pickle code runs), atomic writes, the latest pointer, key matching."""

from __future__ import annotations

import logging
import os
import pickle
import re
import struct

import pytest
import torch
from torch import nn

from clscore.checkpoint import _files as ckpt
from clscore.checkpoint import (
    find_resume_checkpoint,
    load_checkpoint,
    read_checkpoint,
    read_latest,
    save_checkpoint,
    write_latest,
)
from clscore.engine.rng import get_rng_state
from clscore.errors import CheckpointError, DiskFullError


class Payload:
    """Unpickling this would run a shell command that creates a marker file."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


class EvalPayload:
    def __init__(self, code: str) -> None:
        self.code = code

    def __reduce__(self):
        return (eval, (self.code,))


class TinyNet(nn.Module):
    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
        self.head = nn.Module()
        self.head.fc = nn.Linear(4, num_classes)


def _payload_file(tmp_path, payload) -> str:
    path = tmp_path / "evil.pth"
    torch.save({"state_dict": {}, "meta": payload}, path)
    return str(path)


@pytest.mark.parametrize("force_env", [False, True])
def test_pickle_payload_is_refused_and_nothing_runs(tmp_path, monkeypatch, force_env):
    marker = tmp_path / "pwned"
    path = _payload_file(tmp_path, Payload(f"touch {marker}"))
    if force_env:
        monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(TinyNet(), path)
    message = str(info.value)
    assert path in message and "system" in message and "unsafe pickle global" in message
    assert not marker.exists()
    if force_env:
        assert os.environ["TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"] == "1"  # restored after the call


def test_eval_payload_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    path = _payload_file(tmp_path, EvalPayload(f"open({str(marker)!r}, 'w')"))
    with pytest.raises(CheckpointError, match="eval"):
        read_checkpoint(path)
    assert not marker.exists()


@pytest.mark.parametrize("fraction", [0.01, 0.5, 0.99])
def test_truncated_checkpoint(tmp_path, fraction):
    good = tmp_path / "good.pth"
    torch.save({"state_dict": TinyNet().state_dict()}, good)
    data = good.read_bytes()
    bad = tmp_path / "bad.pth"
    bad.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(CheckpointError, match=re.escape(f"not a PyTorch checkpoint or truncated: {bad}")):
        load_checkpoint(TinyNet(), bad)


@pytest.mark.parametrize("content", [b"", b"hello, not a checkpoint", pickle.dumps({"a": 1}, protocol=2)])
def test_empty_or_foreign_file(tmp_path, content):
    bad = tmp_path / "x.pth"
    bad.write_bytes(content)
    with pytest.raises(CheckpointError, match="not a PyTorch checkpoint or truncated"):
        read_checkpoint(bad)


def test_missing_file(tmp_path):
    with pytest.raises(CheckpointError, match="checkpoint not found"):
        read_checkpoint(tmp_path / "nope.pth")


def test_our_checkpoint_loads_with_plain_weights_only(tmp_path):
    model = TinyNet()
    optim = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss = model.head.fc(model.backbone(torch.randn(2, 3, 5, 5)).mean((2, 3))).sum()
    loss.backward()
    optim.step()
    scaler = torch.amp.GradScaler("cpu")
    state = {
        "state_dict": model.state_dict(),
        "optimizer": optim.state_dict(),
        "scaler": scaler.state_dict(),
        "meta": {"epoch": 1, "iter": 3, "config": "a: 1\n", "classes": ["x"], "rng": get_rng_state()},
    }
    path = save_checkpoint(tmp_path / "epoch_1.pth", state)
    loaded = torch.load(path, weights_only=True)
    assert loaded["meta"]["iter"] == 3
    assert torch.equal(loaded["state_dict"]["head.fc.weight"], model.head.fc.weight)


def test_mmcls_style_checkpoint_with_module_prefix_and_new_head(tmp_path, caplog):
    source = TinyNet(num_classes=1000)
    state = {f"module.{k}": v for k, v in source.state_dict().items()}
    path = tmp_path / "mmcls.pth"
    torch.save({"meta": {"CLASSES": ["a"]}, "state_dict": state}, path)
    target = TinyNet(num_classes=10)
    with caplog.at_level(logging.WARNING, logger="clscore"):
        report = load_checkpoint(target, path)
    assert report["missing_keys"] == [] and report["unexpected_keys"] == []
    assert sorted(k for k, _, _ in report["mismatched_keys"]) == ["head.fc.bias", "head.fc.weight"]
    assert ("head.fc.weight", (1000, 4), (10, 4)) in report["mismatched_keys"]
    assert torch.equal(target.backbone[0].weight, source.backbone[0].weight)
    assert "shape-mismatched" in caplog.text


def test_strict_load_lists_the_keys(tmp_path):
    path = tmp_path / "bare.pth"
    torch.save({"backbone.0.weight": torch.zeros(4, 3, 3, 3), "extra.w": torch.zeros(1)}, path)
    with pytest.raises(CheckpointError, match=r"missing keys: .*unexpected keys: extra\.w"):
        load_checkpoint(TinyNet(), path, strict=True)
    report = load_checkpoint(TinyNet(), path)
    assert report["unexpected_keys"] == ["extra.w"] and "head.fc.weight" in report["missing_keys"]


def test_prefix_loads_a_backbone(tmp_path):
    source = TinyNet()
    path = tmp_path / "full.pth"
    torch.save({"state_dict": source.state_dict()}, path)
    backbone = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
    report = load_checkpoint(backbone, path, prefix="backbone")
    assert report == {"missing_keys": [], "unexpected_keys": [], "mismatched_keys": []}
    assert torch.equal(backbone[0].weight, source.backbone[0].weight)
    with pytest.raises(CheckpointError, match=r"no weights under the prefix 'neck\.'"):
        load_checkpoint(backbone, path, prefix="neck")


def test_safetensors_round_trip_and_corrupt_header(tmp_path):
    source = TinyNet()
    path = ckpt.save_safetensors(tmp_path / "w.safetensors", source.state_dict(), {"epoch": "1"})
    target = TinyNet()
    assert load_checkpoint(target, path)["missing_keys"] == []
    assert torch.equal(target.head.fc.weight, source.head.fc.weight)
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(struct.pack("<Q", 2**40) + b"{}")
    with pytest.raises(CheckpointError, match="corrupt safetensors file"):
        load_checkpoint(TinyNet(), bad)
    truncated = tmp_path / "trunc.safetensors"
    truncated.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(CheckpointError, match="corrupt safetensors file"):
        load_checkpoint(TinyNet(), truncated)


def test_failed_write_keeps_the_previous_checkpoint_and_pointer(tmp_path, monkeypatch):
    save_checkpoint(tmp_path / "epoch_1.pth", {"state_dict": {"w": torch.ones(2)}})
    write_latest(tmp_path, "epoch_1.pth")

    def disk_full(obj, fh):
        fh.write(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ckpt.torch, "save", disk_full)
    with pytest.raises(DiskFullError, match=r"disk full while writing .*epoch_2\.pth \(<0\.1 MB needed"):
        save_checkpoint(tmp_path / "epoch_2.pth", {"state_dict": {"w": torch.zeros(2)}})
    monkeypatch.undo()
    assert not (tmp_path / "epoch_2.pth").exists()
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []
    assert read_latest(tmp_path) == tmp_path / "epoch_1.pth"
    assert torch.equal(read_checkpoint(tmp_path / "epoch_1.pth")["state_dict"]["w"], torch.ones(2))


@pytest.mark.parametrize("crash_at", ["checkpoint", "pointer"])
def test_crash_during_save_never_leaves_latest_on_a_partial_file(tmp_path, monkeypatch, crash_at):
    save_checkpoint(tmp_path / "epoch_1.pth", {"state_dict": {"w": torch.ones(2)}})
    write_latest(tmp_path, "epoch_1.pth")
    real_replace = os.replace
    target_name = "epoch_2.pth" if crash_at == "checkpoint" else "latest"

    def crash(src, dst):
        if os.path.basename(dst) == target_name:
            raise KeyboardInterrupt  # the process dies here
        real_replace(src, dst)

    monkeypatch.setattr(ckpt.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(tmp_path / "epoch_2.pth", {"state_dict": {"w": torch.zeros(2)}})
        write_latest(tmp_path, "epoch_2.pth")
    monkeypatch.undo()
    latest = read_latest(tmp_path)
    assert latest is not None
    read_checkpoint(latest)  # whatever it names is complete
    assert latest.name == "epoch_1.pth"
    assert (tmp_path / "epoch_2.pth").exists() == (crash_at == "pointer")


def test_auto_resume_skips_a_corrupt_newest_checkpoint(tmp_path, caplog):
    save_checkpoint(tmp_path / "epoch_1.pth", {"state_dict": {"w": torch.ones(1)}, "meta": {"epoch": 1}})
    os.utime(tmp_path / "epoch_1.pth", (1, 1))
    (tmp_path / "epoch_2.pth").write_bytes(b"PK\x03\x04 truncated")
    write_latest(tmp_path, "epoch_2.pth")
    with caplog.at_level(logging.WARNING, logger="clscore"):
        found = find_resume_checkpoint(tmp_path)
    assert found is not None and found[0].name == "epoch_1.pth"
    assert "skipping" in caplog.text and "epoch_2.pth" in caplog.text
    assert find_resume_checkpoint(tmp_path / "empty") is None
