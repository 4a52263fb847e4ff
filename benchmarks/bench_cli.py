"""Start-up cost: wall time of ``clsrun --help`` against ``python -c "import torch"``.

Goal: ``clsrun --help`` under 10 % of ``import torch``. Each is run several times in fresh
processes and the median is reported.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "import torch": [sys.executable, "-c", "import torch"],
    "clsrun --help": [sys.executable, "-m", "clscore", "--help"],
    "clsrun plugins": [sys.executable, "-m", "clscore", "plugins"],
}


def median_wall(cmd: list[str], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", help="append a JSON line with the results to this file")
    args = parser.parse_args()
    for cmd in COMMANDS.values():  # warm the file cache
        subprocess.run(cmd, check=True, capture_output=True)
    results = {name: median_wall(cmd, args.repeats) for name, cmd in COMMANDS.items()}
    torch_s = results["import torch"]
    for name, seconds in results.items():
        print(f"{name:<16} {seconds * 1000:8.0f} ms   {seconds / torch_s * 100:5.1f} % of import torch")
    ratio = results["clsrun --help"] / torch_s
    print(f"clsrun --help / import torch = {ratio:.3f} (goal < 0.10): {'ok' if ratio < 0.10 else 'MISSED'}")
    if args.out:
        with open(args.out, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"bench": "cli_startup", **results, "ratio": ratio}) + "\n")


if __name__ == "__main__":
    main()
