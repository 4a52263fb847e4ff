"""Checking a whole config against the registries before anything heavy starts.

Every problem is collected (not only the first), each with its key path and a did-you-mean.
Factories' parameters are read from source, so validation imports no torch.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from typing import Any

from clscore.config._choices import check_arch
from clscore.config._hints import did_you_mean, no_such_parameter
from clscore.config._remote import remote_problems
from clscore.config._sections import (
    COMPONENT_SECTIONS,
    DATASET_POLICY_KEYS,
    INJECTED,
    KIND_EXTRA_KEYS,
    KNOWN_SECTIONS,
    NESTED_KINDS,
    PLAIN_SECTIONS,
    SCALAR_SECTIONS,
    SECTION_SHORTHANDS,
    VALUE_RANGES,
    Range,
)
from clscore.config._validate_policies import check_policies
from clscore.config._validate_sampler import check_sampler
from clscore.errors import ClsCoreError, ConfigError
from clscore.plugins import Component, get_host
from clscore.plugins._annotations import check_value, describe


def validate(cfg: Mapping[str, Any]) -> None:
    """Raise :class:`ConfigError` listing every problem in ``cfg``; return quietly if there is none."""
    problems = Validator().run(cfg)
    if problems:
        raise ConfigError(problems)


class Validator:
    def __init__(self) -> None:
        self.host = get_host()
        self.problems: list[str] = []

    def run(self, cfg: Mapping[str, Any]) -> list[str]:
        for key, value in cfg.items():
            if key in COMPONENT_SECTIONS:
                section = COMPONENT_SECTIONS[key]
                if value is not None:
                    self.component(key, value, section.kind, section.type_key, section.default_type)
            elif key in PLAIN_SECTIONS:
                if not (key in SECTION_SHORTHANDS and check_value(value, SECTION_SHORTHANDS[key])):
                    self.plain_section(key, value, PLAIN_SECTIONS[key])
            elif key in SCALAR_SECTIONS:
                self.value(key, value, SCALAR_SECTIONS[key])
            elif not key.startswith("_"):
                close = difflib.get_close_matches(key, sorted(KNOWN_SECTIONS), n=1, cutoff=0.8)
                if close:
                    self.problems.append(
                        f"{key}: unknown section; did you mean {close[0]!r}? "
                        "(other unknown top-level keys are allowed as variables)"
                    )
        self.data_section(cfg.get("data"))
        self.custom_hooks(cfg.get("custom_hooks"))
        self.evaluation(cfg.get("evaluation"))
        check_sampler(self, cfg)
        self.ranges(cfg)
        self.problems.extend(remote_problems(cfg))
        return self.problems

    # -- sections -----------------------------------------------------------------------------
    def plain_section(self, path: str, value: Any, keys: dict[str, str | None] | None) -> None:
        if value is None or keys is None:
            return
        if not isinstance(value, Mapping):
            self.problems.append(f"{path}: expected a mapping with keys {', '.join(keys)}, got {value!r}")
            return
        for key, item in value.items():
            if key not in keys:
                self.problems.append(
                    f"{path}.{key}: unknown key{did_you_mean(key, list(keys))} Keys: {', '.join(keys)}."
                )
            else:
                self.value(f"{path}.{key}", item, keys[key])

    def value(self, path: str, value: Any, annotation: str | None) -> None:
        if not check_value(value, annotation):
            self.problems.append(f"{path}: expected {describe(annotation or '')}, got {value!r}")

    def data_section(self, data: Any) -> None:
        if not isinstance(data, Mapping):
            return
        for split in ("train", "val", "test"):
            if data.get(split) is not None:
                self.component(f"data.{split}", data[split], "dataset")

    def custom_hooks(self, hooks: Any) -> None:
        if isinstance(hooks, list):
            for i, hook in enumerate(hooks):
                self.component(f"custom_hooks.{i}", hook, "runner_hook")

    def evaluation(self, evaluation: Any) -> None:
        if not isinstance(evaluation, Mapping) or evaluation.get("metric") is None:
            return
        metrics = evaluation["metric"]
        for i, name in enumerate([metrics] if isinstance(metrics, str) else metrics):
            path = "evaluation.metric" if isinstance(metrics, str) else f"evaluation.metric.{i}"
            self.lookup(path, "metric", name)

    def ranges(self, cfg: Mapping[str, Any]) -> None:
        for pattern, bounds in VALUE_RANGES.items():
            for path, value in matching(cfg, pattern.split(".")):
                problem = out_of_range(value, bounds)
                if problem:
                    self.problems.append(f"{path}: {problem}")

    # -- components ---------------------------------------------------------------------------
    def lookup(self, path: str, kind: str, name: Any) -> Component | None:
        try:
            return self.host.registry(kind).get(name)
        except ClsCoreError as exc:
            self.problems.append(f"{path}: {exc}")
            return None

    def component(
        self,
        path: str,
        cfg: Any,
        kind: str,
        type_key: str = "type",
        default_type: str | None = None,
        *,
        extra_keys: Collection[str] = (),
        filled: Collection[str] = (),
    ) -> None:
        """Check one component config; ``extra_keys`` are allowed besides the parameters, ``filled`` are
        parameters its parent fills in (so they are not missing)."""
        if not isinstance(cfg, Mapping):
            self.problems.append(
                f"{path}: expected a {kind} config (a mapping with {type_key!r}), got {cfg!r}"
            )
            return
        name = cfg.get(type_key, default_type)
        if name is None:
            names = ", ".join(self.host.registry(kind).names())
            self.problems.append(f"{path}: missing {type_key!r}: name the {kind} to use ({names})")
            return
        type_path = path if type_key == "type" else f"{path}.{type_key}"
        component = self.lookup(type_path, kind, name)
        if component is None:  # still check what it contains
            for key, value in cfg.items():
                self.nested(f"{path}.{key}", key, value)
            return
        signature = component.signature()
        params = {} if signature is None else {p.name: p for p in signature.params}
        extra = set(KIND_EXTRA_KEYS.get(kind, ())) | set(extra_keys) | {type_key}
        injected = INJECTED.get(kind, frozenset())
        misspelt: set[str] = set()  # parameters suggested for a misspelt key: not reported missing as well
        for key, value in cfg.items():
            if key in extra:
                if kind == "dataset" and key in DATASET_POLICY_KEYS:
                    self.value(f"{path}.{key}", value, DATASET_POLICY_KEYS[key])
                continue
            key_path = f"{path}.{key}"
            param = params.get(key)
            if not component.accepts(key):
                misspelt.update(difflib.get_close_matches(key, list(params), n=1, cutoff=0.6))
                self.problems.append(
                    no_such_parameter(key_path, component.describe(), key, list(params), injected)
                )
                continue
            if check_policies(self, component, key_path, key, cfg) or self.nested(key_path, key, value):
                continue
            if param is not None and not check_value(value, param.annotation):
                self.problems.append(
                    f"{key_path}: {component.describe()} expects {describe(param.annotation or '')}, "
                    f"got {value!r}"
                )
        wrong_arch = check_arch(component, dict(cfg))
        if wrong_arch is not None:
            self.problems.append(f"{path}.{wrong_arch[0]}: {wrong_arch[1]}")
        if signature is not None:
            for param in signature.params:
                if (
                    param.required
                    and param.name not in cfg
                    and param.name not in injected
                    and param.name not in filled
                    and param.name not in misspelt
                ):
                    self.problems.append(
                        f"{path}: {component.describe()} needs parameter {param.name!r}"
                        + (f" ({describe(param.annotation)})" if param.annotation else "")
                    )

    def nested(self, path: str, key: str, value: Any) -> bool:
        """Validate ``value`` as nested component(s) when ``key`` names a kind; True if it did."""
        kind = NESTED_KINDS.get(key)
        if kind is not None:
            if isinstance(value, str | int | float | bool):
                self.problems.append(
                    f"{path}: expected a {kind} config (a mapping with 'type', e.g. "
                    f"{{type: {self.example(kind)}, ...}}), got {value!r}"
                )
                return True
            if isinstance(value, Mapping) and "type" in value:
                self.component(path, value, kind)
                return True
            if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
                for i, item in enumerate(value):
                    self.component(f"{path}.{i}", item, kind)
                return True
        if isinstance(value, Mapping) and "type" not in value:
            handled = False
            for sub_key, sub_value in value.items():
                if sub_key in NESTED_KINDS:
                    handled = self.nested(f"{path}.{sub_key}", sub_key, sub_value) or handled
            return handled
        return False

    def example(self, kind: str) -> str:
        names = self.host.registry(kind).names()
        return names[0] if names else "..."


def matching(cfg: Any, parts: list[str], prefix: str = "") -> list[tuple[str, Any]]:
    """``(path, value)`` for every key path of ``cfg`` that fits ``parts`` (``*`` matches one key, or a
    key ending with what follows the ``*``)."""
    if not parts:
        return [(prefix, cfg)]
    if not isinstance(cfg, Mapping):
        return []
    head, rest = parts[0], parts[1:]
    if "*" in head:
        keys = [k for k in cfg if isinstance(k, str) and k.endswith(head.split("*", 1)[1])]
    else:
        keys = [head] if head in cfg else []
    found: list[tuple[str, Any]] = []
    for key in keys:
        found += matching(cfg[key], rest, f"{prefix}.{key}" if prefix else key)
    return found


def out_of_range(value: Any, bounds: Range) -> str | None:
    """What is wrong with ``value`` for ``bounds``; ``None`` when it fits (or is not a number)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    low, high = bounds.low, bounds.high
    if (low is None or value >= low) and (high is None or value <= high):
        return None
    if low is not None and high is not None:
        wanted = f"between {low:g} and {high:g}"
    else:
        wanted = f">= {low:g}" if low is not None else f"<= {high:g}"
    meaning = f" ({bounds.meaning})" if bounds.meaning else ""
    return f"{value!r} is out of range; use a value {wanted}{meaning}"
