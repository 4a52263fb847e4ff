"""DataLoaders from the ``data:`` section (MMClassification's ``build_dataloader`` semantics).

Each process loads ``samples_per_gpu`` samples per batch with ``workers_per_gpu`` workers through a
``DistributedSampler`` (one replica when not distributed), so the order of epoch ``e`` depends only
on ``(seed, e)`` and a resumed run sees the same batches. ``data.train_dataloader`` /
``val_dataloader`` / ``test_dataloader`` override the shared options per split.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, DistributedSampler
from torch.utils.data._utils.collate import default_collate

from clscore.errors import ConfigError

_LOADER_KEYS = {
    "samples_per_gpu",
    "workers_per_gpu",
    "persistent_workers",
    "pin_memory",
    "drop_last",
    "shuffle",
    "prefetch_factor",
}


class ResumableSampler(DistributedSampler):
    """torch's ``DistributedSampler`` that can start an epoch part-way (for mid-epoch resume).

    Works without an initialized process group when given ``num_replicas`` and ``rank``. Padding
    (to equal shares per rank) repeats the first indices; evaluation drops the repeats.
    """

    def __init__(self, dataset: Dataset, *, num_replicas: int, rank: int, shuffle: bool, seed: int) -> None:
        super().__init__(dataset, num_replicas=num_replicas, rank=rank, shuffle=shuffle, seed=seed)
        self.skip = 0

    def set_epoch(self, epoch: int, skip: int = 0) -> None:  # type: ignore[override]
        super().set_epoch(epoch)
        self.skip = max(0, int(skip))

    def __iter__(self) -> Iterator[int]:
        return itertools.islice(super().__iter__(), self.skip, None)

    def __len__(self) -> int:
        return max(0, self.num_samples - self.skip)

    def rank_indices(self) -> list[int]:
        """The dataset indices this rank visits this epoch, in order, padding included."""
        return list(iter(self))


def collate(batch: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Stack tensors, arrays and numbers per key; keep anything else (file names, metas) as lists."""
    first = batch[0]
    if not isinstance(first, Mapping):
        return default_collate(batch)
    out: dict[str, Any] = {}
    for key in first:
        values = [sample[key] for sample in batch]
        head = values[0]
        stackable = (
            isinstance(head, (torch.Tensor, np.ndarray, int, float, np.integer, np.floating))
            and not isinstance(head, bool)
            and all(type(v) is type(head) for v in values)
        )
        if stackable and isinstance(head, (torch.Tensor, np.ndarray)):
            stackable = all(v.shape == head.shape for v in values)
        out[key] = default_collate(values) if stackable else list(values)
    return out


def loader_options(data_cfg: Mapping[str, Any], split: str) -> dict[str, Any]:
    """The loader options for ``split`` (train/val/test): shared ``data`` keys, then ``<split>_dataloader``."""
    options = {k: data_cfg[k] for k in _LOADER_KEYS if k in data_cfg}
    override = data_cfg.get(f"{split}_dataloader") or {}
    unknown = set(override) - _LOADER_KEYS
    if unknown:
        raise ConfigError(
            f"data.{split}_dataloader: unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(_LOADER_KEYS))}"
        )
    options.update(override)
    options.setdefault("samples_per_gpu", 32)
    options.setdefault("workers_per_gpu", 2)
    return options


def epoch_seed(seed: int, epoch: int, rank: int) -> int:
    """Seed of the loader's generator (worker seeds) for one epoch on one rank."""
    return (int(seed) * 1_000_003 + epoch * 9_973 + rank * 7_919) % (2**63 - 1)


def build_dataloader(
    dataset: Dataset,
    options: Mapping[str, Any],
    *,
    rank: int = 0,
    world_size: int = 1,
    seed: int = 0,
    train: bool = True,
    device_type: str = "cpu",
) -> DataLoader:
    """A loader over ``dataset``; for training shuffled and ``set_epoch``-able through :func:`set_epoch`."""
    batch_size = int(options["samples_per_gpu"])
    workers = int(options["workers_per_gpu"])
    if batch_size <= 0 or workers < 0:
        raise ConfigError(
            f"data.samples_per_gpu must be > 0 and workers_per_gpu >= 0, got {batch_size}, {workers}"
        )
    sampler = ResumableSampler(
        dataset, num_replicas=world_size, rank=rank, shuffle=bool(options.get("shuffle", train)), seed=seed
    )
    generator = torch.Generator()
    generator.manual_seed(epoch_seed(seed, 0, rank))
    kwargs: dict[str, Any] = {}
    if workers > 0:
        kwargs["persistent_workers"] = bool(options.get("persistent_workers", False))
        if options.get("prefetch_factor"):
            kwargs["prefetch_factor"] = int(options["prefetch_factor"])
    return DataLoader(
        dataset,
        batch_size=batch_size,
        sampler=sampler,
        num_workers=workers,
        collate_fn=collate,
        pin_memory=bool(options.get("pin_memory", device_type == "cuda")),
        drop_last=bool(options.get("drop_last", False)) if train else False,
        generator=generator,
        **kwargs,
    )


def set_epoch(loader: DataLoader, epoch: int, *, seed: int, rank: int = 0, skip_batches: int = 0) -> None:
    """Fix epoch ``epoch``'s order and worker seeds; start after ``skip_batches`` batches."""
    sampler = loader.sampler
    if isinstance(sampler, ResumableSampler):
        sampler.set_epoch(epoch, skip=skip_batches * int(loader.batch_size or 1))
    if loader.generator is not None:
        loader.generator.manual_seed(epoch_seed(seed, epoch, rank))
