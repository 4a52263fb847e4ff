"""RepeatAugSampler: MMClassification 0.25's counts, the DDP split, per-epoch seeding, resume, config lookup."""

from __future__ import annotations

import math
from collections import Counter

import pytest
import torch

from clscore.data.builder import build_dataloader, loader_options
from clscore.data.samplers import RepeatAugSampler, ResumableSampler, sampler_config, set_epoch
from clscore.errors import ConfigError


def _ranks(size: int, world: int, **kwargs) -> list[list[int]]:
    return [
        RepeatAugSampler(range(size), num_replicas=world, rank=r, **kwargs).rank_indices()  # type: ignore[arg-type]
        for r in range(world)
    ]


@pytest.mark.parametrize(
    ("size", "world", "kwargs", "expected"),
    [
        (1000, 1, {}, 768),  # 1000 // 256 * 256 / 1
        (1000, 4, {}, 192),  # 768 / 4
        (1000, 4, {"selected_round": 0}, 250),  # ceil(1000 / 4)
        (1000, 4, {"selected_ratio": 2}, 384),  # 768 / 2
        (10, 3, {"selected_round": 0}, 4),  # ceil(10 / 3)
    ],
)
def test_len_is_the_number_of_selected_samples_per_rank(size, world, kwargs, expected):
    for indices in _ranks(size, world, **kwargs):
        assert len(indices) == expected
    assert len(RepeatAugSampler(range(size), num_replicas=world, rank=0, **kwargs)) == expected  # type: ignore[arg-type]


def test_copies_of_a_sample_go_to_different_ranks():
    world, size, repeats = 3, 30, 3
    per_rank = _ranks(size, world, num_repeats=repeats, selected_round=0, selected_ratio=1 / repeats)
    # with selected_ratio 1/num_repeats every rank keeps its whole share: each sample appears num_repeats times
    assert all(len(r) == size * repeats // world for r in per_rank)
    union = Counter(i for r in per_rank for i in r)
    assert union == Counter({i: repeats for i in range(size)})
    for rank_indices in per_rank:  # one copy of each sample per rank
        assert len(set(rank_indices)) == len(rank_indices)


def test_default_epoch_covers_the_first_selected_part_of_the_repeated_order():
    world, size = 4, 512
    per_rank = _ranks(size, world, seed=7)
    # the shuffled order repeated 3× and dealt round-robin; each rank keeps 128 = 512 / 4 indices
    order = torch.randperm(size, generator=torch.Generator().manual_seed(7)).repeat_interleave(3).tolist()
    for rank, indices in enumerate(per_rank):
        assert indices == order[rank::world][:128]


def test_order_is_seeded_per_epoch_and_identical_across_instances():
    a = RepeatAugSampler(range(300), seed=3, selected_round=0)  # type: ignore[arg-type]
    b = RepeatAugSampler(range(300), seed=3, selected_round=0)  # type: ignore[arg-type]
    a.set_epoch(2)
    b.set_epoch(2)
    assert list(a) == list(b)
    b.set_epoch(3)
    assert list(a) != list(b)


def test_skip_resumes_mid_epoch_through_the_loader():
    dataset = [{"img": torch.zeros(1), "gt_label": i} for i in range(40)]
    options = {"samples_per_gpu": 4, "workers_per_gpu": 0}
    spec = {"type": "RepeatAugSampler", "selected_round": 0}
    loader = build_dataloader(dataset, options, seed=5, sampler_cfg=spec)
    assert isinstance(loader.sampler, RepeatAugSampler)
    set_epoch(loader, 1, seed=5)
    full = [b["gt_label"].tolist() for b in loader]
    set_epoch(loader, 1, seed=5, skip_batches=3)
    assert [b["gt_label"].tolist() for b in loader] == full[3:]
    assert len(loader) == math.ceil(40 / 4) - 3


def test_too_small_a_dataset_for_the_round_says_what_to_set():
    with pytest.raises(ConfigError, match="selected_round=0"):
        RepeatAugSampler(range(100))  # type: ignore[arg-type]


def test_sampler_config_is_found_in_each_place_and_checked():
    spec = {"type": "RepeatAugSampler"}
    assert sampler_config({"sampler": spec})["type"] == "RepeatAugSampler"
    assert sampler_config({"data": {"sampler": spec}})["_where"] == "data.sampler"
    found = sampler_config({"data": {"train_dataloader": {"sampler": spec}}, "sampler": {"type": "x"}})
    assert found["_where"] == "data.train_dataloader.sampler"
    assert sampler_config({"data": {}}) is None
    with pytest.raises(ConfigError, match="did you mean 'RepeatAugSampler'"):
        sampler_config({"sampler": {"type": "RepeatAugSampeler"}})
    with pytest.raises(ConfigError, match=r"sampler: .*unexpected keyword.*num_repeat"):
        build_dataloader(
            [0] * 8,
            {"samples_per_gpu": 2, "workers_per_gpu": 0},
            sampler_cfg={"type": "RepeatAugSampler", "num_repeat": 2},
        )


def test_train_dataloader_may_name_a_sampler_and_val_loaders_keep_the_plain_one():
    data = {"samples_per_gpu": 2, "train_dataloader": {"sampler": {"type": "RepeatAugSampler"}}}
    assert "sampler" not in loader_options(data, "train")
    with pytest.raises(ConfigError, match="unknown key"):
        loader_options({"val_dataloader": {"sampler": {}}}, "val")
    loader = build_dataloader(
        list(range(8)),
        {"samples_per_gpu": 2, "workers_per_gpu": 0},
        train=False,
        sampler_cfg={"type": "RepeatAugSampler"},
    )
    assert isinstance(loader.sampler, ResumableSampler)
