"""The pieces of one training step the runner puts together: the module DDP wraps, the loss sum, the log
buffer and the non-finite loss guard."""

from __future__ import annotations

import resource
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from clscore import dist
from clscore.errors import ClsCoreError, TrainingError

if TYPE_CHECKING:
    from clscore.engine.runner import Runner

#: ``nan_policy: skip`` gives up after this many non-finite losses in a row.
MAX_CONSECUTIVE_SKIPS = 20
#: "no non-finite loss" in the cross-rank minimum of :class:`FiniteGuard`.
_NONE = 2**62


class TrainStep(nn.Module):
    """``forward`` is ``model.loss``, so DDP's gradient hooks and torch.compile see the training step."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model: Any = model

    def forward(self, img: torch.Tensor, gt_label: torch.Tensor) -> Any:
        return self.model.loss(img, gt_label)


def parse_losses(losses: Mapping[str, Any]) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """The total loss (sum of the entries whose key contains ``loss``) and detached values to log."""
    if not isinstance(losses, Mapping):
        raise TypeError(f"model.loss() must return a dict of losses, got {type(losses).__name__}")
    log_vars: dict[str, torch.Tensor] = {}
    for name, value in losses.items():
        if torch.is_tensor(value):
            log_vars[name] = value.mean()
        elif isinstance(value, (list, tuple)) and value and all(torch.is_tensor(v) for v in value):
            log_vars[name] = sum(v.mean() for v in value)  # type: ignore[assignment]
        elif isinstance(value, Mapping):
            for sub, sub_value in value.items():
                if torch.is_tensor(sub_value):
                    log_vars[str(sub)] = sub_value.mean()
    terms = [v for k, v in log_vars.items() if "loss" in k]
    if not terms:
        raise TypeError(
            f"model.loss() returned no entry whose key contains 'loss' (keys: {', '.join(losses)})"
        )
    loss = terms[0]
    for term in terms[1:]:
        loss = loss + term
    log_vars["loss"] = loss
    return loss, {k: v.detach().float() for k, v in log_vars.items()}


class LogBuffer:
    """Sums of logged values between two log lines; device tensors are read once per line."""

    def __init__(self) -> None:
        self.tensors: dict[str, torch.Tensor] = {}
        self.floats: dict[str, float] = {}
        self.count = 0

    def add(self, tensors: Mapping[str, torch.Tensor], floats: Mapping[str, float]) -> None:
        for k, v in tensors.items():  # out of place: the first value is kept as it is, never written to
            self.tensors[k] = self.tensors[k] + v if k in self.tensors else v
        for k, f in floats.items():
            self.floats[k] = self.floats.get(k, 0.0) + f
        self.count += 1

    def average(self) -> dict[str, float]:
        if self.count == 0:
            return {}
        out: dict[str, float] = {}
        if self.tensors:
            keys = list(self.tensors)
            stacked = dist.all_reduce_mean(torch.stack([self.tensors[k] for k in keys]) / self.count)
            out.update(zip(keys, stacked.tolist()))
        out.update({k: v / self.count for k, v in self.floats.items()})
        return out

    def clear(self) -> None:
        self.tensors, self.floats, self.count = {}, {}, 0


class FiniteGuard:
    """Which iteration first had a NaN/inf loss, on any rank; read only at the runner's check points.

    Each iteration only appends its (device) loss; a check stacks the losses since the last one and
    reads one number, so the loop does not wait for the device in between. Once found, the iteration is
    kept, and every later check reports it again.
    """

    def __init__(self) -> None:
        self._pending: list[tuple[int, torch.Tensor]] = []
        self.first: int | None = None

    def track(self, iteration: int, loss: torch.Tensor) -> None:
        self._pending.append((iteration, loss))

    def first_nonfinite(self, device: torch.device) -> int | None:
        """The first iteration with a non-finite loss on any rank (a collective under DDP), else None."""
        pending, self._pending = self._pending, []
        if self.first is not None:
            return self.first
        distributed = dist.is_dist()
        if not pending and not distributed:
            return None
        if pending:
            finite = torch.isfinite(torch.stack([loss for _, loss in pending]))
            if not distributed:
                if bool(finite.all()):
                    return None
                self.first = pending[int((~finite).nonzero()[0, 0])][0]
                return self.first
            iters = torch.tensor([i for i, _ in pending], device=finite.device)
            at = torch.where(finite, torch.full_like(iters, _NONE), iters).min()
        else:
            at = torch.full((), _NONE, dtype=torch.long, device=device)
        torch.distributed.all_reduce(at, op=torch.distributed.ReduceOp.MIN)
        found = int(at.item())
        self.first = found if found != _NONE else None
        return self.first


def peak_memory_mb(device: torch.device) -> int:
    """The peak memory of this run so far in MiB: allocated on a CUDA device, else this process's RSS."""
    if device.type == "cuda":
        return int(torch.cuda.max_memory_allocated(device) // (1024 * 1024))
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)


def skip_nonfinite(runner: Runner, loss: torch.Tensor) -> bool:
    """``nan_policy: skip``: drop this iteration's update when the loss is not finite on any rank."""
    if not dist.any_rank(not bool(torch.isfinite(loss).item()), runner.device):
        runner.consecutive_skips = 0
        return False
    runner.optimizer.zero_grad(set_to_none=True)
    runner.skipped_iters += 1
    runner.consecutive_skips += 1
    runner.logger.warning(
        "non-finite loss at iteration %d: update skipped (%d so far)", runner.iter + 1, runner.skipped_iters
    )
    if runner.consecutive_skips >= MAX_CONSECUTIVE_SKIPS:
        raise TrainingError(
            f"the loss was NaN or infinite for {MAX_CONSECUTIVE_SKIPS} iterations in a row (up to iteration "
            f"{runner.iter + 1}); training stopped. The last good checkpoint is {runner.last_checkpoint}."
        )
    return True


def clean_loader_error(exc: ClsCoreError) -> ClsCoreError:
    """A ClsCoreError re-raised from a DataLoader worker carries the worker traceback; keep its message."""
    text = str(exc)
    if "Original Traceback" not in text:
        return exc
    last = [line for line in text.strip().splitlines() if line.strip()][-1]
    head, sep, message = last.partition(": ")
    return type(exc)(message if sep and "Error" in head else last)
