"""``train(cfg)``: what ``clsrun train`` does, from a config to checkpoints, logs and metrics."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch

from clscore.engine import dist
from clscore.engine.builders import build_lr_policy, optimizer_options, plugin_versions, training_hooks
from clscore.engine.checkpoint import (
    cleanup_temp_files,
    find_resume_checkpoint,
    load_checkpoint,
    read_checkpoint,
)
from clscore.engine.hooks import EvalHook, TextLoggerHook
from clscore.engine.loader import build_dataloader, loader_options
from clscore.engine.optim import build_optimizer
from clscore.engine.precision import build_precision
from clscore.engine.rng import random_seed, set_random_seed
from clscore.engine.runner import Runner, log_every, runner_limits
from clscore.errors import ClsCoreError, ConfigError, DataError
from clscore.plugins import build, get_host, signature_of

LOGGER_NAME = "clscore"


# -- config access ------------------------------------------------------------------------------------------
def to_plain(obj: Any) -> Any:
    """Nested dicts/lists from a Config (or any mapping), so the engine reads plain data."""
    if hasattr(obj, "to_dict") and callable(obj.to_dict):
        obj = obj.to_dict()
    if isinstance(obj, Mapping):
        return {str(k): to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_plain(v) for v in obj]
    return obj


def load_config(cfg: Any) -> Any:
    """A Config from a path; Configs and plain mappings are returned as they are."""
    if isinstance(cfg, (str, os.PathLike)):
        from clscore.config import Config

        return Config.fromfile(str(cfg))
    return cfg


def config_text(cfg: Any, plain: Mapping[str, Any]) -> str:
    """The merged config as YAML text (for the work dir and the checkpoints' meta)."""
    text = getattr(cfg, "text", None)
    if isinstance(text, str) and text:
        return text
    dump = getattr(cfg, "dump", None)
    if callable(dump):
        try:
            dumped = dump()
        except TypeError:
            dumped = None
        if isinstance(dumped, str):
            return dumped
    import yaml

    return yaml.safe_dump(plain, sort_keys=False)


def _validate(cfg: Any) -> None:
    try:
        from clscore.config import validate
    except ImportError:
        return
    validate(cfg)


def default_work_dir(cfg: Any, plain: Mapping[str, Any]) -> Path:
    filename = getattr(cfg, "filename", None) or plain.get("filename")
    stem = Path(str(filename)).stem if filename else "default"
    return Path("work_dirs") / stem


# -- logging ---------------------------------------------------------------------------------------------------
def setup_logger(
    work_dir: Path | None, timestamp: str, is_main: bool
) -> tuple[logging.Logger, list[logging.Handler]]:
    """The ``clscore`` logger: stdout and ``<work_dir>/<timestamp>.log`` on rank 0, errors only elsewhere."""
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(logging.INFO if is_main else logging.ERROR)
    handlers: list[logging.Handler] = []
    if is_main:
        fmt = logging.Formatter("%(asctime)s - %(levelname)s - %(message)s", "%Y-%m-%d %H:%M:%S")
        console = logging.StreamHandler(sys.stdout)
        console.setFormatter(fmt)
        handlers.append(console)
        if work_dir is not None:
            file_handler = logging.FileHandler(work_dir / f"{timestamp}.log", encoding="utf-8")
            file_handler.setFormatter(fmt)
            handlers.append(file_handler)
    for handler in handlers:
        logger.addHandler(handler)
    return logger, handlers


def _takes_param(spec: Mapping[str, Any], name: str) -> bool:
    sig = signature_of(get_host().registry("dataset").get(str(spec["type"])).target)
    return sig is not None and sig.get(name) is not None


@contextlib.contextmanager
def config_key(key: str) -> Iterator[None]:
    """Prefix a user-facing error raised inside the block with the config key it came from."""
    try:
        yield
    except ClsCoreError as exc:
        if str(exc).startswith(key):
            raise
        raise type(exc)(f"{key}: {exc}") from exc


# -- data --------------------------------------------------------------------------------------------------------
def build_dataset(data_cfg: Mapping[str, Any], split: str, *, classes: Sequence[str] | None = None) -> Any:
    """``data.<split>``; val and test sets get ``test_mode=True`` when they take it, as in MMClassification.

    ``classes`` (the training set's, or a checkpoint's) is given to a dataset whose config names none, so
    that its labels index the same classes as the model's outputs (a val folder missing a class, or an
    ``ann_file`` split, would otherwise number its classes differently).
    """
    spec = data_cfg.get(split)
    if not isinstance(spec, Mapping) or "type" not in spec:
        raise ConfigError(
            f"data.{split} must be a dataset config with a 'type' (e.g. {{type: ImageNet, data_prefix: ...}})"
        )
    spec = dict(spec)
    if split != "train" and "test_mode" not in spec and _takes_param(spec, "test_mode"):
        spec["test_mode"] = True
    if classes and spec.get("classes") is None and _takes_param(spec, "classes"):
        spec["classes"] = [str(c) for c in classes]
    with config_key(f"data.{split}"):
        dataset = build("dataset", spec)
    if len(dataset) == 0:
        where = spec.get("data_prefix") or spec.get("ann_file") or ""
        raise DataError(
            f"the {split} dataset (data.{split}) is empty{f': {where}' if where else ''}; check its paths"
        )
    return dataset


def build_model(model_cfg: Mapping[str, Any]) -> torch.nn.Module:
    try:
        from clscore.models.builder import build_model as models_build
    except ImportError:
        model = build("model", model_cfg)
    else:
        model = models_build(model_cfg)
    init = getattr(model, "init_weights", None)
    if callable(init):
        init()
    return model


# -- the entry point ----------------------------------------------------------------------------------------------
def _resume_source(
    resume_from: str | None, auto_resume: bool, work_dir: Path, logger: logging.Logger
) -> tuple[Path, dict[str, Any]] | None:
    if resume_from:
        with config_key("resume_from"):
            return Path(resume_from), read_checkpoint(resume_from)
    if not auto_resume:
        return None
    found = find_resume_checkpoint(work_dir)
    if found is None:
        logger.info("auto-resume: no usable checkpoint in %s; starting from scratch", work_dir)
    return found


def train(
    cfg: Any,
    *,
    work_dir: str | os.PathLike[str] | None = None,
    device: str = "auto",
    launcher: str = "none",
    validate: bool = True,
    load_from: str | None = None,
    resume_from: str | None = None,
    auto_resume: bool = False,
    seed: int | None = None,
    deterministic: bool = False,
) -> dict[str, Any]:
    """Train the model ``cfg`` describes (a Config, a plain dict or a path to a YAML config).

    Returns ``{"work_dir", "checkpoint" (the last one written), "epoch", "iter", "metrics" (the last
    evaluation), "best" (metric, value, checkpoint, or None), "seed", "log_file", "json_log"}``.
    """
    cfg = load_config(cfg)
    _validate(cfg)
    plain = to_plain(cfg)
    if device == "auto" and plain.get("device"):
        device = str(plain["device"])
    info = dist.init_dist(launcher, device)  # type: ignore[arg-type]
    handlers: list[logging.Handler] = []
    logger = logging.getLogger(LOGGER_NAME)
    try:
        folder = Path(work_dir or plain.get("work_dir") or default_work_dir(cfg, plain))
        timestamp = dist.broadcast_object(time.strftime("%Y%m%d_%H%M%S", time.localtime()))
        text = config_text(cfg, plain)
        if info.is_main:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ClsCoreError(f"cannot create the work dir {folder}: {exc.strerror or exc}") from None
            cleanup_temp_files(folder)
            filename = getattr(cfg, "filename", None)
            (folder / (Path(str(filename)).name if filename else "config.yaml")).write_text(
                text, encoding="utf-8"
            )
        dist.barrier()
        logger, handlers = setup_logger(folder, timestamp, info.is_main)
        return _train(
            cfg,
            plain,
            text,
            info,
            folder,
            timestamp,
            logger,
            validate=validate,
            load_from=load_from or plain.get("load_from"),
            resume_from=resume_from or plain.get("resume_from"),
            auto_resume=auto_resume or bool(plain.get("auto_resume")),
            seed=seed,
            deterministic=deterministic or bool(plain.get("deterministic")),
        )
    finally:
        for handler in handlers:
            logger.removeHandler(handler)
            handler.close()
        dist.teardown(info)


def _train(
    cfg: Any,
    plain: dict[str, Any],
    text: str,
    info: dist.DistInfo,
    work_dir: Path,
    timestamp: str,
    logger: logging.Logger,
    *,
    validate: bool,
    load_from: str | None,
    resume_from: str | None,
    auto_resume: bool,
    seed: int | None,
    deterministic: bool,
) -> dict[str, Any]:
    for section in ("model", "data", "optimizer"):
        if not plain.get(section):
            raise ConfigError(f"the config has no '{section}' section")
    if (plain.get("data") or {}).get("sampler"):
        logger.warning(
            "data.sampler is not supported and is ignored; training uses a shuffled DistributedSampler"
        )
    if plain.get("momentum_config"):
        logger.warning(
            "momentum_config is not supported and is ignored; the optimizer's momentum stays constant"
        )
    resume = _resume_source(resume_from, auto_resume, work_dir, logger)
    if resume is not None:
        resume_path = dist.broadcast_object(str(resume[0]))
        if Path(resume_path) != resume[0]:
            resume = (Path(resume_path), read_checkpoint(resume_path))
    if seed is None:
        seed = plain.get("seed")
    if seed is None and resume is not None:
        seed = (resume[1].get("meta") or {}).get("seed")
    seed = int(dist.broadcast_object(random_seed() if seed is None else seed))
    set_random_seed(seed, deterministic)
    if info.device.type == "cuda" and not deterministic:
        torch.backends.cudnn.benchmark = bool(plain.get("cudnn_benchmark", True))
    logger.info(
        "seed %d, deterministic %s, device %s, world size %d",
        seed,
        deterministic,
        info.device,
        info.world_size,
    )

    model = build_model(plain["model"]).to(info.device)
    if getattr(model, "head", True) is None:  # a classifier without head computes no loss
        raise ConfigError(
            "model.head: training needs a head that computes the loss; add one, e.g. "
            "{type: LinearClsHead, num_classes: N, in_channels: C, loss: {type: CrossEntropyLoss}}"
        )
    precision = build_precision(plain, info.device)
    if precision.channels_last:
        model = model.to(memory_format=torch.channels_last)

    data_cfg = plain["data"]
    train_set = build_dataset(data_cfg, "train")
    val_set = (
        build_dataset(data_cfg, "val", classes=getattr(train_set, "classes", None))
        if validate and data_cfg.get("val")
        else None
    )
    common: dict[str, Any] = {
        "rank": info.rank,
        "world_size": info.world_size,
        "seed": seed,
        "device_type": info.device.type,
    }
    train_loader = build_dataloader(train_set, loader_options(data_cfg, "train"), train=True, **common)
    val_loader = (
        build_dataloader(val_set, loader_options(data_cfg, "val"), train=False, **common)
        if val_set is not None
        else None
    )

    optimizer = build_optimizer(model, plain["optimizer"])
    max_epochs, max_iters = runner_limits(plain.get("runner"), plain.get("total_epochs"))
    grad_clip, cumulative = optimizer_options(plain.get("optimizer_config"))
    policy = build_lr_policy(plain.get("lr_config"))
    iters_per_epoch = len(train_loader)
    total_iters = max_epochs * iters_per_epoch if max_epochs is not None else int(max_iters)  # type: ignore[arg-type]
    scheduler = policy.bind(
        optimizer, iters_per_epoch=iters_per_epoch, max_iters=total_iters, max_epochs=max_epochs
    )

    classes = getattr(train_set, "classes", None) or getattr(train_set, "CLASSES", None)
    runner = Runner(
        model=model,
        optimizer=optimizer,
        scheduler=scheduler,
        train_loader=train_loader,
        val_loader=val_loader,
        work_dir=work_dir,
        logger=logger,
        dist_info=info,
        precision=precision,
        seed=seed,
        max_epochs=max_epochs,
        max_iters=max_iters,
        grad_clip=grad_clip,
        cumulative_iters=cumulative,
        log_interval=log_every((plain.get("log_config") or {}).get("interval")),
        find_unused_parameters=bool(plain.get("find_unused_parameters", False)),
        compile=plain.get("compile", False),
        nan_policy=str(plain.get("nan_policy") or "stop"),
        meta={
            "config": text,
            "classes": list(classes) if classes is not None else None,
            "versions": plugin_versions(),
            "exp_name": work_dir.name,
        },
        timestamp=timestamp,
    )
    for hook, priority in training_hooks(plain, validate=validate, has_val=val_loader is not None):
        runner.register_hook(hook, priority)

    if resume is not None:
        runner.resume(resume[1], resume[0])
    elif load_from:
        with config_key("load_from"):
            report = load_checkpoint(model, load_from, strict=False)
        logger.info(
            "loaded weights from %s (%d missing, %d unexpected, %d shape-mismatched keys)",
            load_from,
            len(report["missing_keys"]),
            len(report["unexpected_keys"]),
            len(report["mismatched_keys"]),
        )
    span = f"{runner.max_iters} iteration{'s' * (runner.max_iters != 1)}"
    if max_epochs:
        span = f"{max_epochs} epoch{'s' * (max_epochs != 1)}, {span}"
    logger.info("training for %s (%d per epoch), %s precision", span, iters_per_epoch, precision.name)
    runner.run()

    eval_hook = runner.get_hook(EvalHook)
    text_hook = runner.get_hook(TextLoggerHook)
    best = None
    if eval_hook is not None and eval_hook.best_key is not None:
        best = {
            "metric": eval_hook.best_key,
            "value": eval_hook.best_score,
            "checkpoint": eval_hook.best_checkpoint,
        }
    return {
        "work_dir": str(work_dir),
        "checkpoint": str(runner.last_checkpoint) if runner.last_checkpoint else None,
        "epoch": runner.epoch,
        "iter": runner.iter,
        "metrics": runner.last_metrics,
        "best": best,
        "seed": seed,
        "log_file": str(work_dir / f"{timestamp}.log") if info.is_main else None,
        "json_log": str(text_hook.json_path) if text_hook is not None and text_hook.json_path else None,
    }


__all__ = ["train"]
