"""``clscore.dist``: leaving a real two-process gloo group, together or alone."""

from __future__ import annotations

import multiprocessing
import os
import socket
import time

import pytest

from clscore import dist
from clscore.errors import TrainingStopped

SLOW_RANK_DELAY = 2.0

ENDINGS = {
    "finished": lambda: None,
    "stopped_together": lambda: TrainingStopped("stopped", every_rank=True),
    "failed_alone": lambda: ValueError("rank 0 failed by itself"),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rank(rank: int, port: int, ending: str, results) -> None:
    os.environ.update(
        RANK=str(rank), WORLD_SIZE="2", LOCAL_RANK=str(rank), MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port)
    )
    info = dist.init_dist("pytorch", "cpu")
    dist.barrier()  # both are in: from here rank 1 is the slow one
    error = ENDINGS[ending]()
    if rank == 1:
        time.sleep(SLOW_RANK_DELAY)
        if ending == "failed_alone":
            error = ValueError("so did rank 1, later")
    start = time.monotonic()
    dist.teardown(info, error)
    results.put((rank, time.monotonic() - start, dist.is_dist()))


def _leave(ending: str) -> dict[int, tuple[float, bool]]:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    port = _free_port()
    procs = [context.Process(target=_rank, args=(rank, port, ending, results)) for rank in range(2)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=120)
        assert proc.exitcode == 0, f"rank exited with {proc.exitcode}"
    found = [results.get(timeout=5) for _ in procs]
    return {rank: (waited, still_in) for rank, waited, still_in in found}


@pytest.mark.slow
@pytest.mark.parametrize("ending", ["finished", "stopped_together"])
def test_ranks_that_end_together_meet_before_leaving(ending):
    left = _leave(ending)
    waited, still_in = left[0]
    assert waited >= SLOW_RANK_DELAY * 0.9  # rank 0 kept its connections until rank 1 was done
    assert not still_in and not left[1][1]


@pytest.mark.slow
def test_a_rank_that_failed_alone_leaves_at_once():
    left = _leave("failed_alone")
    waited, still_in = left[0]
    assert waited < SLOW_RANK_DELAY / 2 and not still_in


def test_a_single_process_has_nothing_to_leave():
    info = dist.init_dist("none", "cpu")
    dist.teardown(info, ValueError("any"))
    assert not info.distributed and not dist.is_dist()
