"""A run's checkpoint state: what a checkpoint holds, writing it, reading it back to resume exactly.

A checkpoint is ``{"meta", "state_dict", "hooks", "optimizer", "scheduler", "scaler"}`` (DESIGN.md);
``meta`` carries the counters, the seed, the RNG states and the run's config, classes and versions,
and each hook keeps its own state under its class name.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clscore import dist
from clscore.checkpoint import (
    CORRUPT_DIR,
    extract_state_dict,
    load_state_dict,
    read_checkpoint,
    save_checkpoint,
    save_safetensors,
    search_resume,
    unwrap_model,
    write_latest,
)
from clscore.engine.rng import get_rng_state, set_rng_state
from clscore.errors import CheckpointError, DiskFullError, config_key

if TYPE_CHECKING:
    from clscore.engine.runner import Runner

#: The run's ``meta`` entries a checkpoint keeps besides the counters.
_RUN_META = ("config", "classes", "versions", "exp_name", "data_preprocessor")

Resume = tuple[Path, dict[str, Any]]


def position(runner: Runner) -> dict[str, Any]:
    """Where ``runner`` stands, as a checkpoint records it.

    ``epoch`` counts the epochs whose iterations are all done and ``inner_iter`` the iterations done in
    the next one; ``epoch_end_pending`` says that the last of those epochs has not run its end-of-epoch
    hooks yet (evaluation, epoch checkpoint): an iteration checkpoint written on an epoch's last
    iteration. Resuming runs those hooks first, then the next epoch.
    """
    pending = runner.inner_iter >= runner.iters_per_epoch
    return {
        "epoch": runner.epoch + int(pending),
        "iter": runner.iter,
        "inner_iter": 0 if pending else runner.inner_iter,
        "epoch_end_pending": pending,
    }


def checkpoint_state(runner: Runner, save_optimizer: bool = True) -> dict[str, Any]:
    """Everything needed to continue ``runner`` exactly (the optimizer side only with ``save_optimizer``)."""
    model = unwrap_model(runner.model)
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    hooks_state = {type(h).__name__: s for h in runner.hooks if (s := h.state_dict()) is not None}
    meta = {
        **position(runner),
        "iters_per_epoch": runner.iters_per_epoch,
        "seed": runner.seed,
        "world_size": runner.dist_info.world_size,
        "time": time.strftime("%Y-%m-%d %H:%M:%S"),
        "rng": get_rng_state(),
        **{k: v for k, v in runner.meta.items() if k in _RUN_META},
    }
    if meta.get("classes") is not None:  # MMClassification reads CLASSES
        meta["CLASSES"] = list(meta["classes"])
    checkpoint: dict[str, Any] = {"meta": meta, "state_dict": state, "hooks": hooks_state}
    if save_optimizer:
        checkpoint["optimizer"] = runner.optimizer.state_dict()
        checkpoint["scheduler"] = runner.scheduler.state_dict()
        if runner.precision.scaler is not None:
            checkpoint["scaler"] = runner.precision.scaler.state_dict()
    return checkpoint


def save_state(
    runner: Runner, path: Path, *, save_optimizer: bool = True, update_latest: bool = True
) -> None:
    """Write ``runner``'s checkpoint (rank 0 only) and, with ``update_latest``, point ``latest`` at it."""
    if not runner.is_main:
        return
    path = Path(path)
    try:
        save_checkpoint(path, checkpoint_state(runner, save_optimizer))
    except DiskFullError as exc:
        runner.logger.error("%s", exc)
        raise
    if update_latest:
        write_latest(path.parent, path.name)
        runner.last_checkpoint = path
    runner.logger.info("saved checkpoint %s", path)


def export_weights(runner: Runner, path: Path) -> None:
    """The weights alone as ``.safetensors`` (rank 0), with epoch/iter/classes as string metadata."""
    if not runner.is_main:
        return
    metadata = {
        "epoch": str(runner.epoch),
        "iter": str(runner.iter),
        "classes": "\n".join(runner.meta.get("classes") or []),
    }
    save_safetensors(path, unwrap_model(runner.model).state_dict(), metadata)
    runner.logger.info("exported weights %s", path)


def _saved_position(meta: Mapping[str, Any], saved_ipe: int) -> tuple[int, int, int]:
    """``(closed epochs, iterations done after them, iteration)`` in the checkpoint's own units.

    ``inner == saved_ipe`` means the next epoch's iterations are all done but not its end-of-epoch
    hooks. Checkpoints without ``inner_iter`` (older ones, MMClassification's) derive it from ``iter``.
    """
    epoch, it = int(meta.get("epoch", 0)), int(meta.get("iter", 0))
    if "inner_iter" in meta:
        pending = bool(meta.get("epoch_end_pending"))
        return epoch - int(pending), saved_ipe if pending else int(meta["inner_iter"]), it
    return epoch, min(max(0, it - epoch * saved_ipe), saved_ipe), it


def _check_world_size(runner: Runner, meta: Mapping[str, Any], path: Path, allow: bool) -> None:
    saved = meta.get("world_size")
    now = runner.dist_info.world_size
    if saved is None or int(saved) == now or allow:
        return
    raise CheckpointError(
        f"{path} was written by a run on {saved} processes (world size {saved}); this run has {now}. "
        "The data order and the iterations per epoch would change. Resume with the same number of "
        f"processes (--nproc {saved}), or pass --allow-world-size-change to continue from the next epoch "
        "boundary with the new sharding (docs/running-for-days.md)"
    )


def _restore_position(runner: Runner, meta: Mapping[str, Any]) -> bool:
    """Set the runner's counters from ``meta``; True when they had to be moved to an epoch boundary."""
    ipe = runner.iters_per_epoch
    saved_ipe = int(meta.get("iters_per_epoch") or ipe)
    closed, inner, it = _saved_position(meta, saved_ipe)
    runner.epoch = closed
    saved_ws = meta.get("world_size")
    if saved_ipe == ipe and (saved_ws is None or int(saved_ws) == runner.dist_info.world_size):
        runner.iter, runner.skip_batches = it, inner
        return False
    # another sharding or batch size: a position inside an epoch means nothing now, so continue at
    # the epoch boundary: the partly trained epoch is closed (its end-of-epoch hooks run), the next
    # one runs in full, each sample once
    runner.iter = (closed + int(inner > 0)) * ipe
    runner.skip_batches = ipe if inner > 0 else 0
    cut = f"; the rest of epoch {closed + 1} is skipped" if inner > 0 else ""
    runner.logger.warning(
        "resuming with %d iterations per epoch instead of %d (world size %s -> %d, or another batch "
        "size): continuing at iteration %d, the start of epoch %d%s",
        ipe,
        saved_ipe,
        meta.get("world_size", "?"),
        runner.dist_info.world_size,
        runner.iter,
        closed + 1 + int(inner > 0),
        cut,
    )
    return True


def restore_state(
    runner: Runner, checkpoint: Mapping[str, Any], path: Path, *, allow_world_size_change: bool = False
) -> None:
    """Restore weights, optimizer, schedule, scaler, counters, hook states and RNG states.

    A checkpoint of another world size is refused unless ``allow_world_size_change``.
    """
    meta = checkpoint.get("meta") or {}
    _check_world_size(runner, meta, Path(path), allow_world_size_change)
    load_state_dict(runner.model, extract_state_dict(checkpoint, path), strict=True, source=str(path))
    if "optimizer" in checkpoint:
        runner.optimizer.load_state_dict(checkpoint["optimizer"])
    else:
        runner.logger.warning("%s has no optimizer state; the optimizer starts fresh", path)
    if "scheduler" in checkpoint:
        runner.scheduler.load_state_dict(checkpoint["scheduler"])
    if runner.precision.scaler is not None and "scaler" in checkpoint:
        runner.precision.scaler.load_state_dict(checkpoint["scaler"])
    moved = _restore_position(runner, meta)
    if moved or "scheduler" not in checkpoint:
        runner.scheduler.last_epoch = runner.iter - 1
        runner.scheduler.step()
    hooks_state = checkpoint.get("hooks") or {}
    for hook in runner.hooks:
        state = hooks_state.get(type(hook).__name__)
        if state is not None:
            hook.load_state_dict(state)
    if "rng" in meta:
        set_rng_state(meta["rng"])
    runner.resumed_from = Path(path)
    runner.last_checkpoint = Path(path)
    runner.logger.info("resumed from %s at epoch %d, iteration %d", path, runner.epoch, runner.iter)
    if runner.iter >= runner.max_iters:
        runner.logger.info("the checkpoint already reached the end of the schedule; nothing left to train")


def find_resume(
    resume_from: str | None, auto_resume: bool, work_dir: Path, logger: logging.Logger
) -> Resume | None:
    """The checkpoint to resume from (``resume_from``, or the newest valid one with ``auto_resume``).

    Rank 0 searches (and moves unreadable checkpoints to ``<work_dir>/corrupt/``); every rank resumes
    from the file it found.
    """
    if resume_from:
        with config_key("resume_from"):
            return Path(resume_from), read_checkpoint(resume_from)
    if not auto_resume:
        return None
    search = search_resume(work_dir, move_corrupt=True) if dist.get_rank() == 0 else None
    found = dist.broadcast_object(str(search.found[0]) if search and search.found else None)
    if search is not None and search.found is None:
        if search.skipped:
            logger.warning(
                "auto-resume: no usable checkpoint in %s (%d unreadable, moved to %s); starting from scratch",
                work_dir,
                len(search.skipped),
                work_dir / CORRUPT_DIR,
            )
        else:
            logger.info("auto-resume: no checkpoint in %s yet; starting from scratch", work_dir)
    if found is None:
        return None
    if search is not None and search.found is not None:
        return search.found
    return Path(found), read_checkpoint(found)
