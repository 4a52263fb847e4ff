"""Data-pipeline throughput per worker: clscore's seed pipelines against torchvision, timm and the decoder.

Writes photo JPEGs made from ``--photos`` (default: /work/shared/data china.jpg and flower.jpg,
resized, cropped and mirrored into variants) into a temporary ImageNet-layout folder, in two sizes:
ImageNet-like (~500x375) and 12-megapixel phone photos (4000x3000); and the embedded digits as
32-px PNGs. Then, for one data-loading worker (``num_workers=0``, one torch thread), images/s of:

- ``clscore``: the seed config's train pipeline (LoadImageFromFile, RandomResizedCrop 224,
  RandomFlip, Normalize, ImageToTensor, ToTensor, Collect) and test pipeline (Resize (256, -1),
  CenterCrop 224, Normalize, ...) as the engine's train/test loaders run them: the dataset built by
  ``build_dataset(..., split=..., device_normalize=True)``, which moves the trailing Normalize out of
  the worker (the worker ships uint8), and the engine's ``collate``. The batched normalisation that
  replaces it runs on the training device, not in the worker; so that nothing is hidden, its cost on
  the CPU (``DataPreprocessor`` on a uint8 batch) is reported as ``device_normalize_cpu_us_per_image``
  and folded into the ``..._incl_cpu_normalize`` ratios;
- ``clscore_whole_decode``: the same with ``CLSCORE_REGION_DECODE=0``: JPEGs decoded whole, not only
  the crop (``clscore.data.region_decode``; the result's ``region_decode`` says whether it is built);
- ``clscore_normalize_in_worker``: the same pipeline with Normalize left in the worker (float32
  samples), as a plain ``build("dataset", ...)`` runs it, for reference;
- ``torchvision``: the classic ``ImageFolder`` + PIL transforms with the same augmentations;
- ``timm``: ``ImageFolder`` + ``timm.data.create_transform`` with the same augmentations.
  torchvision and timm normalise inside the worker (``ToTensor`` + ``Normalize`` per image): that is
  how those pipelines ship batches;
- ``decode``: ``decode_jpeg(read_file(p))`` per image, the ceiling for any JPEG pipeline.

Each pipeline runs in a process of its own (started fresh, one torch thread), so that none inherits
another's allocator state or caches: clscore tunes glibc's malloc in the processes that decode with
it (``clscore.data._allocator``), which torchvision and timm users do not have; the ``decode`` ceiling
gets the same tuning, so it stays the strict upper bound. The pipelines run in alternating rounds
(one pass each per round, after one warm-up pass), so a change in machine load hits all of them; the
figures are medians over rounds and ratios of medians. On a shared machine a burst of other work
can slow one pass 2-3x: with 64 images a pass lasted about 50 ms and five-round medians moved by a
fifth between runs, so the defaults are 256 ImageNet-size images, 12 phone photos and 11 rounds
(a pass of a quarter of a second or more; about four minutes in all). Each result names the
targets of issue 13 (train, ~500x375: >= 2.0x torchvision and >= 0.8 of the decode ceiling;
4000x3000: >= 5x torchvision) and whether they were met. ``--out PATH`` appends one JSON line per
(size, split) and one for the digits.

    python benchmarks/bench_pipeline.py [--images 256] [--big-images 12] [--rounds 11] [--out bench.jsonl]
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
    """A plain DataLoader over ``build("dataset", ...)``: the pipeline exactly as written."""
    from torch.utils.data import DataLoader

    from clscore.plugins import build

    dataset = build("dataset", {"type": kind, "data_prefix": str(root), "pipeline": pipeline})
    return DataLoader(dataset, batch_size=batch_size, num_workers=0, shuffle=False)


def engine_loader(root: Path, pipeline: list[dict], batch_size: int, split: str):
    """The dataset as the engine's train/test loaders build it (trailing Normalize moved to the
    device), with the engine's collate."""
    from torch.utils.data import DataLoader

    from clscore.data.builder import build_dataset, collate

    spec = {"type": "ImageNet", "data_prefix": str(root), "pipeline": pipeline}
    dataset = build_dataset(spec, split=split, device_normalize=True)
    return DataLoader(dataset, batch_size=batch_size, num_workers=0, shuffle=False, collate_fn=collate)


def device_normalize_cost(loader, repeats: int = 15) -> float:
    """µs per image (median call) of the engine's batched normalisation (``DataPreprocessor``) on one
    CPU thread, on a uint8 batch from ``loader``: the work the device does instead of the workers."""
    import torch

    from clscore.data.device_normalize import device_normalize
    from clscore.models.preprocessor import DataPreprocessor

    settings = device_normalize(loader)
    if settings is None:
        raise SystemExit("the engine's loader kept Normalize in the worker; nothing was moved to the device")
    step = DataPreprocessor(**settings)
    batch = next(iter(loader))["img"]
    assert batch.dtype == torch.uint8, batch.dtype
    for _ in range(3):  # warm-up: the allocator settles on the batch's size, as in a training run
        step(batch)
    calls = []
    for _ in range(repeats):  # CPU time: other jobs' load would only add noise
        start = time.process_time()
        step(batch)
        calls.append(time.process_time() - start)
    return statistics.median(calls) / len(batch) * 1e6


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

    from clscore.data._allocator import keep_image_buffers

    keep_image_buffers()  # the ceiling gets clscore's allocator tuning too: a strict upper bound

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


def make_pass(spec: dict) -> Callable[[], int]:
    """The timed pass ``spec`` describes: ``{"pipeline": name, "root": folder, "split": ..., "batch": n}``."""
    root, split, batch, name = Path(spec["root"]), spec["split"], spec["batch"], spec["pipeline"]
    if split == "digits":
        if name == "clscore":
            return loader_pass(clscore_loader(root, DIGITS_PIPELINE, batch, kind="CustomDataset"))
        return loader_pass(folder_loader(root, torchvision_transform("digits"), batch))
    if name == "clscore":
        return loader_pass(engine_loader(root, PIPELINES[split], batch, split))
    if name == "clscore_whole_decode":  # the same with region decoding off: what decoding the crop adds
        os.environ["CLSCORE_REGION_DECODE"] = "0"  # this process serves this pipeline only
        return loader_pass(engine_loader(root, PIPELINES[split], batch, split))
    if name == "clscore_normalize_in_worker":
        return loader_pass(clscore_loader(root, PIPELINES[split], batch))
    if name == "torchvision":
        return loader_pass(folder_loader(root, torchvision_transform(split), batch))
    if name == "timm":
        return loader_pass(folder_loader(root, timm_transform(split), batch))
    if name == "decode":
        return decode_pass(sorted(str(p) for p in root.glob("*/*.JPEG")))
    raise ValueError(f"unknown pipeline {name!r}")


def serve(connection) -> None:
    """One pipeline's process: builds each pass on first request (plus one warm-up), then times it."""
    import torch

    torch.set_num_threads(1)  # what one DataLoader worker gets
    passes: dict[str, Callable[[], int]] = {}
    while (request := connection.recv()) is not None:
        what, spec = request
        key = json.dumps(spec, sort_keys=True)
        if key not in passes:
            passes[key] = make_pass(spec)
            passes[key]()
        if what == "normalize_cost":
            root, split = Path(spec["root"]), spec["split"]
            connection.send(
                device_normalize_cost(engine_loader(root, PIPELINES[split], spec["batch"], split))
            )
            continue
        torch.manual_seed(0)
        start = time.perf_counter()
        count = passes[key]()
        connection.send(count / (time.perf_counter() - start))


class Pipelines:
    """One spawned process per pipeline name, kept for the whole run."""

    def __init__(self, names: list[str]) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")  # fresh interpreters: nothing inherited
        self.connections = {}
        self.processes = []
        for name in names:
            parent, child = context.Pipe()
            process = context.Process(target=serve, args=(child,), daemon=True)
            process.start()
            self.connections[name], self.processes = parent, [*self.processes, process]

    def ask(self, name: str, what: str, spec: dict) -> float:
        connection = self.connections[name]
        connection.send((what, {**spec, "pipeline": name}))
        return connection.recv()

    def close(self) -> None:
        for connection in self.connections.values():
            connection.send(None)
        for process in self.processes:
            process.join(timeout=30)


def alternate(servers: Pipelines, names: list[str], spec: dict, rounds: int) -> dict[str, list[float]]:
    """Images/s of each pipeline in each round, running them in turn (after one warm-up each)."""
    speeds: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(rounds):
        for name in names:
            speeds[name].append(servers.ask(name, "pass", spec))
    return speeds


#: What each photo result's ``clscore`` figure is, and which pipelines normalise in the worker.
ENGINE_WORKER = {
    "clscore_worker": "engine loader: trailing Normalize moved to the device, uint8 samples",
    "normalised_in_worker": ["clscore_normalize_in_worker", "torchvision", "timm"],
}
#: Issue 13's targets: (images, split) -> {figure: at least}.
TARGETS = {
    ("imagenet", "train"): {"ratio_vs_torchvision": 2.0, "fraction_of_decode_ceiling": 0.8},
    ("photo12mp", "train"): {"ratio_vs_torchvision": 5.0},
    ("photo12mp", "test"): {"ratio_vs_torchvision": 5.0},
}


def summarise(speeds: dict[str, list[float]], normalize_us: float | None = None, **extra: object) -> dict:
    median = {name: statistics.median(values) for name, values in speeds.items()}
    result: dict = {"images_per_s": {k: round(v, 1) for k, v in median.items()}, **extra}
    ours = median["clscore"]
    for other in ("torchvision", "timm"):
        if other in median:
            result[f"ratio_vs_{other}"] = round(ours / median[other], 3)
            rounds = [a / b for a, b in zip(speeds["clscore"], speeds[other], strict=True)]
            result[f"ratio_vs_{other}_per_round"] = [round(r, 3) for r in rounds]
            if "clscore_normalize_in_worker" in median:
                result[f"ratio_vs_{other}_normalize_in_worker"] = round(
                    median["clscore_normalize_in_worker"] / median[other], 3
                )
    if normalize_us is not None:
        result["device_normalize_cpu_us_per_image"] = round(normalize_us, 1)
        with_normalize = 1e6 / (1e6 / ours + normalize_us)  # worker + the batched step, both on a CPU
        for other in ("torchvision", "timm"):
            if other in median:
                result[f"ratio_vs_{other}_incl_cpu_normalize"] = round(with_normalize / median[other], 3)
    if "clscore_whole_decode" in median:
        result["ratio_vs_clscore_whole_decode"] = round(ours / median["clscore_whole_decode"], 3)
    if "decode" in median:
        result["fraction_of_decode_ceiling"] = round(ours / median["decode"], 3)
    targets = TARGETS.get((extra.get("images"), extra.get("split")), {})
    if targets:
        result["targets"] = {
            key: {"at_least": low, "met": result[key] >= low} for key, low in targets.items()
        }
    return result


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=256, help="ImageNet-size JPEGs (default 256)")
    parser.add_argument("--big-images", type=int, default=12, help="4000x3000 JPEGs (default 12)")
    parser.add_argument("--rounds", type=int, default=11, help="alternating rounds (default 11)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--photos", type=Path, nargs="*", default=DEFAULT_PHOTOS)
    parser.add_argument("--out", type=Path, help="append the results as JSON lines to this file")
    args = parser.parse_args(argv)

    import torch
    import torchvision

    sources = [Image.open(p).convert("RGB") for p in args.photos]
    meta = {
        "torch_threads": 1,
        "rounds": args.rounds,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "python": platform.python_version(),
        "processes": "one per pipeline",
    }
    from clscore.data.region_decode import available

    meta["region_decode"] = available()  # the C extension is built (clscore's crop-only JPEG decoding)
    names = [
        "clscore",
        "clscore_whole_decode",
        "clscore_normalize_in_worker",
        "torchvision",
        "timm",
        "decode",
    ]
    results = []
    servers = Pipelines(names)
    try:
        with tempfile.TemporaryDirectory(prefix="clscore-bench-") as tmp:
            for label, count, size in (
                ("imagenet", args.images, (500, 375)),
                ("photo12mp", args.big_images, (4000, 3000)),
            ):
                root = Path(tmp) / label
                write_photos(root, sources, count, size)
                for split in ("train", "test"):
                    spec = {"root": str(root), "split": split, "batch": args.batch_size}
                    speeds = alternate(servers, names, spec, args.rounds)
                    normalize_us = servers.ask("clscore", "normalize_cost", spec)
                    result = summarise(speeds, normalize_us, benchmark="pipeline", images=label,
                                       image_size=list(size), count=count, split=split, **ENGINE_WORKER, **meta)  # fmt: skip
                    results.append(result)
                    print(json.dumps(result), flush=True)
            digits = Path(tmp) / "digits"
            write_digits(digits)
            spec = {"root": str(digits), "split": "digits", "batch": 64}
            result = summarise(
                alternate(servers, ["clscore", "torchvision"], spec, args.rounds),
                benchmark="pipeline",
                images="digits-png-32px",
                clscore_worker="plain build('dataset', ...): Normalize in the worker, as torchvision's",
                **meta,
            )
            result["clscore_us_per_image"] = round(1e6 / result["images_per_s"]["clscore"], 1)
            results.append(result)
            print(json.dumps(result), flush=True)
    finally:
        servers.close()
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("a", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r) + "\n" for r in results)
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
