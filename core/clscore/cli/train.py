"""``clsrun train``: train from a config on one CPU, one GPU or several processes (torchrun)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from clscore.apis import load_config
from clscore.cli._launch import distributed_options, run_torchrun
from clscore.cli._options import Command, cfg_options, config_argument, device_option
from clscore.cli._threads import apply_thread_policy


def _last_checkpoint(cfg: Any, work_dir: str | None) -> Path | None:
    from clscore.apis.train import last_checkpoint  # imports torch: only after a failed --nproc run

    return last_checkpoint(cfg, work_dir)


def _summary(result: dict[str, Any]) -> str:
    lines = [f"work dir: {result['work_dir']}"]
    if result.get("checkpoint"):
        lines.append(f"last checkpoint: {result['checkpoint']}")
    metrics = {k: v for k, v in (result.get("metrics") or {}).items() if isinstance(v, (int, float))}
    if metrics:
        lines.append("last evaluation: " + ", ".join(f"{k}: {v:.2f}" for k, v in metrics.items()))
    if result.get("best"):
        best = result["best"]
        lines.append(f"best {best['metric']}: {best['value']:.2f} ({best['checkpoint']})")
    return "\n".join(lines)


@click.command(cls=Command)
@config_argument
@click.option(
    "--work-dir",
    type=click.Path(file_okay=False),
    help="Where checkpoints and logs go [work_dirs/<config name>].",
)
@cfg_options
@click.option(
    "--load-from",
    type=click.Path(dir_okay=False),
    help="Start from these weights (non-strict; optimizer fresh).",
)
@click.option(
    "--resume-from",
    type=click.Path(dir_okay=False),
    help="Resume this checkpoint: weights, optimizer, schedule, counters.",
)
@click.option(
    "--auto-resume", is_flag=True, help="Resume from the newest valid checkpoint in the work dir, if any."
)
@click.option("--seed", type=int, help="Random seed (default: the config's, else a fresh one, logged).")
@click.option(
    "--deterministic", is_flag=True, help="Deterministic algorithms (slower; for exact reproducibility)."
)
@device_option(default=None, where="Where to train")
@click.option("--no-validate", is_flag=True, help="Do not evaluate on data.val during training.")
@click.option(
    "--force-work-dir",
    is_flag=True,
    help="Train into the work dir even when another training holds its lock (.clscore.lock).",
)
@click.option(
    "--allow-world-size-change",
    is_flag=True,
    help="Resume a checkpoint written with another number of processes (from the next epoch boundary).",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    help="CPU threads per process [the available cores / --nproc; OMP_NUM_THREADS if set]. "
    "OpenMP threads spin briefly, then sleep, unless OMP_WAIT_POLICY or GOMP_SPINCOUNT says otherwise.",
)
@distributed_options
@click.pass_context
def train(
    ctx: click.Context,
    config: str,
    work_dir: str | None,
    cfg_options: tuple[str, ...],
    load_from: str | None,
    resume_from: str | None,
    auto_resume: bool,
    seed: int | None,
    deterministic: bool,
    device: str | None,
    no_validate: bool,
    force_work_dir: bool,
    allow_world_size_change: bool,
    threads: int | None,
    nproc: int,
    launcher: str,
) -> None:
    """Train the model CONFIG describes; checkpoints, logs and the merged config go to the work dir.

    \b
    clsrun train configs/digits/resnet18_digits.yaml
    clsrun train CFG --cfg-options runner.max_epochs=3 data.samples_per_gpu=64
    clsrun train CFG --nproc 2          # two processes on this machine (DDP)
    torchrun --nproc_per_node 8 -m clscore train CFG --launcher pytorch
    """
    apply_thread_policy(nproc, threads)
    cfg = load_config(config, cfg_options)
    if nproc > 1:
        ctx.exit(run_torchrun(ctx, nproc, last_checkpoint=lambda: _last_checkpoint(cfg, work_dir)))
    from clscore.apis.train import train as run_training

    try:
        result = run_training(
            cfg,
            work_dir=work_dir,
            device=device or cfg.get("device") or "auto",
            launcher=launcher,
            validate=not no_validate,
            load_from=load_from,
            resume_from=resume_from,
            auto_resume=auto_resume,
            seed=seed,
            deterministic=deterministic,
            force_work_dir=force_work_dir,
            allow_world_size_change=allow_world_size_change,
        )
    except KeyboardInterrupt:
        click.echo("Interrupted; continue from the last checkpoint with --auto-resume.", err=True)
        ctx.exit(130)
    if result.get("log_file"):
        click.echo(_summary(result))
