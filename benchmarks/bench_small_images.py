"""Per-image cost of a dataset plus pipeline on small files: clscore against MMClassification 0.25.

Writes the embedded digits (val split) as 32-px RGB PNGs in one folder per class, then times, in
alternating rounds with a fresh process per side per round (so neither side keeps the other's
caches or suffers its import state), the same dataset and pipeline on both sides:
``CustomDataset(data_prefix=..., pipeline=[LoadImageFromFile, Normalize, ImageToTensor, ToTensor,
Collect])``, Normalize in the pipeline as MMClassification runs it. Each side is timed

- ``per_sample``: ``dataset[i]`` for every index (the work one DataLoader worker does per image);
- ``loader``: a DataLoader with batch 64 and ``num_workers=0`` (each side's own collate: clscore's
  engine collate, MMCV's ``collate``).

One torch thread on both sides, after one warm-up pass. The MMClassification side runs only when
``--mmcls-python`` names an interpreter with ``mmcls`` 0.25 installed (a scratch venv; never a
dependency). ``--out PATH`` appends one JSON line per mode with the µs/image per side (median
over rounds), as CPU time of the process and as wall time, and the ratios ``mmcls / clscore``
(above 1: clscore is faster); CPU time is the figure to go by on a shared machine.

    python benchmarks/bench_small_images.py [--rounds 3] [--passes 3] [--mmcls-python /tmp/mmclsenv/bin/python] [--out bench.jsonl]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pipeline import write_digits

MODES = ("per_sample", "loader")
#: CPU time of the process (what the issue's figures are; robust to other jobs on the machine) and wall.
CLOCKS = ("cpu", "wall")
#: Run by each side's interpreter: argv = side, folder, passes; prints {mode: {"cpu": us, "wall": us}}.
SIDE_SCRIPT = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import torch
from torch.utils.data import DataLoader
torch.set_num_threads(1)
side, root, passes = sys.argv[1], sys.argv[2], int(sys.argv[3])
pipeline = [
    {"type": "LoadImageFromFile"},
    {"type": "Normalize", "mean": [77.9] * 3, "std": [82.5] * 3, "to_rgb": True},
    {"type": "ImageToTensor", "keys": ["img"]},
    {"type": "ToTensor", "keys": ["gt_label"]},
    {"type": "Collect", "keys": ["img", "gt_label"]},
]
spec = {"type": "CustomDataset", "data_prefix": root, "pipeline": pipeline}
if side == "clscore":
    from clscore.data.builder import collate
    from clscore.plugins import build
    dataset = build("dataset", spec)
else:
    from functools import partial
    from mmcls.datasets import build_dataset
    from mmcv.parallel import collate as mmcv_collate
    dataset = build_dataset(spec)
    collate = partial(mmcv_collate, samples_per_gpu=64)
loader = DataLoader(dataset, batch_size=64, num_workers=0, shuffle=False, collate_fn=collate)
size = len(dataset)

def per_sample():
    for index in range(size):
        dataset[index]

def through_loader():
    for _ in loader:
        pass

out = {}
for name, run in (("per_sample", per_sample), ("loader", through_loader)):
    run()  # warm-up: imports, page cache, allocator
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(passes):
        run()
    out[name] = {
        "cpu": (time.process_time() - cpu) / (passes * size) * 1e6,
        "wall": (time.perf_counter() - wall) / (passes * size) * 1e6,
    }
out["images"] = size
print(json.dumps(out))
"""


def run_side(python: str, side: str, root: Path, passes: int) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(
        [python, "-c", SIDE_SCRIPT, side, str(root), str(passes)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the {side} side failed ({python}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--passes", type=int, default=3, help="timed passes per process (default 3)")
    parser.add_argument("--mmcls-python", help="an interpreter with mmcls 0.25 (the reference side)")
    parser.add_argument("--out", type=Path, help="append the results as JSON lines to this file")
    args = parser.parse_args(argv)

    sides = {"clscore": sys.executable}
    if args.mmcls_python:
        sides["mmcls"] = args.mmcls_python
    times: dict[tuple[str, str, str], list[float]] = {}
    load_before = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="clscore-small-") as tmp:
        root = Path(tmp) / "digits"
        write_digits(root)
        count = sum(1 for _ in root.glob("*/*.png"))
        for _ in range(args.rounds):
            for side, python in sides.items():
                measured = run_side(python, side, root, args.passes)
                for mode in MODES:
                    for clock in CLOCKS:
                        times.setdefault((side, mode, clock), []).append(measured[mode][clock])
    results = []
    for mode in MODES:
        result: dict = {
            "benchmark": "small_images",
            "images": "digits-png-32px",
            "count": count,
            "mode": mode,
            "rounds": args.rounds,
            "passes": args.passes,
            "torch_threads": 1,
            "load_average": {"before": load_before, "after": [round(x, 2) for x in os.getloadavg()]},
            "cpus": os.cpu_count(),
        }
        for clock in CLOCKS:
            for side in sides:
                values = times[side, mode, clock]
                result[f"{side}_{clock}_us_per_image"] = round(statistics.median(values), 1)
                result[f"{side}_{clock}_us_per_round"] = [round(v, 1) for v in values]
            if "mmcls" in sides:
                ours, theirs = times["clscore", mode, clock], times["mmcls", mode, clock]
                result[f"ratio_{clock}"] = round(statistics.median(theirs) / statistics.median(ours), 3)
                result[f"ratio_{clock}_per_round"] = [
                    round(m / c, 3) for m, c in zip(theirs, ours, strict=True)
                ]
        results.append(result)
        print(json.dumps(result))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("a", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r) + "\n" for r in results)
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
