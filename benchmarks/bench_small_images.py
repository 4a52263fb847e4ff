"""Per-image cost of a dataset plus pipeline on small files: clscore against MMClassification 0.25.

Writes the embedded digits (val split) as 32-px RGB PNGs in one folder per class, then times the
same dataset and pipeline on both sides: ``CustomDataset(data_prefix=..., pipeline=[LoadImageFromFile,
Normalize, ImageToTensor, ToTensor, Collect])``, Normalize in the pipeline as MMClassification runs
it. Each side is timed

- ``per_sample``: ``dataset[i]`` for every index (the work one DataLoader worker does per image);
- ``loader``: a DataLoader with batch 64 and ``num_workers=0`` (each side's own collate: clscore's
  engine collate, MMCV's ``collate``).

Each side runs in one process of its own for the whole benchmark (one torch thread, one warm-up
pass), and the two take turns pass by pass (``--rounds`` passes each per mode), so a burst of load
on this shared machine hits both sides alike; the figures are medians over the passes. The
MMClassification side runs only when ``--mmcls-python`` names an interpreter with ``mmcls`` 0.25
installed (a scratch venv; never a dependency). ``--out PATH`` appends one JSON line per mode with
the µs/image per side, as CPU time of the process and as wall time, and the ratios
``mmcls / clscore`` (above 1: clscore is faster); CPU time is the figure to go by on a shared machine.

    python benchmarks/bench_small_images.py [--rounds 15] [--mmcls-python /tmp/mmclsenv/bin/python] [--out bench.jsonl]
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
#: Run by each side's interpreter (argv = side, folder): for each line "per_sample" or "loader" on
#: stdin, one timed pass (three times over the dataset); prints {"cpu": us, "wall": us} per image.
SIDE_SCRIPT = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import torch
from torch.utils.data import DataLoader
torch.set_num_threads(1)
side, root = sys.argv[1], sys.argv[2]
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

runs = {"per_sample": per_sample, "loader": through_loader}
for run in runs.values():
    run()  # warm-up: imports, page cache, allocator
print(json.dumps({"images": size}), flush=True)
for line in sys.stdin:
    run = runs[line.strip()]
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(3):  # ~0.1 s per pass
        run()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(json.dumps({"cpu": cpu / (3 * size) * 1e6, "wall": wall / (3 * size) * 1e6}), flush=True)
"""


class Side:
    """One side's process, alive for the whole benchmark."""

    def __init__(self, python: str, side: str, root: Path) -> None:
        env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
        self.side = side
        self.process = subprocess.Popen(
            [python, "-c", SIDE_SCRIPT, side, str(root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.images = int(self._answer()["images"])

    def _answer(self) -> dict:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            error = self.process.stderr.read() if self.process.stderr else ""
            raise SystemExit(f"the {self.side} side failed:\n{error[-3000:]}")
        return json.loads(line)

    def time(self, mode: str) -> dict:
        assert self.process.stdin is not None
        self.process.stdin.write(mode + "\n")
        self.process.stdin.flush()
        return self._answer()

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="timed passes per side and mode (default 15)")
    parser.add_argument("--mmcls-python", help="an interpreter with mmcls 0.25 (the reference side)")
    parser.add_argument("--out", type=Path, help="append the results as JSON lines to this file")
    args = parser.parse_args(argv)

    pythons = {"clscore": sys.executable}
    if args.mmcls_python:
        pythons["mmcls"] = args.mmcls_python
    times: dict[tuple[str, str, str], list[float]] = {}
    load_before = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="clscore-small-") as tmp:
        root = Path(tmp) / "digits"
        write_digits(root)
        sides = [Side(python, side, root) for side, python in pythons.items()]
        count = sides[0].images
        try:
            for _ in range(args.rounds):
                for mode in MODES:
                    for side in sides:
                        measured = side.time(mode)
                        for clock in CLOCKS:
                            times.setdefault((side.side, mode, clock), []).append(measured[clock])
        finally:
            for side in sides:
                side.close()
    results = []
    for mode in MODES:
        result: dict = {
            "benchmark": "small_images",
            "images": "digits-png-32px",
            "count": count,
            "mode": mode,
            "rounds": args.rounds,
            "processes": "one per side, alternating pass by pass",
            "torch_threads": 1,
            "load_average": {"before": load_before, "after": [round(x, 2) for x in os.getloadavg()]},
            "cpus": os.cpu_count(),
        }
        for clock in CLOCKS:
            for side in pythons:
                values = times[side, mode, clock]
                result[f"{side}_{clock}_us_per_image"] = round(statistics.median(values), 1)
                result[f"{side}_{clock}_us_per_round"] = [round(v, 1) for v in values]
            if "mmcls" in pythons:
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
