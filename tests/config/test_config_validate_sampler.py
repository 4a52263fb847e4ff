"""``validate`` checks the training sampler wherever a config puts it, without importing clscore.data."""

from __future__ import annotations

from typing import Any

import pytest

from clscore.config import validate
from clscore.config._sections import SAMPLER_TYPES, SAMPLERS
from clscore.errors import ConfigError
from clscore.plugins._registry import resolve_target

PLACES = ["sampler", "data.sampler", "data.train_dataloader.sampler"]


def config(where: str, sampler: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = {"data": {"samples_per_gpu": 8}}
    node = cfg
    *parents, last = where.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = sampler
    return cfg


def problems(cfg: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as info:
        validate(cfg)
    return info.value.problems


def test_the_names_are_the_data_layers_table() -> None:
    from clscore.data.samplers import SAMPLERS as BUILT

    assert tuple(sorted(BUILT)) == SAMPLER_TYPES
    for name, target in SAMPLERS.items():
        assert resolve_target(target, what=name) is BUILT[name]


@pytest.mark.parametrize("where", PLACES)
@pytest.mark.parametrize(
    "sampler",
    [
        {"type": "RepeatAugSampler"},
        {
            "type": "RepeatAugSampler",
            "num_repeats": 3,
            "selected_round": 0,
            "selected_ratio": 0,
            "shuffle": True,
        },
        {"type": "DistributedSampler", "shuffle": False},
        None,
    ],
)
def test_valid_samplers_pass(where: str, sampler: Any) -> None:
    validate(config(where, sampler))


@pytest.mark.parametrize("where", PLACES)
def test_misspelt_type_has_its_path_the_names_and_did_you_mean(where: str) -> None:
    assert problems(config(where, {"type": "RepeatAugSamplr", "num_repeats": 3})) == [
        f"{where}.type: unknown sampler 'RepeatAugSamplr'; did you mean 'RepeatAugSampler'? "
        "Samplers: DistributedSampler, RepeatAugSampler."
    ]


@pytest.mark.parametrize("where", PLACES)
def test_missing_type(where: str) -> None:
    assert problems(config(where, {"num_repeats": 3})) == [
        f"{where}: missing 'type': name the sampler to use (DistributedSampler, RepeatAugSampler)"
    ]


@pytest.mark.parametrize("where", PLACES)
def test_not_a_mapping_is_reported_once(where: str) -> None:
    (problem,) = problems(config(where, "RepeatAugSampler"))
    assert problem.startswith(f"{where}: expected dict | None, got 'RepeatAugSampler'")


def test_keys_are_checked_against_the_samplers_parameters() -> None:
    sampler = {"type": "RepeatAugSampler", "num_repeat": 3, "selected_round": "256", "seed": 1}
    assert problems(config("sampler", sampler)) == [
        "sampler.num_repeat: RepeatAugSampler has no parameter 'num_repeat'; did you mean 'num_repeats'? "
        "Parameters: shuffle, num_repeats, selected_round, selected_ratio.",
        "sampler.selected_round: RepeatAugSampler expects int, got '256'",
        "sampler.seed: the loader passes 'seed' to the sampler itself (the seed is the top-level 'seed'); "
        "remove it here",
    ]


def test_the_default_sampler_takes_only_shuffle() -> None:
    (problem,) = problems(config("data.sampler", {"type": "DistributedSampler", "num_repeats": 3}))
    assert problem == (
        "data.sampler.num_repeats: DistributedSampler has no parameter 'num_repeats'. Parameters: shuffle."
    )


def test_every_place_is_checked() -> None:
    cfg = config("sampler", {"type": "RepeatSampler"})
    cfg["data"]["sampler"] = {"type": "RepeatAugSampler", "num_repeats": 2}
    cfg["data"]["train_dataloader"] = {"sampler": {"type": "Distributed"}}
    assert [p.split(":")[0] for p in problems(cfg)] == ["data.train_dataloader.sampler.type", "sampler.type"]
