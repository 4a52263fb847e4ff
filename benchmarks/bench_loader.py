"""Images/s of the training loader: the seed's train pipeline, ``--workers`` workers, uint8 to the device.

What the GPU would be fed: a folder of JPEGs (``--folder``, else 200 made from the photos in
/work/shared/data, else synthetic ones), the seed's train pipeline (RandomResizedCrop, flip, Normalize
moved to the device), the engine's loader (pinned memory), the copy to the device and the batched
normalisation. Compare with the model's step throughput (bench_train.py) to see which is the limit.

    python benchmarks/bench_loader.py --workers 16 --batch 128 --device cuda --out bench-results/gpu.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_train import append_json


def make_folder(root: Path, count: int) -> Path:
    """``count`` JPEGs about 500x375: crops of the shared photos, else smooth synthetic pictures."""
    import numpy as np
    from bench_train import SHARED_IMAGES, make_jpegs
    from PIL import Image

    if sorted(SHARED_IMAGES.glob("*.jpg")):
        return make_jpegs(root, count)
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:375, 0:500]
    for i in range(count):
        phase = rng.uniform(0, 6.28, 3)
        img = np.stack([127 + 100 * np.sin(x / (30 + 7 * c) + y / 50 + phase[c]) for c in range(3)], -1)
        img += rng.normal(0, 8, img.shape)
        folder = root / f"class{i % 10}"
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(img.clip(0, 255).astype(np.uint8)).save(folder / f"{i:04d}.jpg", quality=90)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument(
        "--batches", type=int, default=40, help="timed batches (after a warm-up epoch's start)"
    )
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    from clscore.cli._threads import apply_thread_policy

    apply_thread_policy(1)
    import torch

    from clscore.data.builder import build_dataloader, build_dataset, loader_options
    from clscore.data.device_normalize import device_normalize
    from clscore.models.preprocessor import DataPreprocessor

    device = torch.device(args.device if args.device != "cuda" or torch.cuda.is_available() else "cpu")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder or make_folder(Path(tmp) / "jpeg", 200)
        pipeline = [
            {"type": "LoadImageFromFile"},
            {"type": "RandomResizedCrop", "size": args.size},
            {"type": "RandomFlip", "flip_prob": 0.5},
            {"type": "Normalize", "mean": [123.675, 116.28, 103.53], "std": [58.395, 57.12, 57.375]},
            {"type": "ImageToTensor", "keys": ["img"]},
            {"type": "ToTensor", "keys": ["gt_label"]},
            {"type": "Collect", "keys": ["img", "gt_label"]},
        ]
        train = {"type": "CustomDataset", "data_prefix": str(folder), "pipeline": pipeline}
        dataset = build_dataset(train, split="train", device_normalize=True)
        data = {"samples_per_gpu": args.batch, "workers_per_gpu": args.workers, "persistent_workers": True}
        loader = build_dataloader(dataset, loader_options(data, "train"), device_type=device.type)
        normalize = DataPreprocessor(**(device_normalize(loader) or {})).to(device)
        seen, start, warm = 0, 0.0, 2
        while seen < args.batches + warm:
            for batch in loader:
                img = normalize(batch["img"].to(device, non_blocking=True), torch.channels_last)
                seen += 1
                if seen == warm:
                    if device.type == "cuda":
                        torch.cuda.synchronize()
                    start = time.perf_counter()
                if seen == args.batches + warm:
                    break
        if device.type == "cuda":
            torch.cuda.synchronize()
        elapsed = time.perf_counter() - start
    result = {
        "bench": "train_loader",
        "workers": args.workers,
        "batch": args.batch,
        "size": args.size,
        "device": str(device),
        "batch_dtype": str(batch["img"].dtype),
        "cpus": len(os.sched_getaffinity(0)),
        "img_s": round(args.batches * args.batch / elapsed, 1),
        "last_batch": list(img.shape),
    }
    print(json.dumps(result))
    append_json(result, args.out)


if __name__ == "__main__":
    main()
