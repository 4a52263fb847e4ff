"""Training, split as MMClassification's: :func:`train` is the script part, :func:`train_model` the loop part.

:func:`train` (what ``clsrun train`` runs) owns everything around a run: the config, the processes,
the work dir, the logger, the seed and the run's metadata; it builds the model and the datasets and
hands them to :func:`train_model`, which builds the loaders and the runner (``engine.builders``),
resumes or loads weights, and trains.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

from clscore import dist
from clscore.apis._config import config_text, load_config, to_plain
from clscore.apis.preflight import preflight
from clscore.apis.trained import check_normalize_once
from clscore.checkpoint import WorkDirLock, cleanup_temp_files, load_checkpoint, read_latest
from clscore.data.builder import build_dataloader, loader_options
from clscore.data.samplers import sampler_config
from clscore.engine.builders import build_runner
from clscore.engine.hooks import EvalHook, TextLoggerHook
from clscore.engine.rng import random_seed, set_random_seed
from clscore.engine.signals import watch_parent
from clscore.engine.state import Resume, find_resume
from clscore.errors import ClsCoreError, ConfigError, config_key
from clscore.models.builder import build_model
from clscore.plugins import get_host

LOGGER_NAME = "clscore"


def default_work_dir(cfg: Any, plain: Mapping[str, Any]) -> Path:
    """``work_dirs/<config stem>``."""
    filename = getattr(cfg, "filename", None) or plain.get("filename")
    stem = Path(str(filename)).stem if filename else "default"
    return Path("work_dirs") / stem


def resolve_work_dir(cfg: Any, work_dir: str | os.PathLike[str] | None = None) -> Path:
    """The work dir a run of ``cfg`` uses: ``work_dir``, else the config's, else ``work_dirs/<stem>``."""
    plain = to_plain(cfg)
    return Path(work_dir or plain.get("work_dir") or default_work_dir(cfg, plain))


def last_checkpoint(cfg: Any, work_dir: str | os.PathLike[str] | None = None) -> Path | None:
    """The checkpoint the ``latest`` pointer of ``cfg``'s work dir names, if any (for messages)."""
    return read_latest(resolve_work_dir(cfg, work_dir))


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


def plugin_versions() -> dict[str, str | None]:
    """clscore and every loaded plugin distribution with its version, for checkpoint metadata."""
    from clscore._version import __version__

    versions: dict[str, str | None] = {"clscore": __version__}
    for info in get_host().plugins.values():
        if info.status == "loaded" and info.distribution and info.distribution != "clscore":
            versions[info.distribution] = info.version
    return versions


def _prepare_work_dir(folder: Path, cfg: Any, text: str, lock: WorkDirLock, force: bool) -> None:
    """Create the work dir, lock it against a second training, drop partial files of an interrupted
    save (not another run's, with ``force``), and write the merged config."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ClsCoreError(f"cannot create the work dir {folder}: {exc.strerror or exc}") from None
    lock.acquire(force=force)
    if lock.held:
        cleanup_temp_files(folder)
    filename = getattr(cfg, "filename", None)
    (folder / (Path(str(filename)).name if filename else "config.yaml")).write_text(text, encoding="utf-8")


def _check_sections(plain: Mapping[str, Any], logger: logging.Logger) -> None:
    for section in ("model", "data", "optimizer"):
        if not plain.get(section):
            raise ConfigError(f"the config has no '{section}' section")
    if plain.get("momentum_config"):
        logger.warning(
            "momentum_config is not supported and is ignored; the optimizer's momentum stays constant"
        )


def _init_seed(
    seed: int | None,
    plain: Mapping[str, Any],
    resume: Resume | None,
    deterministic: bool,
    info: dist.DistInfo,
    logger: logging.Logger,
) -> int:
    """The run's seed: given, else the config's, else the resumed checkpoint's, else a random one (rank 0's)."""
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
    return seed


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
    force_work_dir: bool = False,
    allow_world_size_change: bool = False,
) -> dict[str, Any]:
    """Train the model ``cfg`` describes (a Config, a plain dict or a path to a YAML config).

    The work dir is locked for the run (``force_work_dir`` trains there even when another training
    holds it); a checkpoint of another world size is resumed only with ``allow_world_size_change``.

    Returns ``{"work_dir", "checkpoint" (the last one written), "epoch", "iter", "metrics" (the last
    evaluation), "best" (metric, value, checkpoint, or None), "seed", "log_file", "json_log"}``.
    """
    cfg = load_config(cfg)
    plain = to_plain(cfg)
    if device == "auto" and plain.get("device"):
        device = str(plain["device"])
    if os.environ.get("TORCHELASTIC_RUN_ID"):
        watch_parent()  # a torchrun worker stops (cleanly, SIGTERM) when its agent dies
    info = dist.init_dist(launcher, device)  # type: ignore[arg-type]
    handlers: list[logging.Handler] = []
    logger = logging.getLogger(LOGGER_NAME)
    lock: WorkDirLock | None = None
    try:
        folder = resolve_work_dir(cfg, work_dir)
        lock = WorkDirLock(folder)
        timestamp = dist.broadcast_object(time.strftime("%Y%m%d_%H%M%S", time.localtime()))
        text = config_text(cfg, plain)
        checked = preflight(plain, validate=validate, load_from=load_from, resume_from=resume_from)
        if info.is_main:  # only rank 0 writes, and locks
            _prepare_work_dir(folder, cfg, text, lock, force_work_dir)
        dist.barrier()
        logger, handlers = setup_logger(folder, timestamp, info.is_main)
        for note in lock.notes:
            logger.warning(note)
        _check_sections(plain, logger)
        for warning in checked.warnings:
            logger.warning(warning)
        resume = find_resume(
            resume_from or plain.get("resume_from"),
            auto_resume or bool(plain.get("auto_resume")),
            folder,
            logger,
        )
        deterministic = deterministic or bool(plain.get("deterministic"))
        seed = _init_seed(seed, plain, resume, deterministic, info, logger)

        model = build_model(plain["model"])
        if getattr(model, "head", True) is None:  # a classifier without head computes no loss
            raise ConfigError(
                "model.head: training needs a head that computes the loss; add one, e.g. "
                "{type: LinearClsHead, num_classes: N, in_channels: C, loss: {type: CrossEntropyLoss}}"
            )
        data_cfg = plain["data"]
        check_normalize_once(model, data_cfg, ("train", "val") if validate else ("train",))
        datasets = checked.datasets  # built and listed by the preflight
        return train_model(
            model,
            datasets,
            plain,
            dist_info=info,
            work_dir=folder,
            logger=logger,
            timestamp=timestamp,
            seed=seed,
            meta={"config": text, "versions": plugin_versions(), "exp_name": folder.name},
            validate=validate,
            load_from=load_from or plain.get("load_from"),
            resume=resume,
            allow_world_size_change=allow_world_size_change,
        )
    except KeyboardInterrupt:  # before the loop installed its handlers: the runner logs its own stops
        logger.warning("interrupted (Ctrl-C) before training started; nothing was saved")
        raise
    finally:
        for handler in handlers:
            logger.removeHandler(handler)
            handler.close()
        if lock is not None:
            lock.release()
        dist.teardown(info, sys.exc_info()[1])


def train_model(
    model: nn.Module,
    datasets: Any,
    cfg: Any,
    *,
    dist_info: dist.DistInfo | None = None,
    work_dir: str | os.PathLike[str] | None = None,
    logger: logging.Logger | None = None,
    timestamp: str | None = None,
    seed: int = 0,
    meta: Mapping[str, Any] | None = None,
    validate: bool = True,
    load_from: str | None = None,
    resume: Resume | None = None,
    allow_world_size_change: bool = False,
) -> dict[str, Any]:
    """Train a built ``model`` on built ``datasets`` (the train set, then optionally the val set).

    ``cfg`` supplies the loader options and the engine's sections (optimizer, schedule, hooks, ...);
    ``resume`` is a ``(path, checkpoint)`` pair to continue from, ``load_from`` a checkpoint whose
    weights start the run. Returns what :func:`train` returns.
    """
    plain = to_plain(cfg)
    info = dist_info or dist.DistInfo(device=dist.resolve_device("auto"))
    work_dir = Path(work_dir or plain.get("work_dir") or default_work_dir(cfg, plain))
    logger = logger or logging.getLogger(LOGGER_NAME)
    timestamp = timestamp or time.strftime("%Y%m%d_%H%M%S", time.localtime())
    train_set, *others = datasets if isinstance(datasets, Sequence) else [datasets]
    val_set = others[0] if validate and others else None

    if info.is_main:
        work_dir.mkdir(parents=True, exist_ok=True)
    model = model.to(info.device)
    data_cfg = plain["data"]
    common: dict[str, Any] = {
        "rank": info.rank,
        "world_size": info.world_size,
        "seed": seed,
        "device_type": info.device.type,
    }
    train_loader = build_dataloader(
        train_set, loader_options(data_cfg, "train"), train=True, sampler_cfg=sampler_config(plain), **common
    )
    val_loader = (
        build_dataloader(val_set, loader_options(data_cfg, "val"), train=False, **common)
        if val_set is not None
        else None
    )
    classes = getattr(train_set, "classes", None) or getattr(train_set, "CLASSES", None)
    run_meta = {"classes": list(classes) if classes is not None else None, **(meta or {})}
    run_meta.setdefault("config", config_text(cfg, plain))
    run_meta.setdefault("versions", plugin_versions())
    run_meta.setdefault("exp_name", work_dir.name)
    runner = build_runner(
        plain,
        model,
        train_loader,
        val_loader,
        dist_info=info,
        work_dir=work_dir,
        logger=logger,
        seed=seed,
        meta=run_meta,
        timestamp=timestamp,
        validate=validate,
    )

    if resume is not None:
        runner.resume(resume[1], resume[0], allow_world_size_change=allow_world_size_change)
    elif load_from:
        with config_key("load_from"):
            report = load_checkpoint(runner.model, load_from, strict=False)
        logger.info(
            "loaded weights from %s (%d missing, %d unexpected, %d shape-mismatched keys)",
            load_from,
            len(report["missing_keys"]),
            len(report["unexpected_keys"]),
            len(report["mismatched_keys"]),
        )
    runner.meta["data_preprocessor"] = runner.train_input.settings
    span = f"{runner.max_iters} iteration{'s' * (runner.max_iters != 1)}"
    if runner.max_epochs:
        span = f"{runner.max_epochs} epoch{'s' * (runner.max_epochs != 1)}, {span}"
    logger.info(
        "training for %s (%d per epoch), %s precision", span, runner.iters_per_epoch, runner.precision.name
    )
    runner.run()
    return _summary(runner, info, work_dir, timestamp, seed)


def _summary(runner: Any, info: dist.DistInfo, work_dir: Path, timestamp: str, seed: int) -> dict[str, Any]:
    eval_hook = runner.get_hook(EvalHook)
    text_hook = runner.get_hook(TextLoggerHook)
    best = None
    if eval_hook is not None and eval_hook.best_key is not None:
        best = {
            "metric": eval_hook.best_key,
            "value": eval_hook.best_score,
            "checkpoint": eval_hook.best_checkpoint,
        }
    log_file = work_dir / f"{timestamp}.log"
    return {
        "work_dir": str(work_dir),
        "checkpoint": str(runner.last_checkpoint) if runner.last_checkpoint else None,
        "epoch": runner.epoch,
        "iter": runner.iter,
        "metrics": runner.last_metrics,
        "best": best,
        "seed": seed,
        "log_file": str(log_file) if info.is_main and log_file.exists() else None,
        "json_log": str(text_hook.json_path) if text_hook is not None and text_hook.json_path else None,
    }


__all__ = ["train", "train_model"]
