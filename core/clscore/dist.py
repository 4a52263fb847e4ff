"""Process groups and the collectives training and evaluation need (torch.distributed, nothing home-made)."""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field
from typing import Any, Literal

import torch
import torch.distributed as dist

from clscore.errors import ClsCoreError, TrainingStopped

Launcher = Literal["none", "pytorch"]
_TIMEOUT_ENV = "CLSCORE_DIST_TIMEOUT"


@dataclass
class DistInfo:
    """Where this process stands: its rank, the world size and the device it trains on."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    #: We created the process group, so we destroy it at the end.
    owns_group: bool = False

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def resolve_device(device: str, local_rank: int = 0) -> torch.device:
    """``auto`` is CUDA when present, else CPU; ``cuda`` without a GPU is a user error."""
    if device not in ("auto", "cpu", "cuda") and not device.startswith("cuda:"):
        raise ClsCoreError(f"--device must be cpu, cuda or auto, got {device!r}")
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ClsCoreError(
                "--device cuda was asked for but no CUDA device is available; use --device cpu"
            )
        if device == "cuda":
            device = f"cuda:{local_rank}"
    return torch.device(device)


def _env_int(name: str) -> int | None:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else None


def init_dist(launcher: Launcher = "none", device: str = "auto") -> DistInfo:
    """Join the process group torchrun describes (RANK/WORLD_SIZE), or run as a single process.

    Under torchrun the group is used even without ``--launcher pytorch``; ``--launcher pytorch``
    without torchrun's variables is an error that says how to start it.
    """
    if launcher not in ("none", "pytorch"):
        raise ClsCoreError(f"--launcher must be none or pytorch, got {launcher!r}")
    rank, world_size = _env_int("RANK"), _env_int("WORLD_SIZE")
    if rank is None or world_size is None:
        if launcher == "pytorch":
            raise ClsCoreError(
                "--launcher pytorch needs the variables torchrun sets (RANK, WORLD_SIZE, MASTER_ADDR); "
                "start with `torchrun --nproc_per_node N ...` or use `clsrun train CFG --nproc N`"
            )
        return DistInfo(device=resolve_device(device))
    local_rank = _env_int("LOCAL_RANK") or 0
    torch_device = resolve_device(device, local_rank)
    if torch_device.type == "cuda":
        torch.cuda.set_device(torch_device)
    if dist.is_initialized():
        return DistInfo(rank, world_size, local_rank, torch_device, owns_group=False)
    backend = "nccl" if torch_device.type == "cuda" else "gloo"
    timeout = datetime.timedelta(seconds=float(os.environ.get(_TIMEOUT_ENV, 1800)))
    dist.init_process_group(backend=backend, timeout=timeout)
    return DistInfo(dist.get_rank(), dist.get_world_size(), local_rank, torch_device, owns_group=True)


def teardown(info: DistInfo, error: BaseException | None = None) -> None:
    """Leave the process group :func:`init_dist` joined; ``error``: what ended the run, if anything.

    Ranks that all got here the same way (the run finished, or every rank agreed to stop) first meet
    at a barrier, so that none closes its connections while another is still in its last collective
    (the likely cause of a gloo rank that once aborted at exit). A rank that failed on its own has no
    one to meet and leaves at once.
    """
    if not (info.owns_group and dist.is_initialized()):
        return
    if info.distributed and (error is None or (isinstance(error, TrainingStopped) and error.every_rank)):
        dist.barrier()
    dist.destroy_process_group()


def is_dist() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def get_rank() -> int:
    return dist.get_rank() if is_dist() else 0


def get_world_size() -> int:
    return dist.get_world_size() if is_dist() else 1


def barrier() -> None:
    if is_dist():
        dist.barrier()


def broadcast_object(obj: Any, src: int = 0) -> Any:
    """Rank ``src``'s ``obj`` on every rank (small Python objects: seeds, paths)."""
    if not is_dist():
        return obj
    holder = [obj]
    dist.broadcast_object_list(holder, src=src)
    return holder[0]


def all_reduce_mean(values: torch.Tensor) -> torch.Tensor:
    """The mean over ranks of ``values`` (a new tensor; the input is left alone)."""
    if not is_dist():
        return values
    out = values.clone()
    dist.all_reduce(out, op=dist.ReduceOp.SUM)
    return out / dist.get_world_size()


def all_gather_cat(tensor: torch.Tensor) -> torch.Tensor:
    """Concatenate every rank's ``tensor`` (equal shapes on all ranks) along dim 0, rank by rank."""
    if not is_dist():
        return tensor
    parts = [torch.empty_like(tensor) for _ in range(dist.get_world_size())]
    dist.all_gather(parts, tensor.contiguous())
    return torch.cat(parts)


def any_rank(flag: bool, device: torch.device) -> bool:
    """True on every rank when ``flag`` is true on at least one (so all ranks stop together)."""
    if not is_dist():
        return flag
    t = torch.tensor([1 if flag else 0], device=device)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item())
