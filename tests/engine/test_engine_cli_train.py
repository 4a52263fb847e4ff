"""``clsrun train``: the seed's config on an ImageNet-layout tree, bad input, ``--nproc 2`` on CPU."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
from click.testing import CliRunner
from PIL import Image

from clscore.cli import cli

ROOT = Path(__file__).resolve().parents[2]
SEED_CONFIG = ROOT / "configs" / "resnet" / "resnet50_8xb32_in1k.yaml"
DIGITS_CONFIG = ROOT / "configs" / "digits" / "resnet18_digits.yaml"


def make_imagenet_tree(root: Path, per_class: int = 4, size: int = 32) -> Path:
    """``train/<class>/*.png``, ``val/*.png`` and ``meta/val.txt``, 2 classes of flat-coloured images."""
    rng = np.random.default_rng(0)
    (root / "meta").mkdir(parents=True)
    (root / "val").mkdir()
    lines = []
    for label, name in enumerate(["n01440764", "n01443537"]):
        (root / "train" / name).mkdir(parents=True)
        for i in range(per_class):
            pixels = np.clip(rng.normal(60 + 120 * label, 20, (size, size, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels).save(root / "train" / name / f"{i}.png")
            Image.fromarray(pixels).save(root / "val" / f"val_{label}_{i}.png")
            lines.append(f"val_{label}_{i}.png {label}")
    (root / "meta" / "val.txt").write_text("\n".join(lines) + "\n")
    return root


def seed_options(root: Path, depth: int) -> list[str]:
    """Only paths, the class count and sizes (plus a short schedule) change from the seed's config."""
    channels = 512 if depth in (18, 34) else 2048
    return [
        f"data.train.data_prefix={root / 'train'}",
        f"data.val.data_prefix={root / 'val'}",
        f"data.val.ann_file={root / 'meta' / 'val.txt'}",
        f"data.test.data_prefix={root / 'val'}",
        f"data.test.ann_file={root / 'meta' / 'val.txt'}",
        "model.head.num_classes=2",
        f"model.backbone.depth={depth}",
        f"model.head.in_channels={channels}",
        "data.train.pipeline.1.size=32",
        "data.val.pipeline.1.size=[36,-1]",
        "data.val.pipeline.2.crop_size=32",
        "data.samples_per_gpu=4",
        "data.workers_per_gpu=1",
        "runner.max_epochs=1",
    ]


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def real_host():
    """The process-wide host with the installed plugins (ResNet comes from clscore-plugin-resnet)."""
    from clscore.plugins import PluginHost
    from clscore.testing import use_host

    with use_host(PluginHost()) as host:
        if "ResNet" not in host.registry("backbone"):
            pytest.skip("clscore-plugin-resnet is not installed")
        yield host


@pytest.mark.parametrize("depth", [18, pytest.param(50, marks=pytest.mark.slow)])
def test_seed_config_trains_on_an_imagenet_layout_tree(real_host, tmp_path, depth):
    root = make_imagenet_tree(tmp_path / "imagenet")
    work = tmp_path / "work"
    options = [x for o in seed_options(root, depth) for x in ("--cfg-options", o)]
    result = invoke("train", str(SEED_CONFIG), "--work-dir", str(work), "--device", "cpu", *options)
    assert result.exit_code == 0, result.output
    # 2 classes: top-5 is clipped but keeps its key
    assert "accuracy_top-1" in result.output and "accuracy_top-5" in result.output
    assert (work / "epoch_1.pth").exists() and (work / "resnet50_8xb32_in1k.yaml").exists()
    # the val split read from meta/val.txt takes the train folders' classes, not ImageNet's 1000 names
    log_text = next(work.glob("*.log")).read_text()
    assert "has 1000 classes" not in log_text and "differ from the train dataset's" not in log_text
    merged = yaml.safe_load((work / "resnet50_8xb32_in1k.yaml").read_text())
    assert merged["data"]["train"]["pipeline"][1]["size"] == 32
    assert merged["train_pipeline"][1]["size"] == 224  # the anchor's other uses are untouched
    meta = torch.load(work / "epoch_1.pth", weights_only=True)["meta"]
    assert meta["classes"] == ["n01440764", "n01443537"]


@pytest.mark.parametrize("path", [SEED_CONFIG, DIGITS_CONFIG], ids=lambda p: p.stem)
def test_configs_validate(real_host, path):
    result = invoke("config", "validate", str(path))
    assert result.exit_code == 0, result.output


def write_cfg(tmp_path: Path, cfg: dict) -> str:
    path = tmp_path / "cfg.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return str(path)


def assert_clean_error(result, *fragments: str) -> None:
    assert result.exit_code != 0
    assert "Traceback" not in result.output, result.output
    for fragment in fragments:
        assert fragment in result.output, result.output


def folder_cfg(tiny_cfg: dict, prefix: Path, workers: int = 0) -> dict:
    load = [{"type": "LoadImageFromFile"}, {"type": "Resize", "size": 32}]
    tiny_cfg["data"]["train"] = {
        "type": "CustomDataset",
        "data_prefix": str(prefix),
        "pipeline": load + tiny_cfg["data"]["train"]["pipeline"][1:],
    }
    tiny_cfg["data"]["workers_per_gpu"] = workers
    tiny_cfg["model"]["head"]["num_classes"] = 2
    tiny_cfg["runner"]["max_epochs"] = 1
    return tiny_cfg


def test_bad_data_gives_one_clear_message(tiny_host, tiny_cfg, tmp_path):
    missing = write_cfg(tmp_path, folder_cfg(tiny_cfg, tmp_path / "nowhere"))
    assert_clean_error(
        invoke("train", missing, "--work-dir", str(tmp_path / "w1")),
        "Error: data.train.data_prefix:",
        "data_prefix",
        "nowhere",
    )

    (tmp_path / "empty" / "cat").mkdir(parents=True)
    empty = write_cfg(tmp_path, folder_cfg(tiny_cfg, tmp_path / "empty"))
    assert_clean_error(invoke("train", empty, "--work-dir", str(tmp_path / "w2")), "Error:", "no images")

    tree = make_imagenet_tree(tmp_path / "tree")
    broken = tree / "train" / "n01443537" / "2.png"
    broken.write_bytes(broken.read_bytes()[:40])
    unreadable = write_cfg(tmp_path, folder_cfg(tiny_cfg, tree / "train", workers=1))
    result = invoke("train", unreadable, "--work-dir", str(tmp_path / "w3"), "--no-validate")
    assert_clean_error(result, "Error:", str(broken))
    assert "Original Traceback" not in result.output and "DataLoader worker" not in result.output


def test_bad_checkpoints_and_nan_loss_via_the_cli(tiny_host, tiny_cfg, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tiny_cfg["runner"]["max_epochs"] = 2
    cfg = write_cfg(tmp_path, tiny_cfg)
    junk = tmp_path / "junk.pth"
    junk.write_text("not a checkpoint")
    assert_clean_error(
        invoke("train", cfg, "--load-from", str(junk)), f"not a PyTorch checkpoint or truncated: {junk}"
    )
    assert (
        tmp_path / "work_dirs" / "cfg" / "cfg.yaml"
    ).exists()  # the default work dir: work_dirs/<config stem>

    marker = tmp_path / "marker"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    evil = tmp_path / "evil.pth"
    torch.save({"state_dict": {}, "meta": Payload()}, evil)
    result = invoke("train", cfg, "--resume-from", str(evil))
    assert_clean_error(result, "refusing to load", str(evil), "system")
    assert not marker.exists()

    tiny_cfg["custom_hooks"] = [{"type": "PoisonWeights", "at": 4}]
    nan_cfg = write_cfg(tmp_path, tiny_cfg)
    result = invoke("train", nan_cfg, "--work-dir", str(tmp_path / "nan"), "--device", "cpu")
    assert_clean_error(result, "NaN or infinite at iteration 5", "epoch_1.pth")


def test_nproc_2_on_cpu_trains_and_evaluates_each_sample_once(tmp_path):
    cfg = {
        "_base_": [str(ROOT / "configs" / "_base_" / "datasets" / "digits.yaml")],
        "model": {
            "type": "ImageClassifier",
            "backbone": {"type": "LeNet5"},
            "neck": {"type": "GlobalAveragePooling"},
            "head": {"type": "LinearClsHead", "num_classes": 10, "in_channels": 120},
        },
        "optimizer": {"type": "SGD", "lr": 0.05, "momentum": 0.9},
        "runner": {"type": "EpochBasedRunner", "max_epochs": 1},
        "log_config": {"interval": 5},
        "evaluation": {"interval": 1, "metric": ["accuracy", "support"]},
        "seed": 0,
    }
    path = tmp_path / "ddp.yaml"
    path.write_text(yaml.safe_dump(cfg))
    env = {**os.environ, "CLSCORE_LOAD_PLUGINS": "", "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "clscore",
            "train",
            str(path),
            "--work-dir",
            str(tmp_path / "w"),
            "--nproc",
            "2",
            "--device",
            "cpu",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    lines = [json.loads(x) for x in next((tmp_path / "w").glob("*.log.json")).read_text().splitlines()]
    assert lines[0]["env_info"]["world_size"] == 2
    train_lines = [x for x in lines if x.get("mode") == "train"]
    val = [x for x in lines if x.get("mode") == "val"]
    assert train_lines[-1]["iter"] == 12  # 1,442 samples / 2 processes / 64 per batch
    assert len(val) == 1 and val[0]["support"] == 355  # every val sample once, padding dropped
    assert (tmp_path / "w" / "epoch_1.pth").exists()
