"""MMClassification 0.x ResNet-family recipes, as ``.py`` files with a ``_base_`` tree, each trained for one
short epoch with ``clsrun train X.py --cfg-options ...`` on tiny local data.

The files in ``recipes/`` are written to the shape of MMClassification 0.25's ``configs/resnet``,
``configs/resnext`` and ``configs/seresnet`` (same keys, bases and values). Only data paths,
``num_classes``, batch size, workers, epochs and image sizes are overridden; models are as in the recipe.
The RepeatAugSampler recipes (RSB A1/A2) also get ``sampler.selected_round=0``: with its default of 256 a
dataset of fewer than 256 images selects no sample at all (as in MMClassification).
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image

from clscore.cli import cli

RECIPES = Path(__file__).parent / "recipes"
NUM_CLASSES = 5  # top-5 accuracy needs at least 5 classes
BATCH = 5  # 10 training images: two iterations per epoch

#: What the log must say for recipes whose name contains the key (the piece really ran).
EXPECTED_LOG = {
    "preciseBN": "PreciseBN: recomputed the statistics of 53 BN layers",
    "fp16": "bf16 precision",
    "rsb-a3": "bf16 precision",
    "rsb-a1": "(2 per epoch)",
}

IMAGENET = sorted(p.name for p in RECIPES.glob("*_in1k.py"))
CIFAR = sorted(p.name for p in RECIPES.glob("*_cifar*.py"))


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ImageNet-style folder (train/<class>/, val/ with meta/val.txt) and CIFAR-10/100 python batches."""
    root = tmp_path_factory.mktemp("recipe-data")
    rng = np.random.default_rng(0)
    lines = []
    for c in range(NUM_CLASSES):
        for i in range(2):
            path = root / "train" / f"n{c:03d}" / f"{i}.JPEG"
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(rng.integers(0, 256, (40, 48, 3), dtype=np.uint8)).save(path)
        val = root / "val" / f"val_{c}.JPEG"
        val.parent.mkdir(exist_ok=True)
        Image.fromarray(rng.integers(0, 256, (44, 36, 3), dtype=np.uint8)).save(val)
        lines.append(f"val_{c}.JPEG {c}")
    (root / "meta").mkdir()
    (root / "meta" / "val.txt").write_text("\n".join(lines) + "\n")

    cifar10 = root / "cifar10" / "cifar-10-batches-py"
    cifar10.mkdir(parents=True)
    for name in ("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5"):
        _pickle(cifar10 / name, {"data": _images(rng, 2), "labels": [0, 1]})
    _pickle(cifar10 / "test_batch", {"data": _images(rng, 5), "labels": [0, 1, 2, 3, 4]})
    _pickle(cifar10 / "batches.meta", {"label_names": [f"c{i}" for i in range(10)]})
    cifar100 = root / "cifar100" / "cifar-100-python"
    cifar100.mkdir(parents=True)
    _pickle(cifar100 / "train", {"data": _images(rng, 10), "fine_labels": list(range(10))})
    _pickle(cifar100 / "test", {"data": _images(rng, 5), "fine_labels": [0, 1, 2, 3, 4]})
    _pickle(cifar100 / "meta", {"fine_label_names": [f"f{i}" for i in range(100)]})
    return root


def _images(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, 256, (n, 3072), dtype=np.uint8)


def _pickle(path: Path, entry: dict) -> None:
    path.write_bytes(pickle.dumps(entry))


def _imagenet_options(recipe: str, root: Path) -> list[str]:
    text = (RECIPES / recipe).read_text()
    options = [
        f"data.train.data_prefix={root / 'train'}",
        f"data.val.data_prefix={root / 'val'}",
        f"data.val.ann_file={root / 'meta' / 'val.txt'}",
        f"data.test.data_prefix={root / 'val'}",
        f"data.test.ann_file={root / 'meta' / 'val.txt'}",
        f"model.head.num_classes={NUM_CLASSES}",
        "data.train.pipeline.1.size=32",  # RandomResizedCrop
        "data.val.pipeline.1.size=[36,-1]",  # Resize
        "data.val.pipeline.2.crop_size=32",  # CenterCrop
    ]
    if "lbs" in recipe and "warmup" in recipe:
        options.append(f"model.head.loss.num_classes={NUM_CLASSES}")
    if "mixup" in recipe or "cutmix" in recipe:
        options.append(f"model.train_cfg.augments.num_classes={NUM_CLASSES}")
    if "rsb" in recipe:
        options += [f"model.train_cfg.augments.{i}.num_classes={NUM_CLASSES}" for i in (0, 1)]
    if "RepeatAugSampler" in text:
        options.append("sampler.selected_round=0")
    return options


def _cifar_options(recipe: str, root: Path) -> list[str]:
    folder = root / ("cifar100" if "cifar100" in recipe else "cifar10")
    return [f"data.{split}.data_prefix={folder}" for split in ("train", "val", "test")]


def _train(recipe: str, options: list[str], work_dir: Path) -> None:
    common = [f"data.samples_per_gpu={BATCH}", "data.workers_per_gpu=0", "runner.max_epochs=1"]
    args = ["train", str(RECIPES / recipe), "--work-dir", str(work_dir), "--seed", "0", "--device", "cpu"]
    args += ["--threads", "2", "--cfg-options", *options, *common]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, f"{recipe}:\n{result.output}\n{result.exception!r}"
    for marker, said in EXPECTED_LOG.items():
        if marker in recipe:
            assert said in result.output, f"{recipe}: {said!r} not logged"
    checkpoint = torch.load(work_dir / "epoch_1.pth", weights_only=True)
    assert checkpoint["meta"]["epoch"] == 1 and checkpoint["meta"]["iter"] == 2
    assert all(torch.isfinite(v).all() for v in checkpoint["state_dict"].values() if v.is_floating_point())


@pytest.mark.slow
@pytest.mark.parametrize("recipe", IMAGENET)
def test_imagenet_recipe_trains_one_epoch(recipe: str, data: Path, tmp_path: Path):
    _train(recipe, _imagenet_options(recipe, data), tmp_path / "work")


@pytest.mark.slow
@pytest.mark.parametrize("recipe", CIFAR)
def test_cifar_recipe_trains_one_epoch(recipe: str, data: Path, tmp_path: Path):
    _train(recipe, _cifar_options(recipe, data), tmp_path / "work")


def test_every_recipe_family_is_here():
    names = set(IMAGENET + CIFAR)
    for family in (
        "resnet18_8xb32",
        "coslr",
        "warmup",
        "lbs",
        "mixup",
        "cutmix",
        "fp16",
        "preciseBN",
        "rsb-a1",
        "rsb-a2",
        "rsb-a3",
        "resnext50",
        "seresnet50",
        "resnetv1c",
        "resnetv1d",
        "cifar10.py",
        "cifar100",
    ):
        assert any(family in n for n in names), family
