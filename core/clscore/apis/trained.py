"""A trained model ready to use: config, weights and class names, all from one checkpoint.

Every command that uses a trained model (``test``, ``infer``, ``export``, ``analyze
confusion-matrix``) and :class:`~clscore.apis.inference.Inferencer` start here, so a checkpoint is
found, read and checked the same way everywhere. The checkpoint is read once, through the engine's
safe reader (``weights_only``), and its ``meta`` supplies the config and the class names when the
user gives no config.
"""

from __future__ import annotations

import copy
import logging
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from clscore.apis._config import load_config
from clscore.checkpoint import (
    LATEST_POINTER,
    checkpoint_candidates,
    extract_state_dict,
    latest_target,
    load_state_dict,
    read_checkpoint,
)
from clscore.config import Config, parse_options
from clscore.errors import CheckpointError, ConfigError

logger = logging.getLogger("clscore")

ConfigLike = Config | Mapping[str, Any] | str | os.PathLike[str]


@dataclass
class TrainedModel:
    """A model in eval mode on ``device`` with the config it was built from and its class names."""

    model: nn.Module
    cfg: Config
    classes: list[str]
    checkpoint: Path
    device: torch.device
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def has_stored_classes(self) -> bool:
        """Whether the checkpoint itself names its classes (ours and MMClassification's do)."""
        return any(
            isinstance(self.meta.get(key), list | tuple) and self.meta[key] for key in ("classes", "CLASSES")
        )


def resolve_checkpoint(path: str | os.PathLike[str]) -> Path:
    """The checkpoint file ``path`` means: the file itself, the target of a ``latest`` pointer, or
    the newest checkpoint of a work dir."""
    given = Path(path)
    if given.is_dir():
        candidates = checkpoint_candidates(given)
        if not candidates:
            raise CheckpointError(
                f"no checkpoint in the folder {given}: expected epoch_N.pth / iter_N.pth files "
                "(and a 'latest' pointer) as `clsrun train` writes them"
            )
        return candidates[0]
    if given.name == LATEST_POINTER and given.is_file():
        target, problem = latest_target(given.parent)
        if target is None:
            raise CheckpointError(f"{problem}; give a checkpoint file, or the work dir for its newest one")
        return target
    if not given.is_file():
        raise CheckpointError(f"checkpoint not found: {given}")
    return given


def class_names(meta: Mapping[str, Any], cfg: Mapping[str, Any], num_classes: int | None) -> list[str]:
    """Class names from the checkpoint (``classes``, or MMClassification's ``CLASSES``), then from a
    ``classes`` list in the config's test/val/train dataset, else ``"0"``, ``"1"``, ..."""
    for key in ("classes", "CLASSES"):
        names = meta.get(key)
        if isinstance(names, list | tuple) and names:
            return [str(n) for n in names]
    data = cfg.get("data") or {}
    for split in ("test", "val", "train"):
        names = (data.get(split) or {}).get("classes") if isinstance(data.get(split), Mapping) else None
        if isinstance(names, list | tuple) and names:
            return [str(n) for n in names]
    return [str(i) for i in range(num_classes or 0)]


#: MMCV's ``pretty_text`` (what MMClassification stores as ``meta['config']``) starts with ``name = ...``.
_PYTHON_TEXT = re.compile(r"^\s*[A-Za-z_]\w*\s*=", re.MULTILINE)


def _stored_config(text: str, source: Path, options: Iterable[str]) -> Config:
    """The config a checkpoint carries: our YAML, or MMClassification's Python text read as data."""
    python = _PYTHON_TEXT.search(text) is not None and not text.lstrip().startswith(("{", "---"))
    try:
        return Config.fromstring(
            text, cfg_options=list(options), fmt="py" if python else "yaml", source=f"{source} (meta.config)"
        )
    except ConfigError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CheckpointError(
            f"cannot read the config stored in {source} ({first}); give the config file as well, "
            "e.g. `clsrun infer CONFIG CHECKPOINT IMAGE`"
        ) from None


def _config(
    config: ConfigLike | None, meta: Mapping[str, Any], source: Path, options: Iterable[str]
) -> Config:
    if config is None:
        text = meta.get("config")
        if not isinstance(text, str) or not text.strip():
            raise CheckpointError(
                f"{source} carries no config (meta.config); give the config file as well, "
                "e.g. `clsrun infer CONFIG.yaml CHECKPOINT IMAGE`"
            )
        return _stored_config(text, source, options)
    if isinstance(config, Mapping):
        cfg = Config(copy.deepcopy(dict(config)), filename=getattr(config, "filename", None))
        cfg.merge_from_dict(parse_options(list(options)))
        return cfg
    return load_config(config, options, validate=False)


def check_normalize_once(model: nn.Module, data_cfg: Mapping[str, Any], splits: Iterable[str]) -> None:
    """``model.data_preprocessor`` normalises on the device: a Normalize in a pipeline would do it twice."""
    from clscore.data.device_normalize import dataset_has_normalize
    from clscore.models.preprocessor import model_preprocessor

    if model_preprocessor(model) is None:
        return
    for split in splits:
        if dataset_has_normalize(data_cfg.get(split)):
            raise ConfigError(
                f"data.{split}.pipeline has a Normalize step, but model.data_preprocessor already normalises "
                "the batches on the device; remove the Normalize step (or the data_preprocessor)"
            )


def load_trained_model(
    checkpoint: str | os.PathLike[str],
    config: ConfigLike | None = None,
    *,
    device: str | torch.device = "cpu",
    cfg_options: Iterable[str] = (),
) -> TrainedModel:
    """Build the model of ``config`` (default: the config the checkpoint carries) and load its weights.

    Missing or shape-mismatched weights are an error here (a half-loaded model would predict
    nonsense); weights the model does not use are only reported.
    """
    from clscore.config import validate
    from clscore.dist import resolve_device
    from clscore.models.builder import build_model

    path = resolve_checkpoint(checkpoint)
    ckpt = read_checkpoint(path, map_location="cpu")
    raw_meta = ckpt.get("meta")
    meta: dict[str, Any] = dict(raw_meta) if isinstance(raw_meta, Mapping) else {}
    cfg = _config(config, meta, path, cfg_options)
    if "model" not in cfg:
        raise CheckpointError(f"the config for {path} has no 'model' section")
    validate({"model": cfg.model})  # only what is built here; training sections may name absent plugins
    model = build_model(cfg.model)
    report = load_state_dict(model, extract_state_dict(ckpt, path), strict=False, source=str(path))
    if report["missing_keys"] or report["mismatched_keys"]:
        raise CheckpointError(
            f"{path} does not fit the model of the config: "
            f"{len(report['missing_keys'])} missing and {len(report['mismatched_keys'])} shape-mismatched "
            f"weights (first: {(report['missing_keys'] or [m[0] for m in report['mismatched_keys']])[0]}); "
            "check that the config is the one the checkpoint was trained with"
        )
    check_normalize_once(model, cfg.get("data") or {}, ("test", "val"))
    torch_device = device if isinstance(device, torch.device) else resolve_device(str(device))
    model.to(torch_device).eval()
    classes = class_names(meta, cfg, getattr(model, "num_classes", None))
    num_classes = getattr(model, "num_classes", None)
    if num_classes is not None and classes and len(classes) != num_classes:
        logger.warning(
            "%s names %d classes but the model's head has %d; class names may be wrong",
            path,
            len(classes),
            num_classes,
        )
    return TrainedModel(
        model=model, cfg=cfg, classes=classes, checkpoint=path, device=torch_device, meta=meta
    )
