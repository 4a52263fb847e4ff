"""Resuming from iteration checkpoints (at an epoch boundary and mid-epoch) and with another world size."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from clscore import train
from clscore.errors import CheckpointError


def run(cfg, work_dir, **kwargs):
    return train(cfg, work_dir=work_dir, device="cpu", deterministic=True, **kwargs)


def load(path) -> dict:
    return torch.load(path, weights_only=True)


def assert_same_tensors(a: Path, b: Path) -> None:
    wa, wb = load(a), load(b)
    assert wa["state_dict"].keys() == wb["state_dict"].keys()
    for key, value in wa["state_dict"].items():
        assert torch.equal(value, wb["state_dict"][key]), key
    for key, state in wa["optimizer"]["state"].items():
        for name, value in state.items():
            assert torch.equal(value, wb["optimizer"]["state"][key][name]), (key, name)


def val_epochs(result) -> list[int]:
    lines = [json.loads(line) for line in Path(result["json_log"]).read_text().splitlines()[1:]]
    return [x["epoch"] for x in lines if x["mode"] == "val"]


@pytest.mark.parametrize(("interval", "resume_at"), [(3, 3), (3, 6), (2, 4)])
def test_iteration_checkpoints_resume_bit_identically(tiny_host, tiny_cfg, tmp_path, interval, resume_at):
    # 3 iterations per epoch: iter_3 / iter_6 close an epoch, iter_4 is one iteration into epoch 2
    tiny_cfg["checkpoint_config"] = {"by_epoch": False, "interval": interval}
    full = run(tiny_cfg, tmp_path / "full")
    assert val_epochs(full) == [1, 2, 3]
    meta = load(tmp_path / "full" / f"iter_{resume_at}.pth")["meta"]
    assert (meta["epoch"], meta["iter"]) == (resume_at // 3, resume_at)
    assert meta["inner_iter"] == resume_at % 3
    assert load(tmp_path / "full" / "iter_9.pth")["meta"]["epoch"] == 3

    part = run(tiny_cfg, tmp_path / "part", resume_from=str(tmp_path / "full" / f"iter_{resume_at}.pth"))
    assert part["iter"] == 9 and part["epoch"] == 3
    assert_same_tensors(tmp_path / "full" / "iter_9.pth", tmp_path / "part" / "iter_9.pth")
    # the evaluation of the epoch the checkpoint closed still runs, once
    assert val_epochs(part) == list(range((resume_at + 2) // 3, 4))


def _fake_world_size(src: Path, dst: Path, world_size: int, **meta) -> Path:
    checkpoint = load(src)
    checkpoint["meta"].update(world_size=world_size, **meta)
    torch.save(checkpoint, dst)
    return dst


def test_another_world_size_is_refused_without_the_flag(tiny_host, tiny_cfg, tmp_path):
    tiny_cfg["runner"]["max_epochs"] = 1
    run(tiny_cfg, tmp_path / "a")
    fake = _fake_world_size(tmp_path / "a" / "epoch_1.pth", tmp_path / "ws2.pth", 2)
    tiny_cfg["runner"]["max_epochs"] = 2
    with pytest.raises(CheckpointError, match=r"2 processes.*this run has 1.*--allow-world-size-change"):
        run(tiny_cfg, tmp_path / "b", resume_from=str(fake))
    assert not (tmp_path / "b" / "epoch_2.pth").exists()


def test_world_size_change_allowed_continues_at_an_epoch_boundary(tiny_host, tiny_cfg, tmp_path, caplog):
    tiny_cfg["runner"]["max_epochs"] = 2
    tiny_cfg["checkpoint_config"] = {"by_epoch": False, "interval": 2}
    run(tiny_cfg, tmp_path / "a")
    # a mid-epoch checkpoint (iteration 4 = epoch 2, 1 of 3) written by "2 processes" with 2 iterations
    # per epoch: its position cannot be mapped onto this run's sharding
    fake = _fake_world_size(tmp_path / "a" / "iter_4.pth", tmp_path / "ws2.pth", 2, iters_per_epoch=2)
    tiny_cfg["runner"]["max_epochs"] = 3
    with caplog.at_level("WARNING", logger="clscore"):
        result = run(tiny_cfg, tmp_path / "b", resume_from=str(fake), allow_world_size_change=True)
    assert "world size" in caplog.text and "rest of epoch 2" in caplog.text
    # the rest of epoch 2 is skipped (it is evaluated and closed), epoch 3 runs in full with this sharding
    assert (result["epoch"], result["iter"]) == (3, 9)
    assert val_epochs(result) == [2, 3]
