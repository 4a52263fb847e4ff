"""``validate`` checks the ops inside AutoAugment's and RandAugment's ``policies`` like any transform."""

from __future__ import annotations

from typing import Any

import pytest

from clscore import hookimpl
from clscore.config import validate
from clscore.errors import ConfigError
from clscore.testing import isolated_host, use_host


class Smear:
    """An op with required parameters that RandAugment's level and ``hparams`` fill in."""

    def __init__(self, amount: float, pad_val: int | list[int], prob: float = 0.5) -> None:
        pass


class SmearPlugin:
    @hookimpl
    def register_transforms(self, registry):
        registry.add("Smear", Smear)


@pytest.fixture(autouse=True)
def host():
    with use_host(isolated_host(SmearPlugin())) as host:
        yield host


#: MMClassification 0.25's ``rand_increasing_policies`` (its RandAugment docs), as the RSB recipes use it.
RAND_INCREASING: list[dict[str, Any]] = [
    {"type": "AutoContrast"},
    {"type": "Equalize"},
    {"type": "Invert"},
    {"type": "Rotate", "magnitude_key": "angle", "magnitude_range": (0, 30)},
    {"type": "Posterize", "magnitude_key": "bits", "magnitude_range": (4, 0)},
    {"type": "Solarize", "magnitude_key": "thr", "magnitude_range": (256, 0)},
    {"type": "SolarizeAdd", "magnitude_key": "magnitude", "magnitude_range": (0, 110)},
    {"type": "ColorTransform", "magnitude_key": "magnitude", "magnitude_range": (0, 0.9)},
    {"type": "Contrast", "magnitude_key": "magnitude", "magnitude_range": (0, 0.9)},
    {"type": "Brightness", "magnitude_key": "magnitude", "magnitude_range": (0, 0.9)},
    {"type": "Sharpness", "magnitude_key": "magnitude", "magnitude_range": (0, 0.9)},
    {"type": "Shear", "magnitude_key": "magnitude", "magnitude_range": (0, 0.3), "direction": "horizontal"},
    {"type": "Shear", "magnitude_key": "magnitude", "magnitude_range": (0, 0.3), "direction": "vertical"},
    {
        "type": "Translate",
        "magnitude_key": "magnitude",
        "magnitude_range": (0, 0.45),
        "direction": "vertical",
    },
]
AUTO_POLICIES: list[list[dict[str, Any]]] = [
    [{"type": "Posterize", "bits": 4, "prob": 0.4}, {"type": "Rotate", "angle": 30.0, "prob": 0.6}],
    [{"type": "Solarize", "thr": 256 / 9 * 4, "prob": 0.6}, {"type": "AutoContrast", "prob": 0.6}],
    [{"type": "Equalize", "prob": 0.8}, {"type": "Equalize", "prob": 0.6}],
]
PIPELINE = "data.train.pipeline.1"


def config(augment: dict[str, Any]) -> dict[str, Any]:
    pipeline = [{"type": "LoadImageFromFile"}, augment, {"type": "ToTensor", "keys": ["gt_label"]}]
    return {"data": {"train": {"type": "ImageNet", "data_prefix": "x", "pipeline": pipeline}}}


def rand_augment(policies: Any, **options: Any) -> dict[str, Any]:
    return config({"type": "RandAugment", "policies": policies, "total_level": 10, **options})


def auto_augment(policies: Any, **options: Any) -> dict[str, Any]:
    return config({"type": "AutoAugment", "policies": policies, **options})


def problems(cfg: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as info:
        validate(cfg)
    return info.value.problems


@pytest.mark.parametrize(
    "cfg",
    [
        pytest.param(rand_augment(RAND_INCREASING), id="rand_increasing"),
        pytest.param(
            rand_augment(RAND_INCREASING, hparams={"pad_val": [104, 116, 124], "interpolation": "bicubic"}),
            id="rand_increasing with hparams",
        ),
        pytest.param(rand_augment("torchvision"), id="RandAugment by name"),
        pytest.param(auto_augment(AUTO_POLICIES), id="AutoAugment sub-policies"),
        pytest.param(auto_augment("imagenet", hparams={"pad_val": 0}), id="AutoAugment by name"),
        pytest.param(
            rand_augment([{"type": "Smear", "magnitude_key": "amount", "magnitude_range": [0, 1]}]),
            id="level and default hparams fill required parameters",
        ),
        pytest.param(
            auto_augment([[{"type": "Smear", "amount": 0.5}]], hparams={"pad_val": 3}),
            id="hparams fill a required parameter",
        ),
    ],
)
def test_valid_policies_pass(cfg: dict[str, Any]) -> None:
    validate(cfg)


def test_required_parameters_are_missing_when_neither_the_level_nor_hparams_fill_them() -> None:
    assert problems(rand_augment([{"type": "Smear"}], hparams={"interpolation": "bicubic"})) == [
        f"{PIPELINE}.policies.0: Smear (smearplugin) needs parameter 'amount' (float)",
        f"{PIPELINE}.policies.0: Smear (smearplugin) needs parameter 'pad_val' (int | list[int])",
    ]


def test_unknown_op_type_in_a_sub_policy_has_its_path_and_did_you_mean() -> None:
    policies = [AUTO_POLICIES[0], [{"type": "Equalize"}, {"type": "Rotat", "angle": 30.0}]]
    (problem,) = problems(auto_augment(policies))
    assert problem.startswith(f"{PIPELINE}.policies.1.1: unknown transform 'Rotat'; did you mean 'Rotate'?")


def test_unknown_op_type_in_rand_augment() -> None:
    policies = [*RAND_INCREASING[:2], {"type": "Equalise"}]
    (problem,) = problems(rand_augment(policies))
    assert problem.startswith(
        f"{PIPELINE}.policies.2: unknown transform 'Equalise'; did you mean 'Equalize'?"
    )


def test_unknown_op_key() -> None:
    policies = [[{"type": "Posterize", "bits": 4, "prop": 0.4}]]
    (problem,) = problems(auto_augment(policies))
    assert problem == (
        f"{PIPELINE}.policies.0.0.prop: Posterize (clscore) has no parameter 'prop'; "
        "did you mean 'prob'? Parameters: bits, prob."
    )


def test_magnitude_keys_belong_to_rand_augment_only() -> None:
    policies = [[{"type": "Rotate", "magnitude_key": "angle", "magnitude_range": [0, 30]}]]
    assert [p.split(":")[0] for p in problems(auto_augment(policies))] == [
        f"{PIPELINE}.policies.0.0.magnitude_key",
        f"{PIPELINE}.policies.0.0.magnitude_range",
        f"{PIPELINE}.policies.0.0",  # and angle is then missing
    ]


def test_magnitude_key_must_name_a_parameter_and_is_then_not_reported_missing_too() -> None:
    policies = [
        *RAND_INCREASING[:3],
        {"type": "Rotate", "magnitude_key": "angel", "magnitude_range": [0, 30]},
    ]
    (problem,) = problems(rand_augment(policies))
    assert problem.startswith(
        f"{PIPELINE}.policies.3.magnitude_key: Rotate (clscore) has no parameter 'angel'; "
        "did you mean 'angle'? Parameters: angle, "
    )


def test_magnitude_key_must_be_a_name() -> None:
    (missing, problem) = problems(
        rand_augment([{"type": "Rotate", "magnitude_key": 3, "magnitude_range": [0, 1]}])
    )
    assert problem == f"{PIPELINE}.policies.0.magnitude_key: expected the name of a parameter, got 3"
    assert missing.startswith(f"{PIPELINE}.policies.0: Rotate (clscore) needs parameter 'angle'")


@pytest.mark.parametrize("span", [[30], [0, 10, 30], ["0", 30], [0, True], 30, "0-30"])
def test_magnitude_range_must_be_two_numbers(span: Any) -> None:
    (problem,) = problems(
        rand_augment([{"type": "Rotate", "magnitude_key": "angle", "magnitude_range": span}])
    )
    assert (
        problem == f"{PIPELINE}.policies.0.magnitude_range: expected two numbers (start, end), got {span!r}"
    )


@pytest.mark.parametrize(
    ("op", "given", "missing"),
    [
        ({"type": "Brightness", "magnitude_key": "magnitude"}, "magnitude_key", "magnitude_range"),
        (
            {"type": "Brightness", "magnitude": 0.5, "magnitude_range": [0, 0.9]},
            "magnitude_range",
            "magnitude_key",
        ),
    ],
)
def test_magnitude_key_and_range_go_together(op: dict[str, Any], given: str, missing: str) -> None:
    (problem,) = problems(rand_augment([op]))
    assert problem.startswith(f"{PIPELINE}.policies.0: {given} needs {missing} as well")


@pytest.mark.parametrize("sub", [{"type": "Equalize"}, [], "imagenet"])
def test_sub_policy_must_be_a_non_empty_list(sub: Any) -> None:
    (problem,) = problems(auto_augment([AUTO_POLICIES[0], sub]))
    assert problem == (
        f"{PIPELINE}.policies.1: expected a sub-policy (a non-empty list of op configs), got {sub!r}"
    )


@pytest.mark.parametrize("maker", [auto_augment, rand_augment])
@pytest.mark.parametrize("policies", [[], {"type": "Equalize"}])
def test_policies_must_be_a_name_or_a_non_empty_list(maker: Any, policies: Any) -> None:
    (problem,) = problems(maker(policies))
    assert problem.startswith(f"{PIPELINE}.policies: expected a policy name or a non-empty list of ")


def test_a_rand_augment_op_must_be_a_mapping() -> None:
    (problem,) = problems(rand_augment([RAND_INCREASING[0], "Equalize"]))
    assert (
        problem
        == f"{PIPELINE}.policies.1: expected a transform config (a mapping with 'type'), got 'Equalize'"
    )


def test_every_problem_is_collected() -> None:
    policies = [
        {"type": "Rotat", "magnitude_key": "angle", "magnitude_range": [0, 30]},
        {"type": "Posterize", "magnitude_key": "bits", "magnitude_range": [4]},
        {"type": "Contrast", "magnitude_key": "magnitude", "magnitude_range": [0, 0.9], "magnitud": 1},
    ]
    assert [p.split(":")[0] for p in problems(rand_augment(policies))] == [
        f"{PIPELINE}.policies.0",
        f"{PIPELINE}.policies.1.magnitude_range",
        f"{PIPELINE}.policies.2.magnitud",
    ]
