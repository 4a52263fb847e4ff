"""What each top-level config section may contain, in MMClassification's vocabulary.

Sections holding a component name the kind whose registry checks them; plain sections list their
keys with the annotation their values must fit (checked by :mod:`clscore.plugins._annotations`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import NamedTuple


class ComponentSection(NamedTuple):
    kind: str
    type_key: str = "type"
    default_type: str | None = None
    #: Keys the section may hold besides the factory's own parameters.
    extra_keys: tuple[str, ...] = ()


#: A component's config key that holds another component (or a list of them) of this kind.
NESTED_KINDS: dict[str, str] = {
    "backbone": "backbone",
    "neck": "neck",
    "head": "head",
    "loss": "loss",
    "pipeline": "transform",
    "transforms": "transform",
    "dataset": "dataset",
    "datasets": "dataset",
    "augments": "batch_augment",
}

#: Parameters the builders pass themselves, so a config need not (and should not) give them:
#: exactly what they inject (``build("optimizer", cfg, params)``); every other kind gets only its config.
INJECTED: dict[str, frozenset[str]] = {
    "optimizer": frozenset({"params"}),
}

#: Keys every component of a kind may carry without being its factory's parameter.
KIND_EXTRA_KEYS: dict[str, tuple[str, ...]] = {
    "runner_hook": ("priority",),
    "optimizer": ("paramwise_cfg", "constructor"),
}

#: What a dataset does with a sample it cannot read (``clscore.data.bad_samples``): keys any dataset
#: config may carry, with their annotations.
DATASET_POLICY_KEYS: dict[str, str] = {
    "on_error": "Literal['raise', 'skip']",
    "max_skip_ratio": "float",
    "max_skips": "int | None",
}
KIND_EXTRA_KEYS["dataset"] = tuple(DATASET_POLICY_KEYS)

#: ``sampler.type`` -> its class as ``module:attr``, whose parameters are read from source (never imported:
#: :mod:`clscore.data` is a higher layer); a test keeps the names equal to ``clscore.data.samplers.SAMPLERS``.
SAMPLERS: dict[str, str] = {
    "DistributedSampler": "clscore.data.samplers:ResumableSampler",
    "RepeatAugSampler": "clscore.data.samplers:RepeatAugSampler",
}
SAMPLER_TYPES: tuple[str, ...] = tuple(sorted(SAMPLERS))
#: What the loader passes a sampler itself: a config that gives one fails when the sampler is built.
SAMPLER_INJECTED: frozenset[str] = frozenset({"dataset", "num_replicas", "rank", "seed"})

#: Sections ``clsrun train`` cannot do without.
REQUIRED_SECTIONS: dict[str, str] = {
    "model": "model: {type: ImageClassifier, backbone: ..., neck: ..., head: ...}",
    "data": "data: {samples_per_gpu: 32, workers_per_gpu: 2, train: {type: ..., pipeline: [...]}}",
    "optimizer": "optimizer: {type: SGD, lr: 0.1, momentum: 0.9}",
}


class Range(NamedTuple):
    """Inclusive bounds of a number (``None``: unbounded) and what the value means."""

    low: float | None = None
    high: float | None = None
    meaning: str = ""


#: Value ranges of common keys, checked once their type is right; ``*`` stands for any one key.
VALUE_RANGES: dict[str, Range] = {
    "data.samples_per_gpu": Range(1, None, "images per batch and process"),
    "data.workers_per_gpu": Range(0, None, "0 loads in the main process"),
    "data.*_dataloader.samples_per_gpu": Range(1, None, "images per batch and process"),
    "data.*_dataloader.workers_per_gpu": Range(0, None, "0 loads in the main process"),
    "data.*.max_skip_ratio": Range(0, 1, "the fraction of bad samples tolerated"),
    "data.*.max_skips": Range(0, None, "the number of bad samples tolerated"),
    "optimizer.lr": Range(0, None, "the learning rate, e.g. 0.1"),
    "optimizer.weight_decay": Range(0),
    "optimizer.momentum": Range(0, 1),
    "optimizer_config.cumulative_iters": Range(1),
    "lr_config.min_lr": Range(0),
    "lr_config.warmup_iters": Range(0),
    "lr_config.warmup_ratio": Range(0, 1),
    "runner.max_epochs": Range(1),
    "runner.max_iters": Range(1),
    "checkpoint_config.interval": Range(1, None, "save every N epochs (iterations)"),
    "evaluation.interval": Range(1, None, "evaluate every N epochs (iterations)"),
    "log_config.interval": Range(1, None, "log every N iterations"),
    "seed": Range(0, 2**32 - 1),
}


class HookSection(NamedTuple):
    """A plain section whose keys are a built-in runner hook's parameters (the builder passes them on)."""

    #: The hook's qualified name in the ``runner_hook`` registry, which knows where its class lives.
    hook: str
    #: Keys the builder accepts and drops (MMCV options with no effect here).
    ignored: dict[str, str | None] = {}
    #: Annotations stricter than the hook's own, where it checks the value only when built.
    stricter: dict[str, str] = {}

    def keys(self) -> dict[str, str | None] | None:
        """``{key: annotation}`` read from the hook's signature; ``None`` when the hook is not registered."""
        from clscore.plugins import get_host

        registry = get_host().registry("runner_hook")
        if self.hook not in registry:
            return None
        signature = registry.get(self.hook).signature()
        if signature is None:
            return None
        keys = {p.name: self.stricter.get(p.name, p.annotation) for p in signature.params}
        return {**keys, **self.ignored}


class _PlainSections(Mapping[str, "dict[str, str | None] | None"]):
    """Section -> ``{key: annotation}``; a hook's section is read from its signature when asked for.

    ``None`` means the keys cannot be known (the hook is not registered), so they are not checked.
    """

    def __init__(self, sections: dict[str, dict[str, str | None] | HookSection]) -> None:
        self._sections = sections

    def __getitem__(self, name: str) -> dict[str, str | None] | None:
        section = self._sections[name]
        return section.keys() if isinstance(section, HookSection) else section

    def __iter__(self) -> Iterator[str]:
        return iter(self._sections)

    def __len__(self) -> int:
        return len(self._sections)


COMPONENT_SECTIONS: dict[str, ComponentSection] = {
    "model": ComponentSection("model", default_type="ImageClassifier"),
    "optimizer": ComponentSection("optimizer"),
    "lr_config": ComponentSection("scheduler", type_key="policy"),
}

PLAIN_SECTIONS: Mapping[str, dict[str, str | None] | None] = _PlainSections(
    {
        "data": {
            "samples_per_gpu": "int",
            "workers_per_gpu": "int",
            "train": None,
            "val": None,
            "test": None,
            "train_dataloader": "dict",
            "val_dataloader": "dict",
            "test_dataloader": "dict",
            "persistent_workers": "bool",
            "pin_memory": "bool",
            "sampler": "dict | None",
        },
        "optimizer_config": {
            "type": "str",
            "grad_clip": "dict | None",
            "cumulative_iters": "int",
            "detect_anomalous_params": "bool",
        },
        "runner": {
            "type": "Literal['EpochBasedRunner', 'IterBasedRunner']",
            "max_epochs": "int",
            "max_iters": "int",
        },
        "checkpoint_config": HookSection(
            "clscore:CheckpointHook", stricter={"format": "Literal['pth', 'safetensors']"}
        ),
        "log_config": {"interval": "int", "hooks": "list", "by_epoch": "bool"},
        "evaluation": HookSection(
            "clscore:EvalHook",
            ignored={"gpu_collect": "bool", "tmpdir": "str | None"},
            stricter={"rule": "Literal['greater', 'less'] | None"},
        ),
        "fp16": {"loss_scale": "float | Literal['dynamic'] | dict"},
        "amp": {"dtype": "Literal['bf16', 'fp16', 'bfloat16', 'float16']", "enabled": "bool"},
    }
)

#: Plain sections that may also be written as a single value (``amp: true``).
SECTION_SHORTHANDS: dict[str, str] = {"amp": "bool"}

SCALAR_SECTIONS: dict[str, str | None] = {
    "load_from": "str | None",
    "resume_from": "str | None",
    "auto_resume": "bool",
    "work_dir": "str | None",
    "seed": "int | None",
    "deterministic": "bool",
    "channels_last": "bool",
    "compile": "bool | dict",
    "device": "Literal['cpu', 'cuda', 'auto']",
    "workflow": "list",
    "dist_params": "dict",
    "log_level": "str",
    "gpu_ids": "list | None",
    "cudnn_benchmark": "bool",
    "momentum_config": "dict | None",
    "custom_hooks": "list",
    "total_epochs": "int",
    "mp_start_method": "str",
    "opencv_num_threads": "int",
    "find_unused_parameters": "bool",
    "nan_policy": "Literal['stop', 'skip']",
    "sampler": "dict | None",
}

KNOWN_SECTIONS: frozenset[str] = (
    frozenset(COMPONENT_SECTIONS) | frozenset(PLAIN_SECTIONS) | frozenset(SCALAR_SECTIONS)
)
