"""Choosing one batch augment per batch, by probability."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch

from clscore.models.augments.identity import Identity

Augment = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


def _build(cfg: Mapping[str, Any] | Augment) -> Augment:
    if callable(cfg) and not isinstance(cfg, Mapping):
        return cfg
    from clscore.plugins import build

    return build("batch_augment", cfg)


class BatchAugments:
    """Applies to each batch one augment drawn from ``augments`` with probability ``augment.prob``.

    ``augments`` is one config (``{type: Mixup, alpha: 0.2, num_classes: 10, prob: 1.0}``), a list of
    them, or already-built callables. The probabilities may add up to at most 1; the rest is the
    chance of leaving the batch unchanged (labels still made one-hot when ``num_classes`` is known).
    A callable without ``prob`` counts as ``prob = 1``.
    """

    def __init__(self, augments: Mapping[str, Any] | Sequence[Mapping[str, Any] | Augment] | Augment) -> None:
        items = [augments] if isinstance(augments, Mapping) or callable(augments) else list(augments)
        self.augments: list[Augment] = [_build(item) for item in items]
        self.probs = [float(getattr(aug, "prob", 1.0)) for aug in self.augments]
        total = sum(self.probs)
        if total > 1 + 1e-6:
            listing = ", ".join(f"{type(a).__name__} {p:g}" for a, p in zip(self.augments, self.probs))
            raise ValueError(f"the batch augments' probabilities add up to {total:g} > 1 ({listing})")
        class_counts = {n for n in (getattr(a, "num_classes", None) for a in self.augments) if n is not None}
        if len(class_counts) > 1:
            raise ValueError(f"the batch augments disagree on num_classes: {sorted(class_counts)}")
        self.num_classes = next(iter(class_counts), None)
        if self.augments and total < 1 - 1e-6:
            rest = 1.0 - total
            self.augments.append(Identity(self.num_classes, rest) if self.num_classes else _passthrough)
            self.probs.append(rest)

    def __repr__(self) -> str:
        return f"BatchAugments({self.augments!r})"

    def __call__(self, img: torch.Tensor, gt_label: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if not self.augments:
            return img, gt_label
        choice = int(torch.multinomial(torch.tensor(self.probs), 1)) if len(self.augments) > 1 else 0
        return self.augments[choice](img, gt_label)


def _passthrough(img: torch.Tensor, gt_label: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return img, gt_label
