"""The best checkpoint across a resume: recorded in the epoch checkpoint, relative to the work dir,
and never deleted outside the work dir being written (a copied work dir leaves the original alone)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch

from clscore import train


def run(cfg, work_dir, **kwargs):
    return train(cfg, work_dir=work_dir, device="cpu", deterministic=True, **kwargs)


def eval_state(path: Path) -> dict:
    return torch.load(path, weights_only=True)["hooks"]["EvalHook"]


def val_scores(result) -> list[float]:
    lines = [json.loads(line) for line in Path(result["json_log"]).read_text().splitlines()[1:]]
    return [x["accuracy_top-1"] for x in lines if x["mode"] == "val"]


def best_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("best_*.pth"))


@pytest.fixture
def best_cfg(tiny_cfg):
    tiny_cfg["evaluation"] = {"interval": 1, "save_best": "accuracy_top-1", "rule": "greater"}
    return tiny_cfg


def test_epoch_checkpoint_holds_its_own_evaluation(tiny_host, best_cfg, tmp_path):
    full = run(best_cfg, tmp_path / "full")
    scores = val_scores(full)
    for epoch in (1, 2, 3):
        state = eval_state(tmp_path / "full" / f"epoch_{epoch}.pth")
        assert state["best_score"] == pytest.approx(max(scores[:epoch])), epoch
        # a name in the work dir, not a path
        assert state["best_checkpoint"] == Path(state["best_checkpoint"]).name
        assert state["best_checkpoint"].startswith("best_accuracy_top-1_epoch_")

    # resuming after epoch 1 keeps epoch 1's best and ends with the same best as the uninterrupted run
    part = run(best_cfg, tmp_path / "part", resume_from=str(tmp_path / "full" / "epoch_1.pth"))
    assert part["best"]["value"] == pytest.approx(full["best"]["value"])
    assert Path(part["best"]["checkpoint"]).name == Path(full["best"]["checkpoint"]).name


def test_resuming_a_copied_work_dir_leaves_the_original_alone(tiny_host, best_cfg, tmp_path):
    best_cfg["runner"]["max_epochs"] = 1
    run(best_cfg, tmp_path / "runA")
    before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "runA").iterdir()}
    assert best_files(tmp_path / "runA") == ["best_accuracy_top-1_epoch_1.pth"]
    shutil.copytree(tmp_path / "runA", tmp_path / "runC", symlinks=True)
    # any score of epoch 2 is an improvement: the copy's best file gets replaced
    latest = tmp_path / "runC" / "epoch_1.pth"
    checkpoint = torch.load(latest, weights_only=True)
    checkpoint["hooks"]["EvalHook"]["best_score"] = -1.0
    torch.save(checkpoint, latest)

    best_cfg["runner"]["max_epochs"] = 2
    result = run(best_cfg, tmp_path / "runC", auto_resume=True)
    assert result["epoch"] == 2
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "runA").iterdir()} == before
    assert best_files(tmp_path / "runC") == ["best_accuracy_top-1_epoch_2.pth"]
    assert Path(result["best"]["checkpoint"]).parent == tmp_path / "runC"


def test_an_absolute_best_path_from_another_work_dir_is_never_deleted(tiny_host, best_cfg, tmp_path, caplog):
    """Checkpoints written before paths became relative hold absolute ones."""
    best_cfg["runner"]["max_epochs"] = 1
    run(best_cfg, tmp_path / "runA")
    shutil.copytree(tmp_path / "runA", tmp_path / "runC")
    latest = tmp_path / "runC" / "epoch_1.pth"
    checkpoint = torch.load(latest, weights_only=True)
    outside = tmp_path / "runA" / "best_accuracy_top-1_epoch_1.pth"
    checkpoint["hooks"]["EvalHook"].update(best_score=-1.0, best_checkpoint=str(outside))
    torch.save(checkpoint, latest)

    best_cfg["runner"]["max_epochs"] = 2
    run(best_cfg, tmp_path / "runC", auto_resume=True)
    assert outside.exists()
    assert best_files(tmp_path / "runC") == ["best_accuracy_top-1_epoch_2.pth"]
