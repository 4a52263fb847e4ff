"""The training samplers and the per-epoch seeding that makes a resumed run see the same batches.

Each process draws its share through a ``DistributedSampler`` (one replica when not distributed), so the
order of epoch ``e`` depends only on ``(seed, e)``. A config picks another sampler with ``sampler:
{type: RepeatAugSampler, ...}`` (top level, as MMClassification 0.x writes it), ``data.sampler`` or
``data.train_dataloader.sampler``; :data:`SAMPLERS` is the table of names (samplers are not a plugin
component kind: the loader, resume and DDP sharding depend on their exact contract).
"""

from __future__ import annotations

import difflib
import itertools
import math
from collections.abc import Iterator, Mapping
from typing import Any

import torch
from torch.utils.data import DataLoader, Dataset, DistributedSampler, Sampler

from clscore.errors import ConfigError


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


class RepeatAugSampler(Sampler[int]):
    """Repeated augmentation (Hoffer et al. 2019; DeiT; MMClassification 0.25's ``RepeatAugSampler``).

    Each epoch the dataset is shuffled with ``seed + epoch``, every index is repeated ``num_repeats``
    times in a row and the list is dealt round-robin to the ranks, so the copies of one sample land on
    different ranks. Each rank then keeps its first ``len(self)`` indices: ``len(dataset) //
    selected_round * selected_round / selected_ratio`` (``selected_ratio`` defaults to the world size;
    ``selected_round: 0`` keeps ``ceil(len(dataset) / selected_ratio)``), i.e. an epoch still sees
    about one dataset's worth of samples in all. ``set_epoch(epoch, skip)`` starts part-way, for resume.
    """

    def __init__(
        self,
        dataset: Dataset,
        *,
        num_replicas: int = 1,
        rank: int = 0,
        shuffle: bool = True,
        num_repeats: int = 3,
        selected_round: int = 256,
        selected_ratio: float = 0,
        seed: int = 0,
    ) -> None:
        if int(num_repeats) < 1:
            raise ConfigError(f"sampler.num_repeats must be >= 1, got {num_repeats}")
        size = len(dataset)  # type: ignore[arg-type]
        self.dataset = dataset
        self.num_replicas, self.rank = int(num_replicas), int(rank)
        self.shuffle, self.seed, self.num_repeats = bool(shuffle), int(seed), int(num_repeats)
        ratio = float(selected_ratio) or self.num_replicas
        if selected_round:
            self.num_selected = math.floor(size // int(selected_round) * int(selected_round) / ratio)
        else:
            self.num_selected = math.ceil(size / ratio)
        if self.num_selected == 0:
            raise ConfigError(
                f"sampler: RepeatAugSampler selects no sample: the dataset has {size} samples, fewer than "
                f"selected_round={selected_round}; set sampler.selected_round=0 (or a smaller round)"
            )
        self.num_samples = math.ceil(size * self.num_repeats / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.epoch = 0
        self.skip = 0

    def set_epoch(self, epoch: int, skip: int = 0) -> None:
        self.epoch, self.skip = int(epoch), max(0, int(skip))

    def rank_indices(self) -> list[int]:
        """This epoch's indices of this rank, in order, before any skip."""
        size = len(self.dataset)  # type: ignore[arg-type]
        if self.shuffle:
            generator = torch.Generator()
            generator.manual_seed(self.seed + self.epoch)
            order = torch.randperm(size, generator=generator)
        else:
            order = torch.arange(size)
        repeated = order.repeat_interleave(self.num_repeats).tolist()
        repeated += repeated[: self.total_size - len(repeated)]
        return repeated[self.rank : self.total_size : self.num_replicas][: self.num_selected]

    def __iter__(self) -> Iterator[int]:
        return iter(self.rank_indices()[self.skip :])

    def __len__(self) -> int:
        return max(0, self.num_selected - self.skip)


#: ``sampler.type`` → class; ``DistributedSampler`` (MMClassification's name for the default) is the plain one.
SAMPLERS: dict[str, type] = {"DistributedSampler": ResumableSampler, "RepeatAugSampler": RepeatAugSampler}


def sampler_config(cfg: Mapping[str, Any]) -> dict[str, Any] | None:
    """The training sampler's config: ``data.train_dataloader.sampler``, ``data.sampler`` or ``sampler``."""
    data = cfg.get("data") or {}
    for where, value in (
        ("data.train_dataloader.sampler", (data.get("train_dataloader") or {}).get("sampler")),
        ("data.sampler", data.get("sampler")),
        ("sampler", cfg.get("sampler")),
    ):
        if value is None:
            continue
        if not isinstance(value, Mapping) or not isinstance(value.get("type"), str):
            raise ConfigError(f"{where}: expected {{type: RepeatAugSampler, ...}}, got {value!r}")
        if value["type"] not in SAMPLERS:
            close = difflib.get_close_matches(value["type"], list(SAMPLERS), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigError(
                f"{where}.type: unknown sampler {value['type']!r}{hint} Samplers: {', '.join(SAMPLERS)}."
            )
        return {**dict(value), "_where": where}
    return None


def build_sampler(
    dataset: Dataset, cfg: Mapping[str, Any] | None, *, num_replicas: int, rank: int, shuffle: bool, seed: int
) -> Sampler[int]:
    """The sampler ``cfg`` (from :func:`sampler_config`) names, or the default shuffled one."""
    spec = dict(cfg or {"type": "DistributedSampler"})
    where = spec.pop("_where", "sampler")
    kind = SAMPLERS[spec.pop("type")]
    spec.setdefault("shuffle", shuffle)
    try:
        return kind(dataset, num_replicas=num_replicas, rank=rank, seed=seed, **spec)
    except TypeError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def epoch_seed(seed: int, epoch: int, rank: int) -> int:
    """Seed of the loader's generator (worker seeds) for one epoch on one rank."""
    return (int(seed) * 1_000_003 + epoch * 9_973 + rank * 7_919) % (2**63 - 1)


def set_epoch(loader: DataLoader, epoch: int, *, seed: int, rank: int = 0, skip_batches: int = 0) -> None:
    """Fix epoch ``epoch``'s order and worker seeds; start after ``skip_batches`` batches."""
    sampler = loader.sampler
    if isinstance(sampler, (ResumableSampler, RepeatAugSampler)):
        sampler.set_epoch(epoch, skip=skip_batches * int(loader.batch_size or 1))
    if loader.generator is not None:
        loader.generator.manual_seed(epoch_seed(seed, epoch, rank))
