"""``clsrun test CONFIG CHECKPOINT``: evaluate a checkpoint on ``data.test`` (else ``data.val``)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import click

from clscore.apis import load_config
from clscore.cli._launch import distributed_options, run_torchrun
from clscore.cli._options import Command, cfg_options, config_argument, device_option
from clscore.errors import ClsCoreError


class EvalCommand(Command):
    multi_value = {
        **Command.multi_value,
        "--metrics": re.compile(r"^[A-Za-z][\w-]*(,[A-Za-z][\w-]*)*$"),
        "--metric-options": re.compile(r"^\w+="),
    }


def parse_metric_options(items: tuple[str, ...]) -> dict[str, Any]:
    """``topk=1,5 average_mode=macro`` -> ``{"topk": [1, 5], "average_mode": "macro"}`` (values are YAML)."""
    from clscore.config import loads

    options: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(
                f"{item!r}: write key=value, e.g. topk=1,5", param_hint="--metric-options"
            )
        parts = [loads(p, source=f"--metric-options {key}") for p in raw.split(",")] if "," in raw else None
        options[key.strip()] = parts if parts is not None else loads(raw, source=f"--metric-options {key}")
    return options


def format_metrics(metrics: dict[str, Any], classes: list[str]) -> str:
    """Scalars as a two-column table; per-class lists and the confusion matrix below it."""
    scalars = {k: v for k, v in metrics.items() if isinstance(v, int | float)}
    lines = []
    if scalars:
        width = max(len(k) for k in scalars)
        lines += [f"{'metric'.ljust(width)}  value", f"{'-' * width}  --------"]
        lines += [
            f"{k.ljust(width)}  {v:8.4f}" if isinstance(v, float) else f"{k.ljust(width)}  {v:8d}"
            for k, v in scalars.items()
        ]
    for key, value in metrics.items():
        if key in scalars:
            continue
        if key == "confusion_matrix":
            lines.append("confusion matrix (rows: true class, columns: predicted)")
            names = [str(c) for c in classes] or [str(i) for i in range(len(value))]
            cell = max([len(n) for n in names] + [len(str(x)) for row in value for x in row])
            lines.append(" " * cell + " " + " ".join(n.rjust(cell) for n in names[: len(value)]))
            for name, row in zip(names, value):
                lines.append(name.rjust(cell) + " " + " ".join(str(x).rjust(cell) for x in row))
        elif isinstance(value, list) and len(value) == len(classes):
            lines.append(f"{key} per class: " + ", ".join(f"{c}: {v:.2f}" for c, v in zip(classes, value)))
        else:
            lines.append(f"{key}: {value}")
    return "\n".join(lines)


@click.command(cls=EvalCommand)
@config_argument
@click.argument("checkpoint", type=click.Path())
@click.option(
    "--metrics",
    multiple=True,
    metavar="NAME...",
    help="accuracy precision recall f1_score support confusion_matrix ... [the config's evaluation.metric]",
)
@click.option(
    "--metric-options",
    multiple=True,
    metavar="KEY=VALUE...",
    help="Metric options, e.g. topk=1,5 average_mode=macro thrs=0.5 [the config's evaluation.metric_options]",
)
@click.option(
    "--out", type=click.Path(dir_okay=False), help="Write the metrics (and predictions) as JSON here."
)
@click.option("--with-predictions", is_flag=True, help="Put every sample's prediction into --out as well.")
@click.option(
    "--split", type=click.Choice(["test", "val", "train"]), help="Which data section to use [test, else val]."
)
@cfg_options
@device_option()
@distributed_options
@click.pass_context
def test(
    ctx: click.Context,
    config: str,
    checkpoint: str,
    metrics: tuple[str, ...],
    metric_options: tuple[str, ...],
    out: str | None,
    with_predictions: bool,
    split: str | None,
    cfg_options: tuple[str, ...],
    device: str,
    nproc: int,
    launcher: str,
) -> None:
    """Evaluate CHECKPOINT on the test set of CONFIG and print the metrics.

    CHECKPOINT is a .pth file, a work dir (its newest checkpoint) or a 'latest' pointer. Under DDP
    (--nproc N, or torchrun with --launcher pytorch) every sample is counted exactly once.

    \b
    clsrun test configs/digits/resnet18_digits.yaml work_dirs/resnet18_digits/latest
    clsrun test CFG CKPT --metrics accuracy precision recall --metric-options topk=1,5 average_mode=macro
    clsrun test CFG CKPT --nproc 2 --out results.json --with-predictions
    """
    cfg = load_config(config, cfg_options)
    options = parse_metric_options(metric_options)
    if nproc > 1:
        ctx.exit(run_torchrun(ctx, nproc))
    from clscore import dist
    from clscore.apis.evaluation import (
        build_eval_loader,
        canonical_options,
        check_options,
        eval_split,
        evaluate_trained,
        metric_settings,
        predictions,
    )
    from clscore.apis.preflight import check_listed_files
    from clscore.apis.trained import load_trained_model

    chosen = eval_split(cfg, split)
    from clscore.config._preflight import check_before_run

    check_before_run(cfg, splits=(chosen,), checkpoints={}, sections=("data",))
    names, merged = metric_settings(cfg, metrics, options)
    check_options(names, canonical_options(options))
    info = dist.init_dist(launcher, device)  # type: ignore[arg-type]
    try:
        trained = load_trained_model(checkpoint, cfg, device=info.device)
        loader = build_eval_loader(
            trained.cfg,
            chosen,
            rank=info.rank,
            world_size=info.world_size,
            device_type=info.device.type,
            classes=trained.classes if trained.has_stored_classes else None,
        )
        check_listed_files(loader.dataset, f"data.{chosen}")
        result = evaluate_trained(trained, loader, chosen, names, merged)
    finally:
        dist.teardown(info, sys.exc_info()[1])
    if not info.is_main:
        return
    click.echo(f"{trained.checkpoint} on data.{chosen} ({len(result.labels)} samples)")
    click.echo(format_metrics(result.metrics, trained.classes))
    if out:
        report: dict[str, Any] = {
            "config": config,
            "checkpoint": str(trained.checkpoint),
            "split": chosen,
            "num_samples": len(result.labels),
            "metrics": result.metrics,
        }
        if with_predictions:
            report["predictions"] = predictions(result, trained.classes)
        path = Path(out)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        except OSError as exc:
            raise ClsCoreError(f"cannot write {path}: {exc.strerror or exc}") from None
        click.echo(f"wrote {path}")
