"""Checking the training sampler's config (``sampler``, ``data.sampler``, ``data.train_dataloader.sampler``).

Samplers are a fixed table rather than a component kind, so the registries do not see them; a misspelt
``type`` or key would otherwise surface only when the loader is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from clscore.config._hints import did_you_mean, no_such_parameter
from clscore.config._sections import SAMPLER_INJECTED, SAMPLER_TYPES, SAMPLERS
from clscore.plugins import signature_of
from clscore.plugins._annotations import check_value, describe

if TYPE_CHECKING:
    from clscore.config._validate import Validator


def check_sampler(validator: Validator, cfg: Mapping[str, Any]) -> None:
    """Check every sampler config ``cfg`` holds (the loader uses the first of them that is set)."""
    data = cfg.get("data")
    data = data if isinstance(data, Mapping) else {}
    loader = data.get("train_dataloader")
    inner = loader.get("sampler") if isinstance(loader, Mapping) else None
    validator.value("data.train_dataloader.sampler", inner, "dict | None")  # the others are sections' keys
    for where, spec in (
        ("data.train_dataloader.sampler", inner),
        ("data.sampler", data.get("sampler")),
        ("sampler", cfg.get("sampler")),
    ):
        if isinstance(spec, Mapping):
            _check_one(validator, where, spec)


def _check_one(validator: Validator, where: str, spec: Mapping[str, Any]) -> None:
    name = spec.get("type")
    names = ", ".join(SAMPLER_TYPES)
    if name is None:
        validator.problems.append(f"{where}: missing 'type': name the sampler to use ({names})")
        return
    if not isinstance(name, str) or name not in SAMPLERS:
        hint = did_you_mean(name, list(SAMPLER_TYPES)) if isinstance(name, str) else ""
        validator.problems.append(f"{where}.type: unknown sampler {name!r}{hint} Samplers: {names}.")
        return
    signature = signature_of(SAMPLERS[name])
    if signature is None:
        return
    params = {p.name: p for p in signature.params if p.name not in SAMPLER_INJECTED}
    for key, value in spec.items():
        param = params.get(key)
        if key == "type" or (param is None and signature.open_kwargs):
            continue
        if key in SAMPLER_INJECTED:
            validator.problems.append(
                f"{where}.{key}: the loader passes {key!r} to the sampler itself "
                "(the seed is the top-level 'seed'); remove it here"
            )
        elif param is None:
            validator.problems.append(no_such_parameter(f"{where}.{key}", name, key, list(params)))
        elif not check_value(value, param.annotation):
            validator.problems.append(
                f"{where}.{key}: {name} expects {describe(param.annotation or '')}, got {value!r}"
            )
