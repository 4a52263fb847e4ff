"""The training loop shared by ``EpochBasedRunner`` (``max_epochs``) and ``IterBasedRunner`` (``max_iters``).

One iteration: move the batch, ``model.loss(img, gt_label)`` under autocast (through DDP when
distributed), sum the entries whose key contains ``loss``, backward (scaled for fp16, divided for
gradient accumulation, ``no_sync`` between accumulation steps), optional gradient clipping, the
optimizer step, then the lr scheduler step (the lr of iteration ``i`` is the policy's value at ``i``).
Logged values stay on the device and are averaged only every ``log_config.interval`` iterations, so the
loop does not wait for the device each iteration; a non-finite loss is recorded on the device and
checked at those points, before any checkpoint is written, and at each epoch end.
"""

from __future__ import annotations

import bisect
import contextlib
import logging
import time
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader

from clscore.checkpoint import unwrap_model
from clscore.data.device_normalize import device_normalize
from clscore.data.samplers import set_epoch
from clscore.dist import DistInfo
from clscore.engine import state
from clscore.engine.hooks.base import Hook, get_priority, overrides
from clscore.engine.precision import Precision, maybe_compile
from clscore.engine.schedulers.base import PolicyScheduler
from clscore.engine.signals import StopRequest, abort_run, stop_run
from clscore.engine.step import (
    FiniteGuard,
    LogBuffer,
    TrainStep,
    clean_loader_error,
    parse_losses,
    peak_memory_mb,
    skip_nonfinite,
)
from clscore.errors import ClsCoreError, ConfigError, TrainingError
from clscore.evaluation import evaluate
from clscore.models.preprocessor import BatchInput, batch_preprocessor

NAN_POLICIES = ("stop", "skip")


class Runner:
    """Runs training with hooks; ``max_epochs`` for epoch-based runs, ``max_iters`` for iteration-based."""

    def __init__(
        self,
        *,
        model: nn.Module,
        optimizer: torch.optim.Optimizer,
        scheduler: PolicyScheduler,
        train_loader: DataLoader,
        work_dir: Path,
        logger: logging.Logger,
        dist_info: DistInfo,
        precision: Precision,
        seed: int,
        max_epochs: int | None = None,
        max_iters: int | None = None,
        val_loader: DataLoader | None = None,
        grad_clip: Mapping[str, Any] | None = None,
        cumulative_iters: int = 1,
        log_interval: int = 10,
        find_unused_parameters: bool = False,
        compile: Any = False,
        nan_policy: str = "stop",
        meta: Mapping[str, Any] | None = None,
        timestamp: str | None = None,
    ) -> None:
        if (max_epochs is None) == (max_iters is None):
            raise ClsCoreError("runner: give exactly one of max_epochs and max_iters")
        self.model = model
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.train_loader = train_loader
        self.val_loader = val_loader
        self.work_dir = Path(work_dir)
        self.logger = logger
        self.dist_info = dist_info
        self.device = dist_info.device
        self.precision = precision
        self.seed = seed
        self.grad_clip = dict(grad_clip) if grad_clip else None
        self.cumulative_iters = max(1, int(cumulative_iters))
        self.log_interval = max(1, int(log_interval))
        self.meta = dict(meta or {})
        if nan_policy not in NAN_POLICIES:
            raise ConfigError(f"nan_policy must be one of {', '.join(NAN_POLICIES)}, got {nan_policy!r}")
        self.nan_policy = nan_policy
        self.skipped_iters = 0
        self.consecutive_skips = 0
        self.timestamp = timestamp or time.strftime("%Y%m%d_%H%M%S", time.localtime())

        self.iters_per_epoch = len(train_loader)
        if self.iters_per_epoch == 0:
            raise ClsCoreError("the training loader yields no batch: the dataset is smaller than one batch")
        self.by_epoch = max_epochs is not None
        self.max_epochs = max_epochs
        self.max_iters = max_epochs * self.iters_per_epoch if max_epochs is not None else int(max_iters or 0)
        self.epoch = 0
        self.iter = 0
        self.inner_iter = 0
        self.skip_batches = 0

        self.hooks: list[Hook] = []
        self._hook_levels: list[int] = []
        self._stage_hooks: dict[str, list[Hook]] = {}
        self.log_buffer = LogBuffer()
        self.log_record: dict[str, Any] | None = None
        self.last_loss: float | None = None
        self.last_metrics: dict[str, Any] = {}
        self.last_checkpoint: Path | None = None
        self.resumed_from: Path | None = None
        #: the iteration the newest checkpoint (written or resumed) holds; a stop does not write it again
        self.saved_iter: int | None = None
        self.stop = StopRequest()
        self.finite_guard = FiniteGuard()
        self._lr_used = self.current_lr()
        self._time_start: float | None = None
        self._iter_start = 0

        step = TrainStep(model)
        self._ddp: nn.parallel.DistributedDataParallel | None = None
        if dist_info.distributed:
            self._ddp = nn.parallel.DistributedDataParallel(
                step,
                device_ids=[self.device.index] if self.device.type == "cuda" else None,
                find_unused_parameters=bool(find_unused_parameters),
            )
            step = self._ddp  # type: ignore[assignment]
        self.train_step = maybe_compile(step, compile)
        # uint8 batches become the model's float input here, on the device (a pipeline's trailing
        # Normalize, moved out of the workers, or the model's data_preprocessor)
        self.train_input = self.batch_input(train_loader, "data.train.pipeline")
        self.val_input = self.batch_input(val_loader, "data.val.pipeline") if val_loader is not None else None

    def batch_input(self, loader: DataLoader, where: str) -> BatchInput:
        return batch_preprocessor(
            unwrap_model(self.model),
            device_normalize(loader),
            device=self.device,
            channels_last=self.precision.channels_last,
            where=where,
        )

    # -- properties -------------------------------------------------------------------------------------
    @property
    def is_main(self) -> bool:
        return self.dist_info.is_main

    @property
    def num_classes(self) -> int | None:
        head = getattr(unwrap_model(self.model), "head", None)
        value = getattr(head, "num_classes", None)
        return int(value) if isinstance(value, int) else None

    def datasets(self) -> dict[str, Any]:
        found = {"train": self.train_loader.dataset}
        if self.val_loader is not None:
            found["val"] = self.val_loader.dataset
        return found

    def current_lr(self) -> float:
        return float(self.optimizer.param_groups[0]["lr"])

    # -- hooks --------------------------------------------------------------------------------------------
    def register_hook(self, hook: Hook, priority: int | str | None = None) -> None:
        """Add ``hook``; among equal priorities, hooks run in registration order."""
        level = get_priority(priority if priority is not None else getattr(hook, "priority", "NORMAL"))
        position = bisect.bisect_right(self._hook_levels, level)
        self._hook_levels.insert(position, level)
        self.hooks.insert(position, hook)
        self._stage_hooks.clear()

    def get_hook(self, kind: type) -> Any:
        return next((h for h in self.hooks if isinstance(h, kind)), None)

    def call_hook(self, stage: str) -> None:
        """Call ``stage`` on the hooks that override it (the list is kept per stage until a hook is added)."""
        hooks = self._stage_hooks.get(stage)
        if hooks is None:
            hooks = self._stage_hooks[stage] = [h for h in self.hooks if overrides(h, stage)]
        for hook in hooks:
            getattr(hook, stage)(self)

    # -- the loop -----------------------------------------------------------------------------------------
    def run(self) -> None:
        try:
            with self.stop.installed(), warnings.catch_warnings():
                # the scheduler steps every iteration, also when GradScaler or accumulation skipped the update
                warnings.filterwarnings("ignore", message=r"Detected call of `lr_scheduler\.step\(\)` before")
                self.call_hook("before_run")
                self._time_start, self._iter_start = time.perf_counter(), self.iter
                while self.iter < self.max_iters:
                    if self.stop.agreed():  # SIGTERM, SIGUSR1 or Ctrl-C (engine/signals.py)
                        stop_run(self)
                    self._train_epoch()
            self.check_finite()
        except KeyboardInterrupt:
            abort_run(self)
        finally:
            self.call_hook("after_run")

    def _batches(self) -> Iterator[Any]:
        iterator = iter(self.train_loader)
        while True:
            try:
                batch = next(iterator)
            except StopIteration:
                return
            except ClsCoreError as exc:
                raise clean_loader_error(exc) from None
            yield batch

    def _train_epoch(self) -> None:
        set_epoch(
            self.train_loader,
            self.epoch,
            seed=self.seed,
            rank=self.dist_info.rank,
            skip_batches=self.skip_batches,
        )
        self.inner_iter, self.skip_batches = self.skip_batches, 0
        self.train_step.train()
        self.call_hook("before_train_epoch")
        tick = time.perf_counter()
        for batch in self._batches():
            data_time = time.perf_counter() - tick
            self.call_hook("before_train_iter")
            log_vars = self._train_iter(batch)
            self.iter += 1
            self.inner_iter += 1
            self.log_buffer.add(log_vars, {"data_time": data_time, "time": time.perf_counter() - tick})
            if self._log_due():
                self.log_record = self._train_record()
            self.call_hook("after_train_iter")
            self.log_record = None
            tick = time.perf_counter()
            if self.iter >= self.max_iters or self.stop.agreed():
                break
        if self.inner_iter >= self.iters_per_epoch:
            self.epoch += 1
            self.inner_iter = 0  # the epoch is closed (engine/state.py records an unclosed one as such)
            self.check_finite()
            self.call_hook("after_train_epoch")

    def _loss_factor(self) -> int:
        if self.cumulative_iters == 1:
            return 1
        divisible = self.max_iters // self.cumulative_iters * self.cumulative_iters
        return self.cumulative_iters if self.iter < divisible else self.max_iters - divisible

    def _train_iter(self, batch: Mapping[str, Any]) -> dict[str, torch.Tensor]:
        img = self.train_input(batch["img"].to(self.device, non_blocking=True))
        label = batch["gt_label"].to(self.device, non_blocking=True)
        step_now = (self.iter + 1) % self.cumulative_iters == 0 or self.iter + 1 >= self.max_iters
        no_sync = self._ddp.no_sync() if self._ddp is not None and not step_now else contextlib.nullcontext()
        scaler = self.precision.scaler
        with no_sync:
            with self.precision.autocast():
                losses = self.train_step(img, label)
            loss, log_vars = parse_losses(losses)
            if self.nan_policy == "skip" and skip_nonfinite(self, log_vars["loss"]):
                self._lr_used = self.current_lr()
                self.scheduler.step()  # the lr stays tied to the iteration number
                return {}
            self.finite_guard.track(self.iter + 1, log_vars["loss"])
            factor = self._loss_factor()
            scaled = loss / factor if factor > 1 else loss
            (scaler.scale(scaled) if scaler is not None else scaled).backward()
        if step_now:
            if self.grad_clip:
                if scaler is not None:
                    scaler.unscale_(self.optimizer)
                params = [p for g in self.optimizer.param_groups for p in g["params"] if p.grad is not None]
                if params:
                    log_vars["grad_norm"] = (
                        torch.nn.utils.clip_grad_norm_(params, **self.grad_clip).detach().float()
                    )
            if scaler is not None:
                scaler.step(self.optimizer)
                self.precision.update_scaler()
            else:
                self.optimizer.step()
            self.optimizer.zero_grad(set_to_none=True)
        self._lr_used = self.current_lr()
        self.scheduler.step()
        return log_vars

    # -- logging ------------------------------------------------------------------------------------------
    def _log_due(self) -> bool:
        if self.by_epoch:
            return self.inner_iter % self.log_interval == 0 or self.inner_iter >= self.iters_per_epoch
        return self.iter % self.log_interval == 0 or self.iter >= self.max_iters

    def _train_record(self) -> dict[str, Any]:
        values = self.log_buffer.average()
        self.log_buffer.clear()
        self.check_finite()
        self.last_loss = values.get("loss")
        record: dict[str, Any] = {
            "mode": "train",
            "epoch": self.epoch + 1,
            "iter": self.inner_iter if self.by_epoch else self.iter,
            "lr": self._lr_used,
            "memory": peak_memory_mb(self.device),
            "data_time": values.pop("data_time", 0.0),
            "time": values.pop("time", 0.0),
        }
        record.update(values)
        return record

    def eta_seconds(self) -> float | None:
        done = self.iter - self._iter_start
        if self._time_start is None or done <= 0:
            return None
        return (time.perf_counter() - self._time_start) / done * (self.max_iters - self.iter)

    # -- non-finite loss guard (engine/step.py) ------------------------------------------------------
    def check_finite(self) -> None:
        """Stop with a TrainingError if any iteration so far had a NaN/inf loss (on any rank)."""
        first = self.finite_guard.first_nonfinite(self.device)
        if first is None:
            return
        epoch = (first - 1) // self.iters_per_epoch + 1
        kept = (
            f"; the last good checkpoint is {self.last_checkpoint}"
            if self.last_checkpoint
            else ("; no checkpoint was written before it")
        )
        raise TrainingError(
            f"the loss became NaN or infinite at iteration {first} (epoch {epoch}); training stopped{kept}. "
            "Lower the learning rate, add optimizer_config.grad_clip, or check the data."
        )

    # -- evaluation ---------------------------------------------------------------------------------------
    def evaluate(self, metrics: list[Any]) -> dict[str, Any]:
        """Evaluate on the val loader, log a ``mode: val`` record, and return the metrics."""
        if self.val_loader is None:
            return {}
        self.call_hook("before_val_epoch")
        try:
            results = evaluate(
                unwrap_model(self.model),
                self.val_loader,
                metrics,
                self.device,
                autocast=self.precision.autocast,
                prepare_input=self.val_input,
            )
        except ClsCoreError as exc:
            raise clean_loader_error(exc) from None
        self.last_metrics = results
        # an iteration-based evaluation runs inside after_train_iter: keep that iteration's train record for
        # the logger hooks that come after the evaluation hook
        pending = self.log_record
        self.log_record = {
            "mode": "val",
            "epoch": self.epoch,
            "iter": self.iters_per_epoch if self.by_epoch else self.iter,
            "lr": self._lr_used,
        }
        self.log_record.update({k: v for k, v in results.items() if isinstance(v, (int, float))})
        self.call_hook("after_val_epoch")
        self.log_record = pending
        return results

    # -- checkpoints (engine/state.py) ----------------------------------------------------------------------
    def protected_checkpoints(self) -> list[Path]:
        """Checkpoints retention must never delete: the resumed-from, the best and the latest ones."""
        paths = [p for p in (self.resumed_from, self.last_checkpoint) if p is not None]
        for hook in self.hooks:
            best = getattr(hook, "best_checkpoint", None)
            if best:
                paths.append(Path(best))
        return paths

    def save_checkpoint(self, path: Path, *, save_optimizer: bool = True, update_latest: bool = True) -> None:
        """Write a checkpoint (rank 0 only) after checking that no loss went non-finite."""
        self.check_finite()
        state.save_state(self, path, save_optimizer=save_optimizer, update_latest=update_latest)
        if update_latest:
            self.saved_iter = self.iter

    def export_weights(self, path: Path) -> None:
        state.export_weights(self, path)

    def resume(
        self, checkpoint: Mapping[str, Any], path: Path, *, allow_world_size_change: bool = False
    ) -> None:
        state.restore_state(self, checkpoint, path, allow_world_size_change=allow_world_size_change)
        self.saved_iter = self.iter
