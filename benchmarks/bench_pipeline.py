"""Data-pipeline throughput per worker: clscore's seed pipelines against torchvision, timm and the decoder.

Writes photo JPEGs made from ``--photos`` (default: /work/shared/data china.jpg and flower.jpg,
resized, cropped and mirrored into variants) into a temporary ImageNet-layout folder, in two sizes:
ImageNet-like (~500x375) and 12-megapixel phone photos (4000x3000); and the embedded digits as
32-px PNGs. Then, for one data-loading worker (``num_workers=0``, one torch thread), images/s of:

- ``clscore``: ``build("dataset", ImageNet, pipeline=...)`` with the seed config's train pipeline
  (LoadImageFromFile, RandomResizedCrop 224, RandomFlip, Normalize, ImageToTensor, ToTensor,
  Collect) and test pipeline (Resize (256, -1), CenterCrop 224, Normalize, ...), plain DataLoader;
- ``torchvision``: the classic ``ImageFolder`` + PIL transforms with the same augmentations;
- ``timm``: ``ImageFolder`` + ``timm.data.create_transform`` with the same augmentations;
- ``decode``: ``decode_jpeg(read_file(p))`` per image, the ceiling for any JPEG pipeline.

The pipelines run in alternating rounds (one pass each per round), so a change in machine load hits
all of them; the figures are medians over rounds and ratios of medians. ``--out PATH`` appends one
JSON line per (size, split) and one for the digits.

    python benchmarks/bench_pipeline.py [--images 64] [--big-images 6] [--rounds 3] [--out bench.jsonl]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

MEAN = [123.675, 116.28, 103.53]
STD = [58.395, 57.12, 57.375]
NORM = {"type": "Normalize", "mean": MEAN, "std": STD, "to_rgb": True}
PIPELINES = {
    "train": [
        {"type": "LoadImageFromFile"},
        {"type": "RandomResizedCrop", "size": 224},
        {"type": "RandomFlip", "flip_prob": 0.5, "direction": "horizontal"},
        NORM,
        {"type": "ImageToTensor", "keys": ["img"]},
        {"type": "ToTensor", "keys": ["gt_label"]},
        {"type": "Collect", "keys": ["img", "gt_label"]},
    ],
    "test": [
        {"type": "LoadImageFromFile"},
        {"type": "Resize", "size": [256, -1]},
        {"type": "CenterCrop", "crop_size": 224},
        NORM,
        {"type": "ImageToTensor", "keys": ["img"]},
        {"type": "ToTensor", "keys": ["gt_label"]},
        {"type": "Collect", "keys": ["img", "gt_label"]},
    ],
}
DIGITS_PIPELINE = [
    {"type": "LoadImageFromFile"},
    {"type": "Normalize", "mean": [77.9] * 3, "std": [82.5] * 3},
    {"type": "ImageToTensor", "keys": ["img"]},
    {"type": "ToTensor", "keys": ["gt_label"]},
    {"type": "Collect", "keys": ["img", "gt_label"]},
]
DEFAULT_PHOTOS = [Path("/work/shared/data/china.jpg"), Path("/work/shared/data/flower.jpg")]


def write_photos(root: Path, sources: list[Image.Image], count: int, size: tuple[int, int]) -> None:
    """``root/n0000000k/img_XXXX.JPEG``: crops of the sources (varied box and mirror) at ``size``."""
    rng = np.random.default_rng(0)
    for index in range(count):
        source = sources[index % len(sources)]
        w, h = source.size
        cw, ch = int(w * rng.uniform(0.7, 1.0)), int(h * rng.uniform(0.7, 1.0))
        left, top = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
        image = source.crop((left, top, left + cw, top + ch)).resize(size, Image.BICUBIC)
        if index % 2:
            image = ImageOps.mirror(image)
        folder = root / f"n{index % 4:08d}"
        folder.mkdir(parents=True, exist_ok=True)
        image.save(folder / f"img_{index:04d}.JPEG", quality=90)


def write_digits(root: Path) -> None:
    from clscore.data.datasets.uci_digits import Digits

    dataset = Digits(split="val", img_size=32)
    for index in range(len(dataset)):
        sample = dataset.get_sample(index)
        folder = root / str(int(sample["gt_label"]))
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(sample["img"].permute(1, 2, 0).numpy()).save(folder / f"{index:05d}.png")


def clscore_loader(root: Path, pipeline: list[dict], batch_size: int, kind: str = "ImageNet"):
    from torch.utils.data import DataLoader

    from clscore.plugins import build

    dataset = build("dataset", {"type": kind, "data_prefix": str(root), "pipeline": pipeline})
    return DataLoader(dataset, batch_size=batch_size, num_workers=0, shuffle=False)


def folder_loader(root: Path, transform, batch_size: int):
    from torch.utils.data import DataLoader
    from torchvision import datasets

    return DataLoader(datasets.ImageFolder(str(root), transform=transform), batch_size=batch_size)


def torchvision_transform(split: str):
    from torchvision import transforms as T

    tail = [T.ToTensor(), T.Normalize(mean=[m / 255 for m in MEAN], std=[s / 255 for s in STD])]
    if split == "train":
        return T.Compose([T.RandomResizedCrop(224), T.RandomHorizontalFlip(), *tail])
    if split == "test":
        return T.Compose([T.Resize(256), T.CenterCrop(224), *tail])
    return T.Compose(tail)


def timm_transform(split: str):
    from timm.data import create_transform

    common = {"interpolation": "bilinear", "mean": [m / 255 for m in MEAN], "std": [s / 255 for s in STD]}
    if split == "train":
        return create_transform(
            224, is_training=True, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3), hflip=0.5, vflip=0.0,
            color_jitter=None, auto_augment=None, re_prob=0.0, **common,
        )  # fmt: skip
    return create_transform(224, is_training=False, crop_pct=224 / 256, **common)


def decode_pass(paths: list[str]) -> Callable[[], int]:
    from torchvision.io import decode_jpeg, read_file

    def run() -> int:
        for path in paths:
            decode_jpeg(read_file(path))
        return len(paths)

    return run


def loader_pass(loader) -> Callable[[], int]:
    def run() -> int:
        for _batch in loader:
            pass
        return len(loader.dataset)

    return run


def alternate(passes: dict[str, Callable[[], int]], rounds: int) -> dict[str, list[float]]:
    """Images/s of each pass in each round, running them in turn (after one warm-up each)."""
    import torch

    for run in passes.values():
        run()
    speeds: dict[str, list[float]] = {name: [] for name in passes}
    for _ in range(rounds):
        for name, run in passes.items():
            torch.manual_seed(0)
            start = time.perf_counter()
            count = run()
            speeds[name].append(count / (time.perf_counter() - start))
    return speeds


def summarise(speeds: dict[str, list[float]], **extra: object) -> dict:
    median = {name: statistics.median(values) for name, values in speeds.items()}
    result: dict = {"images_per_s": {k: round(v, 1) for k, v in median.items()}, **extra}
    ours = median["clscore"]
    for other in ("torchvision", "timm"):
        if other in median:
            result[f"ratio_vs_{other}"] = round(ours / median[other], 3)
            rounds = [a / b for a, b in zip(speeds["clscore"], speeds[other], strict=True)]
            result[f"ratio_vs_{other}_per_round"] = [round(r, 3) for r in rounds]
    if "decode" in median:
        result["fraction_of_decode_ceiling"] = round(ours / median["decode"], 3)
    return result


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=64, help="ImageNet-size JPEGs (default 64)")
    parser.add_argument("--big-images", type=int, default=6, help="4000x3000 JPEGs (default 6)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--photos", type=Path, nargs="*", default=DEFAULT_PHOTOS)
    parser.add_argument("--out", type=Path, help="append the results as JSON lines to this file")
    args = parser.parse_args(argv)

    import torch
    import torchvision

    torch.set_num_threads(1)  # what one DataLoader worker gets
    sources = [Image.open(p).convert("RGB") for p in args.photos]
    meta = {
        "torch_threads": 1,
        "rounds": args.rounds,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "python": platform.python_version(),
    }
    results = []
    with tempfile.TemporaryDirectory(prefix="clscore-bench-") as tmp:
        for label, count, size in (
            ("imagenet", args.images, (500, 375)),
            ("photo12mp", args.big_images, (4000, 3000)),
        ):
            root = Path(tmp) / label
            write_photos(root, sources, count, size)
            paths = sorted(str(p) for p in root.glob("*/*.JPEG"))
            for split in ("train", "test"):
                passes = {
                    "clscore": loader_pass(clscore_loader(root, PIPELINES[split], args.batch_size)),
                    "torchvision": loader_pass(
                        folder_loader(root, torchvision_transform(split), args.batch_size)
                    ),
                    "timm": loader_pass(folder_loader(root, timm_transform(split), args.batch_size)),
                    "decode": decode_pass(paths),
                }
                result = summarise(alternate(passes, args.rounds), benchmark="pipeline", images=label,
                                   image_size=list(size), count=count, split=split, **meta)  # fmt: skip
                results.append(result)
                print(json.dumps(result))
        digits = Path(tmp) / "digits"
        write_digits(digits)
        passes = {
            "clscore": loader_pass(clscore_loader(digits, DIGITS_PIPELINE, 64, kind="CustomDataset")),
            "torchvision": loader_pass(folder_loader(digits, torchvision_transform("digits"), 64)),
        }
        result = summarise(
            alternate(passes, args.rounds), benchmark="pipeline", images="digits-png-32px", **meta
        )
        result["clscore_us_per_image"] = round(1e6 / result["images_per_s"]["clscore"], 1)
        results.append(result)
        print(json.dumps(result))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("a", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r) + "\n" for r in results)
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
