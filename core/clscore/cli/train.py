"""``clsrun train``: train from a config on one CPU, one GPU or several processes (torchrun)."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from clscore.cli._launch import distributed_options, run_torchrun
from clscore.cli._options import Command, cfg_options, config_argument, load_config


def _prefer_sleeping_threads() -> None:
    """On a busy machine, OpenMP threads that sleep at barriers instead of spinning.

    When the load average already reaches the CPU count, torch's spinning threads fight the other
    processes and CPU training ran up to 10x slower here; passive waiting avoids that (on an idle
    machine spinning is a little faster, so it is left alone). An ``OMP_WAIT_POLICY`` set by the user
    wins. Only effective before torch is imported; torchrun's children inherit it.
    """
    if "torch" in sys.modules or "OMP_WAIT_POLICY" in os.environ or not hasattr(os, "getloadavg"):
        return
    if os.getloadavg()[0] >= (os.cpu_count() or 1):
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"


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
@click.option(
    "--device",
    type=click.Choice(["cpu", "cuda", "auto"]),
    default=None,
    help="Where to train [auto: CUDA when present].",
)
@click.option("--no-validate", is_flag=True, help="Do not evaluate on data.val during training.")
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
    _prefer_sleeping_threads()
    cfg = load_config(config, cfg_options)
    if nproc > 1:
        ctx.exit(run_torchrun(ctx, nproc))
    from clscore.engine.train import train as run_training

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
        )
    except KeyboardInterrupt:
        click.echo("Interrupted; continue from the last checkpoint with --auto-resume.", err=True)
        ctx.exit(130)
    if result.get("log_file"):
        click.echo(_summary(result))
