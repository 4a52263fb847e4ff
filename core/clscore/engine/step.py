"""The pieces of one training step the runner puts together: the module DDP wraps, the loss sum, the log buffer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from clscore import dist
from clscore.errors import ClsCoreError


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
        for k, v in tensors.items():
            self.tensors[k] = self.tensors[k] + v if k in self.tensors else v.clone()
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


def clean_loader_error(exc: ClsCoreError) -> ClsCoreError:
    """A ClsCoreError re-raised from a DataLoader worker carries the worker traceback; keep its message."""
    text = str(exc)
    if "Original Traceback" not in text:
        return exc
    last = [line for line in text.strip().splitlines() if line.strip()][-1]
    head, sep, message = last.partition(": ")
    return type(exc)(message if sep and "Error" in head else last)
