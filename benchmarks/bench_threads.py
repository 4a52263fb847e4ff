"""How OpenMP threads wait (clsrun's policy, passive, the default spinning...): a short ResNet-18
training-step loop per policy, alternating.

Each run is a fresh process with one policy's variables (``OMP_WAIT_POLICY``, ``GOMP_SPINCOUNT``)
and the thread count ``clsrun train`` would choose (the available cores); the runs alternate
``--repeats`` times so every policy sees the same load. Reports seconds per step (median of each
run's steps) per policy and each policy's median over the first one's (> 1: the first is faster). Run it on an idle and on a loaded machine (``--busy N``
starts N processes that keep a core busy each): that is the whole question.

    python benchmarks/bench_threads.py --repeats 6 --out bench-results/threads.jsonl
    python benchmarks/bench_threads.py --policies passive,clsrun,default,spin10000 --busy 2
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


#: The variables of the OpenMP runtimes' waiting, cleared before each run sets its policy's.
#: ``spin<N>``: libgomp spins ``N`` times at a barrier, then sleeps (GOMP_SPINCOUNT with no
#: OMP_WAIT_POLICY); ``default`` is what a plain ``python train.py`` gets (libgomp: 300,000 spins).
_WAIT_VARIABLES = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "KMP_BLOCKTIME")


def policy_environment(policy: str) -> dict[str, str]:
    """The variables of ``policy``: clsrun (what ``clsrun train`` sets), passive, active, default,
    spin<N>, or passive-spin<N> (libgomp spins N times, then sleeps; other runtimes wait passively)."""
    if policy == "clsrun":  # what clsrun train sets
        from clscore.cli._threads import WAITING

        return dict(WAITING)
    env: dict[str, str] = {}
    rest = policy
    if policy.startswith("passive-"):
        env["OMP_WAIT_POLICY"], rest = "PASSIVE", policy.removeprefix("passive-")
    if rest in ("passive", "active"):
        return {"OMP_WAIT_POLICY": rest.upper()}
    if rest == "default":
        return env
    if rest.startswith("spin") and rest[4:].isdigit():
        return {**env, "GOMP_SPINCOUNT": rest[4:]}
    raise SystemExit(
        f"unknown policy {policy!r}: clsrun, passive, active, default, spin<N> or passive-spin<N> "
        "(e.g. spin1000)"
    )


def busy_processes(count: int) -> list[subprocess.Popen]:
    """``count`` processes that each keep one core busy: another job on a shared machine."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--policies",
        default="clsrun,passive,default",
        help="comma-separated: clsrun, passive, active, default, spin<N>, passive-spin<N>",
    )
    parser.add_argument(
        "--busy", type=int, default=0, help="busy processes running alongside (a loaded machine)"
    )
    parser.add_argument("--out", type=Path)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.steps, args.size, args.batch)
        return
    from clscore.cli._threads import available_cores

    policies = args.policies.split(",")
    base = {k: v for k, v in os.environ.items() if k not in _WAIT_VARIABLES}
    base["OMP_NUM_THREADS"] = str(available_cores())
    runs: dict[str, list[float]] = {policy: [] for policy in policies}
    loads = []
    busy = busy_processes(args.busy)
    try:
        for repeat in range(args.repeats):
            for policy in policies if repeat % 2 == 0 else policies[::-1]:
                loads.append(os.getloadavg()[0])
                command = [
                    sys.executable,
                    __file__,
                    "--child",
                    f"--steps={args.steps}",
                    f"--size={args.size}",
                ]
                done = subprocess.run(
                    [*command, f"--batch={args.batch}"],
                    env={**base, **policy_environment(policy)},
                    capture_output=True,
                    text=True,
                )
                if done.returncode:
                    raise SystemExit(done.stderr[-2000:])
                runs[policy].append(json.loads(done.stdout.splitlines()[-1])["s_per_step"])
    finally:
        for process in busy:
            process.kill()
    reference = policies[0]
    result = {
        "bench": "threads",
        "cores": available_cores(),
        "busy_processes": args.busy,
        "load_avg_1m": [round(x, 2) for x in loads],
        "s_per_step": {policy: [round(x, 4) for x in times] for policy, times in runs.items()},
        # > 1: the reference (first) policy is faster
        f"ratio_over_{reference}": {
            policy: round(statistics.median(times) / statistics.median(runs[reference]), 3)
            for policy, times in runs.items()
        },
    }
    print(json.dumps(result))
    append_json(result, args.out)


if __name__ == "__main__":
    main()
