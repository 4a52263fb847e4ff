"""Datasets and loaders from the ``data:`` section (MMClassification's ``build_dataset`` / ``build_dataloader``).

Each process loads ``samples_per_gpu`` samples per batch with ``workers_per_gpu`` workers through a
:class:`~clscore.data.samplers.ResumableSampler`. ``data.train_dataloader`` / ``val_dataloader`` /
``test_dataloader`` override the shared loader options per split.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset
from torch.utils.data._utils.collate import default_collate

from clscore.data.bad_samples import ErrorPolicy, SkipTracker, apply_policy, skip_policy
from clscore.data.device_normalize import ATTRIBUTE as NORMALIZE_ATTRIBUTE
from clscore.data.device_normalize import split_dataset_normalize
from clscore.data.samplers import build_sampler, epoch_seed
from clscore.errors import ConfigError, DataError, config_key
from clscore.plugins import build, get_host

_LOADER_KEYS = {
    "samples_per_gpu",
    "workers_per_gpu",
    "persistent_workers",
    "pin_memory",
    "drop_last",
    "shuffle",
    "prefetch_factor",
}


def build_dataset(
    cfg: Any,
    *,
    split: str | None = None,
    classes: Sequence[str] | None = None,
    device_normalize: bool = False,
) -> Any:
    """A dataset from its config (``{type: ..., ...}``); an already built dataset is returned as it is.

    With ``split`` the config is ``data.<split>``: val and test sets get ``test_mode=True`` when they take
    it, as in MMClassification, errors name the key, and an empty dataset is an error. ``classes`` (the
    training set's, or a checkpoint's) is given to a dataset whose config names none, so that its labels
    index the same classes as the model's outputs (a val folder missing a class, or an ``ann_file``
    split, would otherwise number its classes differently).

    With ``device_normalize`` a trailing ``Normalize`` of the pipeline is left out, so the samples stay
    uint8, and its settings are kept as the dataset's ``device_normalize`` attribute for the engine to
    apply to whole batches on the device (:mod:`clscore.data.device_normalize`).
    """
    if device_normalize:
        stripped, moved = split_dataset_normalize(cfg)
        dataset = build_dataset(stripped, split=split, classes=classes)
        if moved is not None:
            setattr(dataset, NORMALIZE_ATTRIBUTE, moved)
        return dataset
    if split is None:
        if not isinstance(cfg, Mapping):
            return cfg
        spec = dict(cfg)
        policy = ErrorPolicy.pop_from(spec, None)
        dataset = build("dataset", spec)
        apply_policy(dataset, policy)
        return dataset
    if not isinstance(cfg, Mapping) or "type" not in cfg:
        raise ConfigError(
            f"data.{split} must be a dataset config with a 'type' (e.g. {{type: ImageNet, data_prefix: ...}})"
        )
    spec = dict(cfg)
    policy = ErrorPolicy.pop_from(spec, f"data.{split}")
    component = get_host().registry("dataset").get(str(spec["type"]))
    if split != "train" and "test_mode" not in spec and component.declares("test_mode"):
        spec["test_mode"] = True
    if classes and spec.get("classes") is None and component.declares("classes"):
        spec["classes"] = [str(c) for c in classes]
    with config_key(f"data.{split}"):
        dataset = build("dataset", spec)
    apply_policy(dataset, policy, key=f"data.{split}")
    if len(dataset) == 0:
        where = spec.get("data_prefix") or spec.get("ann_file") or ""
        raise DataError(
            f"the {split} dataset (data.{split}) is empty{f': {where}' if where else ''}; check its paths"
        )
    return dataset


class SkippingDataLoader(DataLoader):
    """A loader over a dataset with ``on_error: skip``: takes the bad-sample reports out of each batch."""

    def __init__(self, dataset: Dataset, *args: Any, **kwargs: Any) -> None:
        super().__init__(dataset, *args, **kwargs)
        self.skips = SkipTracker(skip_policy(dataset) or ErrorPolicy("skip"), len(dataset))  # type: ignore[arg-type]

    def __iter__(self) -> Any:
        return self.skips.follow(super().__iter__())


def collate(batch: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Stack tensors, arrays and numbers per key; keep anything else (file names, metas) as lists.

    Decoded images are channels-last views (``(C, H, W)`` over ``(H, W, C)`` memory); their batch keeps
    that memory layout (``(N, C, H, W)`` in ``torch.channels_last``), a plain copy per image, and the
    layout change happens in the batched step on the device (:class:`~clscore.models.preprocessor.
    DataPreprocessor`) instead of pixel by pixel in the worker.
    """
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
        if not stackable:
            out[key] = list(values)
        elif _channels_last_image(head):
            out[key] = default_collate([v.permute(1, 2, 0) for v in values]).permute(0, 3, 1, 2)
        else:
            out[key] = default_collate(values)
    return out


def _channels_last_image(value: Any) -> bool:
    """A ``uint8`` ``(C, H, W)`` image of several channels stored pixel by pixel (``(H, W, C)``
    memory, or a crop of it). Float samples (normalised in the worker) batch as they always did."""
    return (
        isinstance(value, torch.Tensor)
        and value.dtype == torch.uint8
        and value.dim() == 3
        and value.shape[0] > 1
        and value.stride(0) == 1
        and value.stride(2) == value.shape[0]
    )


def loader_options(data_cfg: Mapping[str, Any], split: str) -> dict[str, Any]:
    """The loader options for ``split`` (train/val/test): shared ``data`` keys, then ``<split>_dataloader``."""
    options = {k: data_cfg[k] for k in _LOADER_KEYS if k in data_cfg}
    override = data_cfg.get(f"{split}_dataloader") or {}
    unknown = set(override) - _LOADER_KEYS - ({"sampler"} if split == "train" else set())
    if unknown:
        raise ConfigError(
            f"data.{split}_dataloader: unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(_LOADER_KEYS))}"
        )
    options.update({k: v for k, v in override.items() if k != "sampler"})
    options.setdefault("samples_per_gpu", 32)
    options.setdefault("workers_per_gpu", 2)
    return options


def build_dataloader(
    dataset: Dataset,
    options: Mapping[str, Any],
    *,
    rank: int = 0,
    world_size: int = 1,
    seed: int = 0,
    train: bool = True,
    device_type: str = "cpu",
    sampler_cfg: Mapping[str, Any] | None = None,
) -> DataLoader:
    """A loader over ``dataset``; for training shuffled and ``set_epoch``-able through
    :func:`~clscore.data.samplers.set_epoch`. ``sampler_cfg`` (from
    :func:`~clscore.data.samplers.sampler_config`) picks another training sampler."""
    batch_size = int(options["samples_per_gpu"])
    workers = int(options["workers_per_gpu"])
    if batch_size <= 0 or workers < 0:
        raise ConfigError(
            f"data.samples_per_gpu must be > 0 and workers_per_gpu >= 0, got {batch_size}, {workers}"
        )
    sampler = build_sampler(
        dataset,
        sampler_cfg if train else None,
        num_replicas=world_size,
        rank=rank,
        shuffle=bool(options.get("shuffle", train)),
        seed=seed,
    )
    generator = torch.Generator()
    generator.manual_seed(epoch_seed(seed, 0, rank))
    kwargs: dict[str, Any] = {}
    if workers > 0:
        kwargs["persistent_workers"] = bool(options.get("persistent_workers", False))
        if options.get("prefetch_factor"):
            kwargs["prefetch_factor"] = int(options["prefetch_factor"])
    loader_class = SkippingDataLoader if skip_policy(dataset) is not None else DataLoader
    return loader_class(
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
