"""The CPU thread policy of ``clsrun train``: how many threads each process runs and how they wait.

- Threads per process: the cores this process may run on (``os.sched_getaffinity``, which honours
  ``taskset``, cgroups' cpusets and SLURM's binding) divided by the processes started here
  (``--nproc``), at least 1; ``--threads N`` says it explicitly.
- OpenMP waits passively (``OMP_WAIT_POLICY=PASSIVE``): threads that spin at barriers fight every
  other process for the cores, and a CPU step was up to 10x slower on a shared machine; sleeping
  costs little on an idle one (see docs/performance.md for the figures).
- DataLoader workers run one thread each (PyTorch sets that in every worker), so they add no
  oversubscription.

``OMP_NUM_THREADS`` / ``OMP_WAIT_POLICY`` set by the user win over both defaults. The variables are
set before torch is imported (OpenMP reads them once) and are inherited by torchrun's children.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return max(1, os.cpu_count() or 1)


def thread_policy(
    nproc: int = 1, threads: int | None = None, environ: MutableMapping[str, str] | None = None
) -> dict[str, str]:
    """Set ``OMP_NUM_THREADS`` and ``OMP_WAIT_POLICY`` in ``environ`` where the user has not; return what was set.

    ``threads`` (``--threads``) replaces the per-process count, even over a user's ``OMP_NUM_THREADS``.
    """
    env = os.environ if environ is None else environ
    chosen: dict[str, str] = {}
    if threads is not None:
        chosen["OMP_NUM_THREADS"] = str(max(1, int(threads)))
    elif "OMP_NUM_THREADS" not in env:
        chosen["OMP_NUM_THREADS"] = str(max(1, available_cores() // max(1, int(nproc))))
    if "OMP_WAIT_POLICY" not in env:
        chosen["OMP_WAIT_POLICY"] = "PASSIVE"
    env.update(chosen)
    return chosen


def apply_thread_policy(nproc: int = 1, threads: int | None = None) -> None:
    """:func:`thread_policy` for this process: through the environment before torch is imported, else
    (an in-process call, e.g. from tests) only an explicit ``threads`` through ``torch.set_num_threads``."""
    if "torch" not in sys.modules:
        thread_policy(nproc, threads)
    elif threads is not None:
        import torch

        torch.set_num_threads(max(1, int(threads)))
