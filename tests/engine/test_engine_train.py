"""``train(cfg)`` end to end on LeNet-5 and 12 tiny images: files, logs, resume, fine-tuning, faults."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest
import torch

from clscore import train
from clscore.errors import DataError, TrainingError


def weights(path) -> dict[str, torch.Tensor]:
    return torch.load(path, weights_only=True)["state_dict"]


def assert_same_weights(a, b) -> None:
    wa, wb = weights(a), weights(b)
    assert wa.keys() == wb.keys()
    for key in wa:
        assert torch.equal(wa[key], wb[key]), key


def run(cfg, work_dir, **kwargs):
    return train(cfg, work_dir=work_dir, device="cpu", deterministic=True, **kwargs)


def test_train_writes_checkpoints_logs_and_config(tiny_host, tiny_cfg, tmp_path):
    result = run(tiny_cfg, tmp_path)
    assert result["epoch"] == 3 and result["iter"] == 9
    assert result["checkpoint"] == str(tmp_path / "epoch_3.pth")
    assert {"epoch_1.pth", "epoch_2.pth", "epoch_3.pth", "latest", "config.yaml"} <= {
        p.name for p in tmp_path.iterdir()
    }
    assert (tmp_path / "latest").read_text().strip() == "epoch_3.pth"
    assert set(result["metrics"]) == {
        "accuracy_top-1",
        "accuracy_top-5",
    }  # top-5 of 3 classes: clipped, key kept

    lines = [json.loads(line) for line in Path(result["json_log"]).read_text().splitlines()]
    assert "env_info" in lines[0] and lines[0]["seed"] == 0
    train_lines = [x for x in lines[1:] if x["mode"] == "train"]
    val_lines = [x for x in lines[1:] if x["mode"] == "val"]
    assert len(val_lines) == 3 and {"accuracy_top-1", "epoch", "iter", "lr"} <= set(val_lines[0])
    assert {"mode", "epoch", "iter", "lr", "loss", "time", "data_time", "memory"} <= set(train_lines[0])
    assert [(x["epoch"], x["iter"]) for x in train_lines[:2]] == [(1, 2), (1, 3)]
    # warmup over 2 iterations then step at epoch 2: iteration 1 (0-based) runs at 0.05 * (1 - 0.5 * 0.9)
    assert train_lines[0]["lr"] == pytest.approx(0.05 * (1 - 0.5 * 0.9))
    assert train_lines[-1]["lr"] == pytest.approx(0.005)
    assert "Epoch [1][2/3]" in Path(result["log_file"]).read_text()

    checkpoint = torch.load(tmp_path / "epoch_3.pth", weights_only=True)
    meta = checkpoint["meta"]
    assert (meta["epoch"], meta["iter"], meta["seed"]) == (3, 9, 0)
    assert meta["classes"] == ["class_0", "class_1", "class_2"]
    assert meta["versions"]["clscore"] and "LeNet5" in meta["config"]
    assert {"python", "numpy", "torch"} <= set(meta["rng"])
    assert {"optimizer", "scheduler", "state_dict"} <= set(checkpoint)


def test_resume_after_an_epoch_equals_the_uninterrupted_run(tiny_host, tiny_cfg, tmp_path):
    run(tiny_cfg, tmp_path / "full")
    stopped = dict(tiny_cfg, custom_hooks=[{"type": "StopAfter", "epoch": 2}])
    with pytest.raises(Exception, match="stopped after epoch 2"):
        run(stopped, tmp_path / "part")
    assert not (tmp_path / "part" / "epoch_3.pth").exists()
    shutil.copytree(tmp_path / "part", tmp_path / "auto")

    result = run(tiny_cfg, tmp_path / "part", resume_from=str(tmp_path / "part" / "epoch_2.pth"))
    assert result["iter"] == 9
    assert_same_weights(tmp_path / "full" / "epoch_3.pth", tmp_path / "part" / "epoch_3.pth")
    full = torch.load(tmp_path / "full" / "epoch_3.pth", weights_only=True)
    part = torch.load(tmp_path / "part" / "epoch_3.pth", weights_only=True)
    for key, state in full["optimizer"]["state"].items():
        assert torch.equal(state["momentum_buffer"], part["optimizer"]["state"][key]["momentum_buffer"])
    assert full["scheduler"] == part["scheduler"]

    # --auto-resume with the newest checkpoint corrupt falls back to epoch 1, and still matches
    (tmp_path / "auto" / "epoch_2.pth").write_bytes(b"PK\x03\x04 cut")
    run(tiny_cfg, tmp_path / "auto", auto_resume=True)
    assert_same_weights(tmp_path / "full" / "epoch_3.pth", tmp_path / "auto" / "epoch_3.pth")


def test_resume_mid_epoch_iteration_based(tiny_host, tiny_cfg, tmp_path):
    tiny_cfg.update(
        runner={"type": "IterBasedRunner", "max_iters": 7},
        checkpoint_config={"interval": 2},
        evaluation={"interval": 4},
        lr_config={"policy": "poly", "by_epoch": False, "warmup": "exp", "warmup_iters": 3},
    )
    full = run(tiny_cfg, tmp_path / "full")
    assert full["checkpoint"].endswith("iter_7.pth") and full["metrics"]
    with pytest.raises(Exception, match="stopped after iteration 4"):
        run(dict(tiny_cfg, custom_hooks=[{"type": "StopAfter", "iters": 4}]), tmp_path / "part")
    run(tiny_cfg, tmp_path / "part", resume_from=str(tmp_path / "part" / "iter_4.pth"))
    assert_same_weights(tmp_path / "full" / "iter_7.pth", tmp_path / "part" / "iter_7.pth")


def test_auto_resume_logs_the_skipped_checkpoint(tiny_host, tiny_cfg, tmp_path, caplog):
    tiny_cfg["runner"]["max_epochs"] = 1
    run(tiny_cfg, tmp_path)
    (tmp_path / "epoch_1.pth").write_bytes(b"")
    with caplog.at_level(logging.INFO, logger="clscore"):
        result = run(tiny_cfg, tmp_path, auto_resume=True)
    assert "skipping" in caplog.text and "epoch_1.pth" in caplog.text
    assert "no usable checkpoint" in caplog.text and result["iter"] == 3


def test_load_from_a_checkpoint_with_another_class_count(tiny_host, tiny_cfg, tmp_path, caplog):
    tiny_cfg["runner"]["max_epochs"] = 1
    source = run(tiny_cfg, tmp_path / "src")
    tiny_cfg["model"]["head"]["num_classes"] = 4
    with caplog.at_level(logging.INFO, logger="clscore"):
        result = run(tiny_cfg, tmp_path / "ft", load_from=source["checkpoint"], validate=False)
    assert result["iter"] == 3
    assert "head.fc.weight (checkpoint [3, 120], model [4, 120])" in caplog.text
    assert "2 shape-mismatched keys" in caplog.text
    assert "num_classes=4 but the train dataset has 3 classes" in caplog.text
    ft = weights(tmp_path / "ft" / "epoch_1.pth")
    assert ft["head.fc.weight"].shape == (4, 120)


def test_label_outside_num_classes_fails_before_training(tiny_host, tiny_cfg, tmp_path):
    tiny_cfg["model"]["head"]["num_classes"] = 2
    with pytest.raises(DataError, match=r"label 2, outside \[0, 1\]"):
        run(tiny_cfg, tmp_path)
    assert not list(tmp_path.glob("*.pth"))


def test_nan_loss_stops_and_keeps_the_last_good_checkpoint(tiny_host, tiny_cfg, tmp_path):
    tiny_cfg["custom_hooks"] = [{"type": "PoisonWeights", "at": 4}]
    with pytest.raises(TrainingError, match=r"NaN or infinite at iteration 5 \(epoch 2\).*epoch_1\.pth"):
        run(tiny_cfg, tmp_path)
    assert (tmp_path / "latest").read_text().strip() == "epoch_1.pth"
    assert not (tmp_path / "epoch_2.pth").exists()
    assert all(
        torch.isfinite(v).all() for v in weights(tmp_path / "epoch_1.pth").values() if v.is_floating_point()
    )


def test_nan_policy_skip_drops_the_updates(tiny_host, tiny_cfg, tmp_path, caplog):
    tiny_cfg.update(custom_hooks=[{"type": "PoisonWeights", "at": 7}], nan_policy="skip")
    with caplog.at_level(logging.WARNING, logger="clscore"):
        result = run(tiny_cfg, tmp_path, validate=False)
    assert result["iter"] == 9
    assert "non-finite loss at iteration 8: update skipped (1 so far)" in caplog.text
    assert "(2 so far)" in caplog.text


@pytest.mark.parametrize(
    "extra",
    [
        {"amp": {"dtype": "bf16"}, "channels_last": True},
        {"fp16": {"loss_scale": 512.0}},
        {"fp16": {"loss_scale": "dynamic"}, "optimizer_config": {"grad_clip": {"max_norm": 1.0}}},
    ],
    ids=["bf16-channels_last", "fp16-static", "fp16-dynamic-clip"],
)
def test_mixed_precision_on_cpu(tiny_host, tiny_cfg, tmp_path, extra):
    tiny_cfg.update(
        runner={"type": "IterBasedRunner", "max_iters": 2}, checkpoint_config={"interval": 2}, **extra
    )
    result = run(tiny_cfg, tmp_path, validate=False)
    checkpoint = torch.load(result["checkpoint"], weights_only=True)
    assert all(torch.isfinite(v).all() for v in checkpoint["state_dict"].values() if v.is_floating_point())
    if "fp16" in extra:  # on a CPU fp16 trains in bfloat16, without a loss scaler
        assert "scaler" not in checkpoint
    lines = [json.loads(line) for line in Path(result["json_log"]).read_text().splitlines()][1:]
    assert all(x["loss"] == x["loss"] for x in lines)
    if "optimizer_config" in extra:
        assert "grad_norm" in lines[0]


def test_gradient_accumulation_matches_a_bigger_batch(tiny_host, tiny_cfg, tmp_path):
    tiny_cfg["data"]["train"]["pipeline"] = tiny_cfg["data"]["train"]["pipeline"][1:]  # no random flip
    tiny_cfg.pop("lr_config")
    big = dict(
        tiny_cfg, runner={"type": "IterBasedRunner", "max_iters": 1}, checkpoint_config={"interval": 1}
    )
    big["data"] = dict(tiny_cfg["data"], samples_per_gpu=8)
    acc = dict(
        big, runner={"type": "IterBasedRunner", "max_iters": 2}, optimizer_config={"cumulative_iters": 2}
    )
    acc["data"] = dict(tiny_cfg["data"], samples_per_gpu=4)
    run(big, tmp_path / "big", validate=False)
    run(acc, tmp_path / "acc", validate=False)
    a, b = weights(tmp_path / "big" / "iter_1.pth"), weights(tmp_path / "acc" / "iter_2.pth")
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=1e-5, atol=1e-6)


def test_ema_hook_and_tensorboard(tiny_host, tiny_cfg, tmp_path):
    pytest.importorskip("tensorboard")
    tiny_cfg.update(
        custom_hooks=[{"type": "EMAHook", "momentum": 0.1, "warm_up": 1, "priority": "ABOVE_NORMAL"}],
        log_config={"interval": 2, "hooks": [{"type": "TextLoggerHook"}, {"type": "TensorboardLoggerHook"}]},
        checkpoint_config={"interval": 1, "max_keep_ckpts": 1},
        evaluation={"interval": 1, "save_best": "auto"},
    )
    result = run(tiny_cfg, tmp_path)
    checkpoint = torch.load(result["checkpoint"], weights_only=True)
    ema = checkpoint["hooks"]["EMAHook"]["ema"]
    assert set(ema) == set(checkpoint["state_dict"])  # LeNet-5 has parameters only
    assert not torch.equal(ema["head.fc.weight"], checkpoint["state_dict"]["head.fc.weight"])
    assert list((tmp_path / "tf_logs").glob("events.out.tfevents.*"))
    # max_keep_ckpts=1: only the newest periodic checkpoint, plus the best one
    assert sorted(p.name for p in tmp_path.glob("epoch_*.pth")) == ["epoch_3.pth"]
    assert result["best"] is not None and (tmp_path / result["best"]["checkpoint"].split("/")[-1]).exists()


@pytest.mark.slow
def test_compile_opt_in(tiny_host, tiny_cfg, tmp_path):
    tiny_cfg.update(runner={"type": "IterBasedRunner", "max_iters": 2}, compile=True)
    tiny_cfg.pop("lr_config")
    result = run(tiny_cfg, tmp_path, validate=False)
    assert result["iter"] == 2 and [p.name for p in tmp_path.glob("iter_*.pth")] == ["iter_2.pth"]
