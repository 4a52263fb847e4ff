"""The check before a run: found in milliseconds, before a work dir or a log is created."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from clscore import Config, train
from clscore.apis._config import to_plain
from clscore.apis.preflight import preflight
from clscore.cli import cli
from clscore.data.builder import build_dataset
from clscore.errors import ConfigError, DataError

ROOT = Path(__file__).resolve().parents[2]
DEMO = str(ROOT / "configs" / "digits" / "resnet18_digits.yaml")


def demo(**options):
    return Config.fromfile(DEMO, cfg_options={"runner.max_epochs": 1, **options})


def image(path: Path, seed: int = 0) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = np.random.default_rng(seed).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path)


def folder_set(root: Path, **extra):
    pipeline = [
        {"type": "LoadImageFromFile"},
        {"type": "Resize", "size": [32, 32]},
        {"type": "Normalize", "mean": [0.0] * 3, "std": [1.0] * 3},
        {"type": "ImageToTensor", "keys": ["img"]},
        {"type": "ToTensor", "keys": ["gt_label"]},
        {"type": "Collect", "keys": ["img", "gt_label"]},
    ]
    return {"type": "CustomDataset", "data_prefix": str(root), "pipeline": pipeline, **extra}


@pytest.mark.parametrize(
    ("options", "error", "expected"),
    [
        (
            {"model.head.in_channels": 2048},
            ConfigError,
            "model.head.in_channels: 2048, but the features reaching the head have 512 channels",
        ),
        ({"evaluation.save_best": "accuracy_top1"}, ConfigError, "did you mean 'accuracy_top-1'?"),
        ({"load_from": "no/such.pth"}, ConfigError, "load_from: checkpoint not found: no/such.pth"),
    ],
)
def test_train_fails_before_creating_the_work_dir(tmp_path, options, error, expected):
    work_dir = tmp_path / "run"
    with pytest.raises(error, match=expected.replace("(", r"\(").replace("?", r"\?")):
        train(demo(**options), work_dir=work_dir, device="cpu")
    assert not work_dir.exists()


def test_a_val_ann_file_naming_a_missing_image_fails_up_front(tmp_path):
    for i in range(4):
        image(tmp_path / "imgs" / f"{i}.png", i)
    (tmp_path / "val.txt").write_text("0.png 0\n1.png 1\ngone.png 1\n")
    cfg = to_plain(demo())
    cfg["data"]["val"] = folder_set(tmp_path / "imgs", ann_file=str(tmp_path / "val.txt"))
    with pytest.raises(
        DataError,
        match=r"data\.val\.ann_file: 1 of the 3 images .*val\.txt lists do not exist \(.*gone\.png\)",
    ):
        preflight(cfg)
    with pytest.raises(DataError, match=r"gone\.png"):
        train(cfg, work_dir=tmp_path / "run", device="cpu")
    assert not (tmp_path / "run").exists()


def test_an_empty_class_folder_is_named_in_a_warning(tmp_path):
    for name in ("ant", "cat"):
        for i in range(2):
            image(tmp_path / "train" / name / f"{i}.png", i)
    (tmp_path / "train" / "bee").mkdir()
    cfg = to_plain(demo())
    cfg["data"]["train"] = folder_set(tmp_path / "train")
    cfg["model"]["head"]["num_classes"] = 3
    cfg["data"].pop("val")
    warnings = preflight(cfg, validate=False).warnings
    assert (
        len(warnings) == 1
        and "class folder(s) bee in" in warnings[0]
        and warnings[0].startswith("data.train:")
    )


def test_validate_deep_runs_the_model_and_metric_checks():
    result = CliRunner().invoke(
        cli, ["config", "validate", DEMO, "--deep", "--cfg-options", "model.head.in_channels=2048"]
    )
    assert result.exit_code == 2 and "model.head.in_channels: 2048" in result.output
    ok = CliRunner().invoke(cli, ["config", "validate", DEMO, "--deep"])
    assert ok.exit_code == 0, ok.output


def test_imagenet_with_an_ann_file_and_no_classes_has_as_many_classes_as_labels(tmp_path):
    for i in range(3):
        image(tmp_path / "imgs" / f"{i}.png", i)
    (tmp_path / "train.txt").write_text("0.png 0\n1.png 1\n2.png 2\n")
    spec = folder_set(tmp_path / "imgs", ann_file=str(tmp_path / "train.txt"))
    spec["type"] = "ImageNet"
    assert build_dataset(spec, split="train").classes == ["0", "1", "2"]
