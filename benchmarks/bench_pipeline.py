"""Data-pipeline throughput: the seed's train pipeline through clscore vs torchvision's classic one.

Writes ImageNet-sized JPEGs (500x375 by default, photo-like content: smooth colour fields, shapes,
sensor-like noise) into a temporary ImageNet-layout folder, then measures images per second for
one data-loading worker (``num_workers=0``, one torch thread, as each DataLoader worker runs) of:

- clscore: ``ImageNet`` dataset + LoadImageFromFile, RandomResizedCrop(224), RandomFlip, Normalize,
  ImageToTensor, ToTensor, Collect (the seed config's train pipeline), batches of 32;
- torchvision: ``ImageFolder`` + RandomResizedCrop(224), RandomHorizontalFlip, ToTensor, Normalize.

Both read the same files in the same order; the best of ``--repeats`` passes is reported, with the
ratio clscore / torchvision. ``--out PATH`` appends the figures as one JSON line.

    python benchmarks/bench_pipeline.py [--images 200] [--repeats 3] [--out bench.jsonl]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

MEAN = [123.675, 116.28, 103.53]
STD = [58.395, 57.12, 57.375]
SEED_TRAIN_PIPELINE = [
    {"type": "LoadImageFromFile"},
    {"type": "RandomResizedCrop", "size": 224},
    {"type": "RandomFlip", "flip_prob": 0.5, "direction": "horizontal"},
    {"type": "Normalize", "mean": MEAN, "std": STD, "to_rgb": True},
    {"type": "ImageToTensor", "keys": ["img"]},
    {"type": "ToTensor", "keys": ["gt_label"]},
    {"type": "Collect", "keys": ["img", "gt_label"]},
]


def photo_like(rng: np.random.Generator, width: int, height: int) -> Image.Image:
    """Random content that compresses like a photograph: gradients, edges, texture and noise."""
    coarse = rng.integers(0, 256, size=(6, 8, 3), dtype=np.uint8)
    image = Image.fromarray(coarse).resize((width, height), Image.BICUBIC)
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(4, 12))):
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        x1, y1 = x0 + int(rng.integers(10, width // 2)), y0 + int(rng.integers(10, height // 2))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)((x0, y0, x1, y1), fill=colour)
    pixels = np.asarray(image, dtype=np.int16) + rng.normal(0, 10, size=(height, width, 3)).astype(np.int16)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def make_imagenet_folder(root: Path, count: int, width: int, height: int, classes: int = 4) -> int:
    """``root/n0000000k/img_XXXX.JPEG`` files; returns the total bytes written."""
    rng = np.random.default_rng(0)
    total = 0
    for index in range(count):
        folder = root / f"n{index % classes:08d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"img_{index:04d}.JPEG"
        photo_like(rng, width, height).save(path, quality=90)
        total += path.stat().st_size
    return total


def images_per_second(loader, repeats: int) -> float:
    """Best throughput over ``repeats`` full passes (after one warm-up batch)."""
    import torch

    count = len(loader.dataset)
    next(iter(loader))
    best = 0.0
    for _ in range(repeats):
        torch.manual_seed(0)
        start = time.perf_counter()
        for _batch in loader:
            pass
        best = max(best, count / (time.perf_counter() - start))
    return best


def clscore_loader(root: Path, batch_size: int):
    from torch.utils.data import DataLoader

    from clscore.plugins import build

    dataset = build(
        "dataset", {"type": "ImageNet", "data_prefix": str(root), "pipeline": SEED_TRAIN_PIPELINE}
    )
    return DataLoader(dataset, batch_size=batch_size, num_workers=0, shuffle=False)


def torchvision_loader(root: Path, batch_size: int):
    from torch.utils.data import DataLoader
    from torchvision import datasets
    from torchvision import transforms as T

    transform = T.Compose(
        [
            T.RandomResizedCrop(224),
            T.RandomHorizontalFlip(),
            T.ToTensor(),
            T.Normalize(mean=[m / 255 for m in MEAN], std=[s / 255 for s in STD]),
        ]
    )
    dataset = datasets.ImageFolder(str(root), transform=transform)
    return DataLoader(dataset, batch_size=batch_size, num_workers=0, shuffle=False)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=200, help="number of JPEGs to write (default 200)")
    parser.add_argument("--width", type=int, default=500)
    parser.add_argument("--height", type=int, default=375)
    parser.add_argument("--repeats", type=int, default=3, help="timed passes per pipeline; the best counts")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--out", type=Path, help="append the result as one JSON line to this file")
    args = parser.parse_args(argv)

    import torch
    import torchvision

    torch.set_num_threads(1)  # what one DataLoader worker gets
    with tempfile.TemporaryDirectory(prefix="clscore-bench-") as tmp:
        root = Path(tmp) / "train"
        start = time.perf_counter()
        size = make_imagenet_folder(root, args.images, args.width, args.height)
        print(
            f"wrote {args.images} JPEGs of {args.width}x{args.height} "
            f"({size / args.images / 1024:.0f} KiB on average) in {time.perf_counter() - start:.1f} s"
        )
        ours_loader = clscore_loader(root, args.batch_size)
        theirs_loader = torchvision_loader(root, args.batch_size)
        assert [s for s, _ in ours_loader.dataset.samples] == [
            Path(p).relative_to(root).as_posix() for p, _ in theirs_loader.dataset.samples
        ], "both pipelines must read the same files in the same order"
        ours = images_per_second(ours_loader, args.repeats)
        theirs = images_per_second(theirs_loader, args.repeats)

    result = {
        "benchmark": "pipeline",
        "images": args.images,
        "image_size": [args.width, args.height],
        "batch_size": args.batch_size,
        "torch_threads": 1,
        "clscore_images_per_s": round(ours, 1),
        "torchvision_images_per_s": round(theirs, 1),
        "ratio": round(ours / theirs, 3),
        "repeats": args.repeats,
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "python": platform.python_version(),
    }
    print(f"clscore ImageNet + seed train pipeline:     {ours:7.1f} images/s per worker")
    print(f"torchvision ImageFolder + classic transforms: {theirs:7.1f} images/s per worker")
    print(f"ratio clscore / torchvision: {ours / theirs:.2f}")
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(result) + "\n")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
