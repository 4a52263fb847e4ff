"""``clsrun train`` against a hand-written PyTorch loop doing exactly the same work, side by side.

Each run is a fresh process, the two sides alternating (``--repeats`` pairs, the side that starts
alternating too), and both set their threads with the same policy before torch starts
(``clscore.cli._threads``: threads from the cores available, passive OpenMP waiting; ``--threads``
and the user's OMP_* variables apply to both). The same work on both sides: the model of the same
config and seed, the dataset built from the same config (workers ship uint8; both sides normalise
the whole batch in the main process after the copy, with clsrun's ``DataPreprocessor``: the same
float32 ops and the same handling of the loader's channels-last batches), a DataLoader
with the same batch size, workers, collate, pinning, persistent workers and ``drop_last`` (every
counted batch is full), the same SGD optimizer and precision. Our side is ``clsrun train`` itself (its hooks, lr schedule, log syncs,
loss guard); the other is a plain loop.

Figures per side, over the iterations after ``--warmup``: wall time and CPU time per image (this
process plus its loader workers, live ones read from /proc), and end to end for the whole process
(start-up included). Ratios are ours over the hand-written loop's speed, so > 1 is faster.

    python benchmarks/bench_train.py                                  # ResNet-18, digits in memory, CPU
    python benchmarks/bench_train.py --data jpeg --img-size 64 --workers 2 --out bench-results/train.jsonl
    python benchmarks/bench_train.py --device cuda --model resnet50 --img-size 224 \\
        --batch 128 --workers 8 --precision bf16 --channels-last
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
SHARED_IMAGES = Path("/work/shared/data")
NORM = {"mean": [123.675, 116.28, 103.53], "std": [58.395, 57.12, 57.375]}


# -- CPU time of this process and its loader workers ---------------------------------------------------
def _children_cpu() -> float:
    """utime + stime of the live child processes (the loader workers), from /proc."""
    total, me, tick = 0.0, os.getpid(), os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == me:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def cpu_seconds() -> float:
    """CPU seconds of this process, its live workers, and the workers that have already exited."""
    done = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + _children_cpu() + done.ru_utime + done.ru_stime


class Window:
    """Wall and CPU time between the end of iteration ``start`` and the end of iteration ``stop``."""

    def __init__(self, start: int, stop: int, device: Any) -> None:
        self.start, self.stop, self.device = start, stop, device
        self.marks: dict[str, tuple[float, float]] = {}

    def after(self, iteration: int) -> None:
        if iteration in (self.start, self.stop):
            if self.device.type == "cuda":
                import torch

                torch.cuda.synchronize(self.device)
            mark = (time.perf_counter(), cpu_seconds(), time.process_time())
            self.marks["start" if iteration == self.start else "stop"] = mark

    def result(self, images: int) -> dict[str, float]:
        (w0, c0, m0), (w1, c1, m1) = self.marks["start"], self.marks["stop"]
        return {
            "img_s": images / (w1 - w0),
            "cpu_ms_per_img": 1000 * (c1 - c0) / images,
            "main_cpu_ms_per_img": 1000 * (m1 - m0) / images,  # the training process alone, no workers
        }


def append_json(result: dict[str, Any], out: Path | None) -> None:
    """Append ``result`` as one JSON line to ``out`` (when given)."""
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("a") as fh:
            fh.write(json.dumps(result) + "\n")


# -- the config both sides train ----------------------------------------------------------------------
def make_jpegs(root: Path, count: int = 200, classes: int = 10) -> Path:
    """``count`` JPEGs (crops of the shared photos, about 500x375) in ``classes`` class folders."""
    from PIL import Image

    sources = sorted(SHARED_IMAGES.glob("*.jpg"))
    if not sources:
        raise SystemExit(f"no JPEG under {SHARED_IMAGES} to make the image folder from")
    photos = [Image.open(p).convert("RGB") for p in sources]
    for i in range(count):
        photo = photos[i % len(photos)]
        w, h = photo.size
        box_w, box_h = min(w, 500), min(h, 375)
        x, y = (i * 37) % max(1, w - box_w), (i * 23) % max(1, h - box_h)
        folder = root / f"class{i % classes}"
        folder.mkdir(parents=True, exist_ok=True)
        photo.crop((x, y, x + box_w, y + box_h)).save(folder / f"{i:04d}.jpg", quality=90)
    return root


def make_config(args: argparse.Namespace, jpeg_root: Path | None) -> dict[str, Any]:
    if args.model == "lenet":
        backbone, channels = {"type": "LeNet5"}, 120
    else:
        depth = int(args.model.removeprefix("resnet"))
        backbone, channels = {"type": "ResNet", "depth": depth}, 512 if depth < 50 else 2048
    tail = [
        {"type": "Normalize", **NORM, "to_rgb": True},
        {"type": "ImageToTensor", "keys": ["img"]},
        {"type": "ToTensor", "keys": ["gt_label"]},
        {"type": "Collect", "keys": ["img", "gt_label"]},
    ]
    if args.data == "jpeg":
        head = [
            {"type": "LoadImageFromFile"},
            {"type": "RandomResizedCrop", "size": args.img_size},
            {"type": "RandomFlip", "flip_prob": 0.5},
        ]
        train = {"type": "CustomDataset", "data_prefix": str(jpeg_root), "pipeline": head + tail}
    else:  # in memory: no decoding, any size (224 px for a GPU check)
        train = {
            "type": "Digits",
            "split": "train",
            "img_size": args.img_size,
            "pipeline": [{"type": "RandomFlip", "flip_prob": 0.5}, *tail],
        }
    cfg: dict[str, Any] = {
        "model": {
            "type": "ImageClassifier",
            "backbone": backbone,
            "neck": {"type": "GlobalAveragePooling"},
            "head": {"type": "LinearClsHead", "num_classes": 10, "in_channels": channels},
        },
        "data": {
            "samples_per_gpu": args.batch,
            "workers_per_gpu": args.workers,
            "persistent_workers": args.workers > 0,  # 200 JPEGs are a few batches: no restart per epoch
            "train_dataloader": {"drop_last": True},  # images counted as iterations x batch: no short batch
            "train": train,
        },
        "optimizer": {"type": "SGD", "lr": 0.01, "momentum": 0.9, "weight_decay": 1e-4},
        "lr_config": {"policy": "fixed"},
        "runner": {"type": "IterBasedRunner", "max_iters": args.warmup + args.iters},
        "checkpoint_config": None,
        "log_config": {"interval": 10},
        "seed": 0,
    }
    if args.precision == "bf16":
        cfg["amp"] = {"dtype": "bf16"}
    elif args.precision == "fp16":
        cfg["fp16"] = {"loss_scale": "dynamic"}
    if args.channels_last:
        cfg["channels_last"] = True
    return cfg


# -- the two sides, each in its own process ----------------------------------------------------------
def side_clsrun(cfg: dict[str, Any], args: argparse.Namespace) -> dict[str, float]:
    """``clsrun train`` with a hook that marks the timing window."""
    from clscore import train
    from clscore.engine.hooks import Hook
    from clscore.hookspecs import hookimpl
    from clscore.plugins import PluginInfo, get_host

    window: list[Window] = []

    class WindowHook(Hook):
        priority = "LOWEST"

        def before_run(self, runner: Any) -> None:
            window.append(Window(args.warmup, args.warmup + args.iters, runner.device))

        def after_train_iter(self, runner: Any) -> None:
            window[0].after(runner.iter)

    class BenchPlugin:
        @hookimpl
        def register_runner_hooks(self, registry: Any) -> None:
            registry.add("BenchWindowHook", WindowHook, summary="Marks the benchmark's timing window.")

    get_host().add_plugin(PluginInfo("bench", __name__), BenchPlugin())
    cfg = {**cfg, "custom_hooks": [{"type": "BenchWindowHook"}]}
    with tempfile.TemporaryDirectory() as work_dir:
        sys.stdout = sys.stderr  # keep the log lines out of the result
        train(cfg, work_dir=work_dir, device=args.device, validate=False, seed=0)
    return window[0].result(args.iters * args.batch)


def side_hand(cfg: dict[str, Any], args: argparse.Namespace) -> dict[str, float]:
    """The loop a user writes by hand around the same model, data, loader settings and optimizer."""
    import torch
    from torch.utils.data import DataLoader

    from clscore.data.builder import build_dataset, collate
    from clscore.models.builder import build_model
    from clscore.models.preprocessor import DataPreprocessor

    device = torch.device("cuda" if args.device in ("cuda", "auto") and torch.cuda.is_available() else "cpu")
    torch.manual_seed(0)
    torch.backends.cudnn.benchmark = True  # as clsrun train does by default
    memory_format = torch.channels_last if args.channels_last else torch.contiguous_format
    model = build_model(cfg["model"]).to(device).to(memory_format=memory_format).train()
    dataset = build_dataset(cfg["data"]["train"], split="train", device_normalize=True)  # uint8 samples
    workers = int(cfg["data"]["workers_per_gpu"])  # the loader settings come from the config, as clsrun's
    loader = DataLoader(
        dataset,
        batch_size=int(cfg["data"]["samples_per_gpu"]),
        shuffle=True,
        num_workers=workers,
        collate_fn=collate,
        pin_memory=device.type == "cuda",
        persistent_workers=workers > 0,
        drop_last=bool(cfg["data"]["train_dataloader"]["drop_last"]),
    )
    normalise = DataPreprocessor(**NORM).to(device)  # clsrun's batched step: the same ops and layout handling
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(args.precision)
    scaler = torch.amp.GradScaler(device.type) if args.precision == "fp16" else None
    window = Window(args.warmup, args.warmup + args.iters, device)
    step, total = 0, args.warmup + args.iters
    while step < total:
        for batch in loader:
            img = normalise(batch["img"].to(device, non_blocking=True), memory_format)
            label = batch["gt_label"].to(device, non_blocking=True)
            with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
                loss = model.loss(img, label)["loss"]
            if scaler is not None:
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()
            else:
                loss.backward()
                optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            window.after(step)
            if step == total:
                break
    return window.result(args.iters * args.batch)


def run_side(side: str, config: Path, args: argparse.Namespace, argv: list[str]) -> dict[str, float]:
    """One side in a fresh process; adds its end-to-end wall and CPU time (the process and its workers)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(HERE), *argv, "--side", side, "--config", str(config)],
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"the {side} side failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    images = (args.warmup + args.iters) * args.batch
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    result.update(end_to_end_img_s=images / wall, end_to_end_cpu_ms_per_img=1000 * cpu / images)
    return result


def _ratio(ours: list[dict[str, float]], hand: list[dict[str, float]], key: str, faster: str) -> float:
    """Ours over the hand-written loop, medians; for CPU per image the inverse, so > 1 is always better."""
    a, b = statistics.median(r[key] for r in ours), statistics.median(r[key] for r in hand)
    return round(a / b if faster == "higher" else b / a, 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=["lenet", "resnet18", "resnet34", "resnet50"], default="resnet18")
    parser.add_argument("--data", choices=["digits", "jpeg"], default="digits")
    parser.add_argument("--img-size", type=int, default=64)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--workers", type=int, default=0)
    # single pairs of runs move by +-10 % on a shared 2-core machine: five longer pairs keep one
    # run's medians within a few per cent (three pairs of 20 iterations moved by 0.94-1.06)
    parser.add_argument("--iters", type=int, default=40, help="timed iterations")
    parser.add_argument("--warmup", type=int, default=5, help="untimed iterations first")
    parser.add_argument("--repeats", type=int, default=5, help="alternating pairs of runs")
    parser.add_argument("--device", choices=["cpu", "cuda", "auto"], default="cpu")
    parser.add_argument("--precision", choices=["fp32", "bf16", "fp16"], default="fp32")
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument("--threads", type=int, help="threads per process for both sides [clsrun's policy]")
    parser.add_argument("--out", type=Path, help="append the result as one JSON line to this file")
    parser.add_argument("--side", choices=["clsrun", "hand"], help=argparse.SUPPRESS)
    parser.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.side:  # a child: the thread policy first, before torch is imported
        from clscore.cli._threads import apply_thread_policy

        apply_thread_policy(1, args.threads)
        cfg = json.loads(args.config.read_text())
        result = (side_clsrun if args.side == "clsrun" else side_hand)(cfg, args)
        print(json.dumps(result), file=sys.__stdout__)
        return

    argv = [f"--{k}={getattr(args, k)}" for k in ("warmup", "iters", "batch", "device", "precision")]
    argv += ["--channels-last"] if args.channels_last else []
    argv += [f"--threads={args.threads}"] if args.threads else []
    with tempfile.TemporaryDirectory() as tmp:
        jpeg_root = make_jpegs(Path(tmp) / "jpeg") if args.data == "jpeg" else None
        config = Path(tmp) / "config.json"
        config.write_text(json.dumps(make_config(args, jpeg_root)))
        ours, hand = [], []
        for repeat in range(args.repeats):  # alternate which side goes first
            order = ("hand", "clsrun") if repeat % 2 == 0 else ("clsrun", "hand")
            for side in order:
                (ours if side == "clsrun" else hand).append(run_side(side, config, args, argv))
    import torch

    result = {
        "bench": "train",
        "model": args.model,
        "data": args.data,
        "img_size": args.img_size,
        "batch": args.batch,
        "workers": args.workers,
        "precision": args.precision + ("+channels_last" if args.channels_last else ""),
        "device": "cuda" if args.device != "cpu" and torch.cuda.is_available() else "cpu",
        "threads": args.threads or os.environ.get("OMP_NUM_THREADS") or "policy",
        "torch": torch.__version__,
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "normalise": "both sides: clscore DataPreprocessor in the main process, whole batch after collate and copy",
        "ratio_img_s": _ratio(ours, hand, "img_s", "higher"),
        "ratio_cpu_per_img": _ratio(ours, hand, "cpu_ms_per_img", "lower"),
        "ratio_end_to_end_img_s": _ratio(ours, hand, "end_to_end_img_s", "higher"),
        "ratio_end_to_end_cpu_per_img": _ratio(ours, hand, "end_to_end_cpu_ms_per_img", "lower"),
        "pairs_cpu_per_img": [
            round(h["cpu_ms_per_img"] / o["cpu_ms_per_img"], 4) for o, h in zip(ours, hand)
        ],
        "clsrun_runs": [{k: round(v, 3) for k, v in r.items()} for r in ours],
        "hand_runs": [{k: round(v, 3) for k, v in r.items()} for r in hand],
    }
    print(
        f"{args.model} {args.data} {args.img_size}px batch {args.batch} workers {args.workers} "
        f"{result['precision']} on {result['device']}: clsrun/hand-written, medians of {args.repeats}: "
        f"speed {result['ratio_img_s']:.3f}, CPU per image {result['ratio_cpu_per_img']:.3f}, end to end "
        f"{result['ratio_end_to_end_img_s']:.3f} / {result['ratio_end_to_end_cpu_per_img']:.3f} (goal >= 0.98)"
    )
    append_json(result, args.out)


if __name__ == "__main__":
    main()
