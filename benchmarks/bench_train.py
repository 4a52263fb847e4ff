"""Training throughput of ``clsrun train`` against a hand-written PyTorch loop, in one run.

Both sides train the same model (built from the same config), on the same dataset object type, with the
same batch size, workers, optimizer and precision; each is timed from the end of iteration ``warmup``
to the end of iteration ``warmup + iters`` (device synchronized at both ends). Our side is
``clscore.train(cfg)`` (what ``clsrun train`` runs) with logging on and evaluation/checkpoints off, so it
pays for its hooks, lr schedule and log syncs. Runs alternate ``--repeats`` times; the best of each side
is compared (the machine may be shared), and the side that runs first alternates.

    python benchmarks/bench_train.py                       # ResNet-18 on digits at 32 px, CPU
    python benchmarks/bench_train.py --model lenet --out bench-results/train.jsonl
    python benchmarks/bench_train.py --device cuda --model resnet50 --data synthetic --img-size 224 \\
        --batch 64 --workers 8 --precision bf16 --channels-last
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if os.getloadavg()[0] >= (os.cpu_count() or 1):  # as `clsrun train` does on a busy machine, for both sides
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch
from torch.utils.data import DataLoader, Dataset

from clscore.engine.hooks import Hook
from clscore.hookspecs import hookimpl

TIMES: dict[str, float] = {}


class SyntheticDataset(Dataset):
    """``num_samples`` fixed random float images ``(3, size, size)``, 10 classes; no decoding cost."""

    def __init__(self, num_samples: int = 2048, size: int = 224, pipeline: list | None = None) -> None:
        generator = torch.Generator().manual_seed(0)
        self.images = torch.randn(64, 3, size, size, generator=generator)
        self.gt_labels = torch.randint(0, 10, (num_samples,), generator=generator).numpy()
        self.classes = [str(i) for i in range(10)]

    def __len__(self) -> int:
        return len(self.gt_labels)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return {
            "img": self.images[index % len(self.images)],
            "gt_label": torch.tensor(int(self.gt_labels[index])),
        }


class TimerHook(Hook):
    """Records the time at the end of iteration ``start`` and ``stop`` (device synchronized)."""

    priority = "LOWEST"

    def __init__(self, start: int = 5, stop: int = 45) -> None:
        self.start, self.stop = start, stop

    def after_train_iter(self, runner: Any) -> None:
        if runner.iter in (self.start, self.stop):
            _sync(runner.device)
            TIMES["start" if runner.iter == self.start else "stop"] = time.perf_counter()


class BenchPlugin:
    name = "bench"

    @hookimpl
    def register_datasets(self, registry: Any) -> None:
        registry.add("SyntheticDataset", SyntheticDataset, summary="Random float images for benchmarks.")

    @hookimpl
    def register_runner_hooks(self, registry: Any) -> None:
        registry.add("BenchTimerHook", TimerHook, summary="Times a window of iterations.")


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def make_config(args: argparse.Namespace) -> dict[str, Any]:
    if args.model == "lenet":
        backbone, channels = {"type": "LeNet5"}, 120
    else:
        depth = int(args.model.removeprefix("resnet"))
        backbone, channels = {"type": "ResNet", "depth": depth}, 512 if depth < 50 else 2048
    if args.data == "synthetic":
        train = {"type": "SyntheticDataset", "size": args.img_size, "num_samples": max(2048, args.batch * 8)}
    else:
        norm = {"type": "Normalize", "mean": [77.9] * 3, "std": [82.5] * 3}
        train = {
            "type": "Digits",
            "split": "train",
            "img_size": args.img_size,
            "pipeline": [
                {"type": "RandomFlip", "flip_prob": 0.5},
                norm,
                {"type": "ImageToTensor", "keys": ["img"]},
                {"type": "ToTensor", "keys": ["gt_label"]},
                {"type": "Collect", "keys": ["img", "gt_label"]},
            ],
        }
    cfg: dict[str, Any] = {
        "model": {
            "type": "ImageClassifier",
            "backbone": backbone,
            "neck": {"type": "GlobalAveragePooling"},
            "head": {"type": "LinearClsHead", "num_classes": 10, "in_channels": channels},
        },
        "data": {"samples_per_gpu": args.batch, "workers_per_gpu": args.workers, "train": train},
        "optimizer": {"type": "SGD", "lr": 0.01, "momentum": 0.9, "weight_decay": 1e-4},
        "runner": {"type": "IterBasedRunner", "max_iters": args.warmup + args.iters},
        "checkpoint_config": None,
        "log_config": {"interval": 10},
        "custom_hooks": [{"type": "BenchTimerHook", "start": args.warmup, "stop": args.warmup + args.iters}],
        "seed": 0,
    }
    if args.precision == "bf16":
        cfg["amp"] = {"dtype": "bf16"}
    elif args.precision == "fp16":
        cfg["fp16"] = {"loss_scale": "dynamic"}
    if args.channels_last:
        cfg["channels_last"] = True
    return cfg


def run_clscore(cfg: dict[str, Any], args: argparse.Namespace) -> float:
    from clscore.engine.train import train

    TIMES.clear()
    with tempfile.TemporaryDirectory() as work_dir, contextlib.redirect_stdout(sys.stderr):
        train(cfg, work_dir=work_dir, device=args.device, validate=False, seed=0)
    return args.iters * args.batch / (TIMES["stop"] - TIMES["start"])


def run_hand_written(cfg: dict[str, Any], args: argparse.Namespace) -> float:
    """The loop a user would write by hand around the same model and dataset."""
    from clscore.engine.loader import collate
    from clscore.engine.train import build_model
    from clscore.plugins import build

    device = torch.device("cuda" if args.device in ("cuda", "auto") and torch.cuda.is_available() else "cpu")
    torch.backends.cudnn.benchmark = True  # as clsrun train does (cudnn_benchmark defaults to true)
    torch.manual_seed(0)
    model = build_model(cfg["model"]).to(device)
    memory_format = torch.channels_last if args.channels_last else torch.contiguous_format
    model = model.to(memory_format=memory_format)
    model.train()
    dataset = build("dataset", cfg["data"]["train"])
    loader = DataLoader(
        dataset,
        batch_size=args.batch,
        shuffle=True,
        num_workers=args.workers,
        collate_fn=collate,
        pin_memory=device.type == "cuda",
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(args.precision)
    scaler = torch.amp.GradScaler(device.type) if args.precision == "fp16" else None
    step, start, total = 0, 0.0, args.warmup + args.iters
    while step < total:
        for batch in loader:
            img = batch["img"].to(device, non_blocking=True).contiguous(memory_format=memory_format)
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
            if step == args.warmup:
                _sync(device)
                start = time.perf_counter()
            if step == total:
                _sync(device)
                break
    return args.iters * args.batch / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=["lenet", "resnet18", "resnet34", "resnet50"], default="resnet18")
    parser.add_argument("--data", choices=["digits", "synthetic"], default="digits")
    parser.add_argument("--img-size", type=int, default=32)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--iters", type=int, default=30, help="timed iterations")
    parser.add_argument("--warmup", type=int, default=5, help="untimed iterations first")
    parser.add_argument(
        "--repeats", type=int, default=3, help="alternating runs of each side; the best counts"
    )
    parser.add_argument("--device", choices=["cpu", "cuda", "auto"], default="auto")
    parser.add_argument("--precision", choices=["fp32", "bf16", "fp16"], default="fp32")
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument("--out", type=Path, help="append the result as one JSON line to this file")
    args = parser.parse_args()

    from clscore.plugins import PluginHost, PluginInfo, set_host

    host = PluginHost()
    host.add_plugin(PluginInfo("bench", __name__), BenchPlugin())
    set_host(host)
    cfg = make_config(args)
    ours, hand = [], []
    for repeat in range(args.repeats):  # alternate which side goes first, so neither gains from the order
        if repeat % 2 == 0:
            hand.append(run_hand_written(cfg, args))
            ours.append(run_clscore(cfg, args))
        else:
            ours.append(run_clscore(cfg, args))
            hand.append(run_hand_written(cfg, args))
    result = {
        "bench": "train",
        "model": args.model,
        "data": args.data,
        "img_size": args.img_size,
        "batch": args.batch,
        "workers": args.workers,
        "precision": args.precision + ("+channels_last" if args.channels_last else ""),
        "device": "cuda" if args.device != "cpu" and torch.cuda.is_available() else "cpu",
        "torch": torch.__version__,
        "clsrun_img_s": round(max(ours), 2),
        "hand_img_s": round(max(hand), 2),
        "ratio": round(max(ours) / max(hand), 4),
        "clsrun_runs": [round(x, 2) for x in ours],
        "hand_runs": [round(x, 2) for x in hand],
        "ratio_of_medians": round(statistics.median(ours) / statistics.median(hand), 4),
    }
    print(
        f"{args.model} {args.data} {args.img_size}px batch {args.batch} workers {args.workers} "
        f"{result['precision']} on {result['device']}: clsrun train {result['clsrun_img_s']:.1f} img/s, "
        f"hand-written loop {result['hand_img_s']:.1f} img/s, ratio {result['ratio']:.3f} (goal >= 0.95)"
    )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("a") as fh:
            fh.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
