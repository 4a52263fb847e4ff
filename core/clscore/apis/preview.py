"""What the model sees: samples of a split after its pipeline, turned back into viewable pictures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch

from clscore.apis.pipeline import innermost_dataset, type_name
from clscore.errors import ConfigError


def normalize_params(pipeline: Sequence[Mapping[str, Any]]) -> tuple[list[float], list[float], bool] | None:
    """``(mean, std, to_bgr)`` of the pipeline's ``Normalize``, if it has one."""
    for transform in pipeline:
        if isinstance(transform, Mapping) and type_name(transform) == "Normalize":
            return (
                [float(m) for m in transform.get("mean", [0.0])],
                [float(s) for s in transform.get("std", [1.0])],
                bool(transform.get("to_bgr", False)),
            )
    return None


def to_picture(img: torch.Tensor, norm: tuple[list[float], list[float], bool] | None) -> np.ndarray:
    """A pipeline output ``(C, H, W)`` as a ``uint8`` ``(H, W, 3)`` RGB picture (``Normalize`` undone)."""
    x = img.detach().float().cpu()
    if norm is not None:
        mean, std, to_bgr = norm
        if to_bgr and x.shape[0] == 3:
            x = x.flip(0)  # Normalize's to_bgr reorders after normalising in RGB
        x = x * torch.tensor(std).view(-1, 1, 1) + torch.tensor(mean).view(-1, 1, 1)
    if x.shape[0] == 1:
        x = x.expand(3, -1, -1)
    return x[:3].clamp(0, 255).round().to(torch.uint8).permute(1, 2, 0).numpy()


def preview_samples(
    cfg: Mapping[str, Any], split: str = "train", n: int = 16, seed: int = 0
) -> tuple[list[np.ndarray], list[str]]:
    """``n`` random samples of ``data.<split>`` through its pipeline (augmentations drawn with ``seed``)."""
    from clscore.apis._config import to_plain
    from clscore.data.builder import build_dataset

    data = to_plain(cfg.get("data") or {})
    if not isinstance(data.get(split), Mapping):
        raise ConfigError(f"the config has no data.{split} dataset")
    dataset = build_dataset(data[split], split=split)
    norm = normalize_params(innermost_dataset(data[split]).get("pipeline") or [])
    classes = list(getattr(dataset, "classes", None) or [])
    generator = torch.Generator().manual_seed(seed)
    indices = torch.randperm(len(dataset), generator=generator)[: max(1, n)].tolist()
    pictures, labels = [], []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)  # the transforms draw from torch's global RNG
        samples = [dataset[index] for index in indices]
    for index, sample in zip(indices, samples):
        pictures.append(to_picture(sample["img"], norm))
        label = sample.get("gt_label")
        if label is None:
            labels.append(f"#{index}")
        else:
            value = int(label)
            labels.append(f"#{index}: {classes[value] if 0 <= value < len(classes) else value}")
    return pictures, labels
