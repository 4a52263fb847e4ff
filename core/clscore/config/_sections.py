"""What each top-level config section may contain, in MMClassification's vocabulary.

Sections holding a component name the kind whose registry checks them; plain sections list their
keys with the annotation their values must fit (checked by :mod:`clscore.plugins._annotations`).
"""

from __future__ import annotations

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

#: Parameters the framework passes itself, so a config need not (and should not) give them.
INJECTED: dict[str, frozenset[str]] = {
    "optimizer": frozenset({"params"}),
    "scheduler": frozenset({"optimizer", "runner", "iters_per_epoch", "max_iters", "max_epochs", "base_lrs"}),
    "runner_hook": frozenset({"runner"}),
}

#: Keys every component of a kind may carry without being its factory's parameter.
KIND_EXTRA_KEYS: dict[str, tuple[str, ...]] = {
    "runner_hook": ("priority",),
    "optimizer": ("paramwise_cfg", "constructor"),
}

COMPONENT_SECTIONS: dict[str, ComponentSection] = {
    "model": ComponentSection("model", default_type="ImageClassifier"),
    "optimizer": ComponentSection("optimizer"),
    "lr_config": ComponentSection("scheduler", type_key="policy"),
}

PLAIN_SECTIONS: dict[str, dict[str, str | None]] = {
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
    "checkpoint_config": {
        "interval": "int",
        "by_epoch": "bool",
        "save_optimizer": "bool",
        "max_keep_ckpts": "int",
        "save_last": "bool",
        "out_dir": "str | None",
        "format": "Literal['pth', 'safetensors']",
    },
    "log_config": {"interval": "int", "hooks": "list", "by_epoch": "bool"},
    "evaluation": {
        "interval": "int",
        "metric": "str | list[str]",
        "metric_options": "dict | None",
        "save_best": "str | bool | None",
        "rule": "Literal['greater', 'less'] | None",
        "start": "int | None",
        "by_epoch": "bool",
        "gpu_collect": "bool",
        "tmpdir": "str | None",
    },
    "fp16": {"loss_scale": "float | Literal['dynamic'] | dict"},
    "amp": {"dtype": "Literal['bf16', 'fp16', 'bfloat16', 'float16']", "enabled": "bool"},
}

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
}

KNOWN_SECTIONS: frozenset[str] = (
    frozenset(COMPONENT_SECTIONS) | frozenset(PLAIN_SECTIONS) | frozenset(SCALAR_SECTIONS)
)
