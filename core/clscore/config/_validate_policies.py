"""Checking the ops inside AutoAugment's and RandAugment's ``policies`` like any other transform.

MMClassification nests them in lists (AutoAugment: sub-policies of ops; RandAugment: ops, some taking
one parameter from the magnitude level), which the generic nesting by key does not see: a misspelt op
would otherwise surface only when the pipeline is built.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from clscore.config._hints import no_such_parameter
from clscore.errors import ClsCoreError
from clscore.plugins import Component

if TYPE_CHECKING:
    from clscore.config._validate import Validator

#: The transforms whose ``policies`` list ops, and what the list holds.
POLICY_TRANSFORMS: dict[str, str] = {
    "AutoAugment": "sub-policies (each a non-empty list of op configs)",
    "RandAugment": "op configs",
}
#: What RandAugment's ops may carry besides their parameters: the parameter the level sets, and its span.
MAGNITUDE_KEYS = ("magnitude_key", "magnitude_range")
#: The ``hparams`` both transforms merge into their ops when the config leaves it unset.
DEFAULT_HPARAMS = ("pad_val",)


def check_policies(
    validator: Validator, component: Component, path: str, key: str, cfg: Mapping[str, Any]
) -> bool:
    """Check ``cfg[key]`` as the op list of a policy transform; False (nothing done) for anything else.

    A policy name (a string) is left to the ordinary value check.
    """
    if key != "policies" or component.kind != "transform" or component.name not in POLICY_TRANSFORMS:
        return False
    value = cfg[key]
    if isinstance(value, str):
        return False
    holds = POLICY_TRANSFORMS[component.name]
    if not _non_empty_list(value):
        validator.problems.append(
            f"{path}: expected a policy name or a non-empty list of {holds}, got {value!r}"
        )
        return True
    hparams = cfg.get("hparams")
    filled = (
        list(hparams) if isinstance(hparams, Mapping) else list(DEFAULT_HPARAMS if hparams is None else ())
    )
    for i, item in enumerate(value):
        if component.name == "RandAugment":
            _rand_op(validator, f"{path}.{i}", item, filled)
        elif not _non_empty_list(item):
            validator.problems.append(
                f"{path}.{i}: expected a sub-policy (a non-empty list of op configs), got {item!r}"
            )
        else:
            for j, op in enumerate(item):
                validator.component(f"{path}.{i}.{j}", op, "transform", filled=filled)
    return True


def _non_empty_list(value: Any) -> bool:
    return isinstance(value, list | tuple) and len(value) > 0


def _rand_op(validator: Validator, path: str, op: Any, filled: Collection[str]) -> None:
    """One RandAugment op: its parameters, with ``magnitude_key`` naming one the level fills in."""
    key = op.get("magnitude_key") if isinstance(op, Mapping) else None
    span = op.get("magnitude_range") if isinstance(op, Mapping) else None
    problems: list[str] = []
    set_by_level: list[str] = []  # not missing: the level fills it (or, misspelt, the suggestion would)
    if isinstance(key, str):
        set_by_level.append(key)
        op_component = _quiet_lookup(validator, op.get("type"))
        if op_component is not None and not op_component.accepts(key):
            params = _parameters(op_component)
            set_by_level += difflib.get_close_matches(key, params, n=1, cutoff=0.6)
            problems.append(no_such_parameter(f"{path}.magnitude_key", op_component.describe(), key, params))
    elif key is not None:
        problems.append(f"{path}.magnitude_key: expected the name of a parameter, got {key!r}")
    if (key is None) != (span is None):
        given, missing = ("magnitude_range", "magnitude_key") if key is None else MAGNITUDE_KEYS
        problems.append(
            f"{path}: {given} needs {missing} as well (magnitude_key names the parameter the level sets, "
            "magnitude_range its (start, end))"
        )
    if span is not None and not (
        isinstance(span, list | tuple)
        and len(span) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in span)
    ):
        problems.append(f"{path}.magnitude_range: expected two numbers (start, end), got {span!r}")
    validator.component(path, op, "transform", extra_keys=MAGNITUDE_KEYS, filled=[*filled, *set_by_level])
    validator.problems += problems


def _parameters(component: Component) -> list[str]:
    signature = component.signature()
    return [] if signature is None else signature.names


def _quiet_lookup(validator: Validator, name: Any) -> Component | None:
    """The op's component, or None when its type is unknown (already reported by the op's own check)."""
    try:
        return validator.host.registry("transform").get(name)
    except ClsCoreError:
        return None
