"""OpenMP passive against active (spinning) waiting: a short ResNet-18 training-step loop, alternating.

Each run is a fresh process with ``OMP_WAIT_POLICY`` set and the thread count ``clsrun train`` would
choose (the available cores); the runs alternate ``--repeats`` times so both policies see the same
load. Reports seconds per step (median of each run's steps) and the ratio active / passive (> 1:
passive is faster). Run it on an idle and on a loaded machine: that is the whole question.

    python benchmarks/bench_threads.py --repeats 3 --out bench-results/threads.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_train import append_json


def child(steps: int, size: int, batch: int) -> None:
    import time

    import torch
    from torchvision.models import resnet18

    torch.manual_seed(0)
    model = resnet18(num_classes=10)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    img, label = torch.randn(batch, 3, size, size), torch.randint(0, 10, (batch,))
    times = []
    for _ in range(steps + 2):  # two warm-up steps
        start = time.perf_counter()
        torch.nn.functional.cross_entropy(model(img), label).backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        times.append(time.perf_counter() - start)
    print(json.dumps({"s_per_step": statistics.median(times[2:]), "threads": torch.get_num_threads()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.steps, args.size, args.batch)
        return
    from clscore.cli._threads import available_cores

    runs: dict[str, list[float]] = {"PASSIVE": [], "ACTIVE": []}
    loads = []
    for repeat in range(args.repeats):
        for policy in ("PASSIVE", "ACTIVE") if repeat % 2 == 0 else ("ACTIVE", "PASSIVE"):
            env = {**os.environ, "OMP_WAIT_POLICY": policy, "OMP_NUM_THREADS": str(available_cores())}
            loads.append(os.getloadavg()[0])
            command = [sys.executable, __file__, "--child", f"--steps={args.steps}", f"--size={args.size}"]
            done = subprocess.run(
                [*command, f"--batch={args.batch}"], env=env, capture_output=True, text=True
            )
            if done.returncode:
                raise SystemExit(done.stderr[-2000:])
            runs[policy].append(json.loads(done.stdout.splitlines()[-1])["s_per_step"])
    result = {
        "bench": "threads",
        "cores": available_cores(),
        "load_avg_1m": [round(x, 2) for x in loads],
        "passive_s_per_step": [round(x, 4) for x in runs["PASSIVE"]],
        "active_s_per_step": [round(x, 4) for x in runs["ACTIVE"]],
        "pair_ratios_active_over_passive": [round(a / p, 3) for a, p in zip(runs["ACTIVE"], runs["PASSIVE"])],
        "ratio_active_over_passive": round(
            statistics.median(runs["ACTIVE"]) / statistics.median(runs["PASSIVE"]), 3
        ),
    }
    print(json.dumps(result))
    append_json(result, args.out)


if __name__ == "__main__":
    main()
