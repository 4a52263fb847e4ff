"""``clsrun train``: train from a config on one CPU, one GPU or several processes (torchrun)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Any

import click

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


def _torchrun_command(ctx: click.Context, nproc: int, params: dict[str, Any]) -> list[str]:
    """This same command, without ``--nproc``, started by ``torch.distributed.run`` on ``nproc`` processes."""
    root = ctx.find_root().params
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}"]
    command += ["-m", "clscore"]
    command += ["--debug"] if root.get("debug") else []
    command += ["--strict-plugins"] if root.get("strict_plugins") else []
    command += ["train", params["config"], "--launcher", "pytorch"]
    for option in ("work_dir", "load_from", "resume_from", "seed", "device"):
        if params.get(option) is not None:
            command += [f"--{option.replace('_', '-')}", str(params[option])]
    for flag in ("auto_resume", "deterministic", "no_validate"):
        if params.get(flag):
            command.append(f"--{flag.replace('_', '-')}")
    for option in params.get("cfg_options") or ():
        command += ["--cfg-options", option]
    return command


_LAUNCHER_NOISE = re.compile(r"^(Traceback \(most recent call last\)|[EW]\d{4} .*torch/distributed/elastic)")


def _run_torchrun(command: list[str], nproc: int, debug: bool) -> int:
    """Run torchrun; without ``--debug`` its failure report (a launcher traceback) and repeated errors are dropped."""
    env = dict(os.environ)
    env.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // nproc)))
    if debug:
        return subprocess.call(command, env=env)
    seen: set[str] = set()
    quiet = False
    with subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True, bufsize=1) as proc:
        assert proc.stderr is not None
        for line in proc.stderr:
            quiet = quiet or bool(_LAUNCHER_NOISE.match(line))
            if quiet or (line.startswith("Error: ") and line in seen):
                continue
            seen.add(line)
            sys.stderr.write(line)
        return proc.wait()


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
@click.option(
    "--nproc",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes on this machine (starts torchrun).",
)
@click.option(
    "--launcher",
    type=click.Choice(["none", "pytorch"]),
    default="none",
    show_default=True,
    help="pytorch: join the torchrun job this process belongs to.",
)
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
        command = _torchrun_command(ctx, nproc, ctx.params)
        ctx.exit(_run_torchrun(command, nproc, bool(ctx.find_root().params.get("debug"))))
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
