"""The CPU thread policy of ``clsrun train``: how many threads each process runs and how they wait.

- Threads per process: the cores this process may run on (``os.sched_getaffinity``, which honours
  ``taskset``, cgroups' cpusets and SLURM's binding) divided by the processes started here
  (``--nproc``), at least 1; ``--threads N`` says it explicitly.
- OpenMP threads spin briefly, then sleep: ``OMP_WAIT_POLICY=PASSIVE`` with ``GOMP_SPINCOUNT=1000``
  (libgomp, which PyTorch's Linux wheels use, spins about 10 us at a barrier before sleeping; other
  runtimes wait passively). OpenMP's default spinning (libgomp: about 3 ms) fights every other
  process for the cores: a CPU step was 2.5x slower with two busy processes alongside, and up to 10x
  on a shared machine. Sleeping at once cost up to a fifth of the speed on an idle machine, where
  the short spin keeps the speed of the default (see docs/performance.md for the figures).
- DataLoader workers run one thread each (PyTorch sets that in every worker), so they add no
  oversubscription.

``OMP_NUM_THREADS``, ``OMP_WAIT_POLICY`` or ``GOMP_SPINCOUNT`` set by the user win over the
defaults. The variables are set before torch is imported (OpenMP reads them once) and are inherited
by torchrun's children.
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


#: How OpenMP threads wait, unless the user says otherwise (any of these variables set).
WAITING = {"OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": "1000"}


def thread_policy(
    nproc: int = 1, threads: int | None = None, environ: MutableMapping[str, str] | None = None
) -> dict[str, str]:
    """Set ``OMP_NUM_THREADS`` and the waiting (:data:`WAITING`) in ``environ`` where the user has not;
    return what was set.

    ``threads`` (``--threads``) replaces the per-process count, even over a user's ``OMP_NUM_THREADS``.
    """
    env = os.environ if environ is None else environ
    chosen: dict[str, str] = {}
    if threads is not None:
        chosen["OMP_NUM_THREADS"] = str(max(1, int(threads)))
    elif "OMP_NUM_THREADS" not in env:
        chosen["OMP_NUM_THREADS"] = str(max(1, available_cores() // max(1, int(nproc))))
    if not any(variable in env for variable in WAITING):
        chosen.update(WAITING)
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
