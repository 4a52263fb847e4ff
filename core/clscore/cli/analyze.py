"""``clsrun analyze``: model cost, training curves, confusion matrix, lr schedule, pipeline preview."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from clscore.apis import load_config
from clscore.cli._options import Command, cfg_options, config_argument, device_option
from clscore.errors import ClsCoreError

F = TypeVar("F", bound=Callable[..., Any])


class LogsCommand(Command):
    """``--keys loss accuracy_top-1`` and ``--legend a b``; a key never ends in .json (that is a log)."""

    multi_value = {
        **Command.multi_value,
        "--keys": re.compile(r"^(?!.*\.json$)[A-Za-z][\w.-]*$"),
        "--legend": re.compile(r"^[^-]"),
    }


def _out_option(default: str | None = None) -> Callable[[F], F]:
    return click.option(
        "--out",
        type=click.Path(dir_okay=False),
        default=default,
        required=default is None,
        show_default=default is not None,
        help="Image file to write (.png, .jpg, .pdf, .svg).",
    )


@click.group()
def analyze() -> None:
    """Understand a model, a training run or a pipeline."""


@analyze.command(cls=Command)
@config_argument
@click.option("--shape", help="Input size: 224 or 224,320 [the config's test size, else 224].")
@cfg_options
def flops(config: str, shape: str | None, cfg_options: tuple[str, ...]) -> None:
    """Parameters and FLOPs per top-level module (backbone, neck, head) for one image.

    FLOPs count a multiply-add as 2 (torch.utils.flop_counter); MMClassification's tables give
    multiply-accumulates, the MACs column.
    """
    from clscore.apis.complexity import format_complexity, model_complexity
    from clscore.cli.export import input_shape
    from clscore.models.builder import build_model

    cfg = load_config(config, cfg_options)
    size = input_shape(cfg, shape)
    click.echo(format_complexity(model_complexity(build_model(cfg.model), size), size))


@analyze.command(cls=LogsCommand)
@click.argument("logs", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--keys",
    multiple=True,
    default=("loss",),
    show_default=True,
    metavar="KEY...",
    help="Logged values to draw, e.g. loss accuracy_top-1 lr.",
)
@click.option(
    "--legend",
    multiple=True,
    metavar="NAME...",
    help="One label per log, or one per (log, key) pair [the log's name and the key].",
)
@click.option("--title", help="Figure title.")
@_out_option()
def logs(
    logs: tuple[str, ...], keys: tuple[str, ...], legend: tuple[str, ...], title: str | None, out: str
) -> None:
    """Draw training curves from one or more <time>.log.json files.

    Train values are drawn against the iteration, validation metrics against the epoch.

    \b
    clsrun analyze logs work_dirs/a/*.log.json work_dirs/b/*.log.json --keys loss accuracy_top-1 \\
        --legend a b --out curves.png
    """
    from clscore.apis.logs import curve, read_json_log
    from clscore.apis.plotting import plot_curves

    if legend and len(legend) not in (len(logs), len(logs) * len(keys)):
        raise click.BadParameter(
            f"give {len(logs)} labels (one per log) or {len(logs) * len(keys)} (one per log and key), got {len(legend)}",
            param_hint="--legend",
        )
    series = []
    for i, log in enumerate(logs):
        records = read_json_log(log)
        for j, key in enumerate(keys):
            if len(legend) == len(logs) * len(keys) and len(keys) > 1:
                label = legend[i * len(keys) + j]
            else:
                label = legend[i] if legend else f"{Path(log).name.removesuffix('.log.json')} {key}"
            series.append((label, curve(records, key, source=log)))
    click.echo(f"wrote {plot_curves(series, out, title)}")


@analyze.command("confusion-matrix", cls=Command)
@config_argument
@click.argument("checkpoint", type=click.Path())
@_out_option()
@click.option(
    "--split", type=click.Choice(["test", "val", "train"]), help="Which data section [test, else val]."
)
@click.option("--normalize", is_flag=True, help="Show each true class's row as fractions.")
@device_option()
@cfg_options
def confusion_matrix(
    config: str,
    checkpoint: str,
    out: str,
    split: str | None,
    normalize: bool,
    device: str,
    cfg_options: tuple[str, ...],
) -> None:
    """Draw the confusion matrix of CHECKPOINT on the test set (rows: true class, columns: predicted)."""
    from clscore.apis.evaluation import build_eval_loader, eval_split, evaluate_trained
    from clscore.apis.plotting import plot_confusion_matrix
    from clscore.apis.trained import load_trained_model

    cfg = load_config(config, cfg_options)
    chosen = eval_split(cfg, split)
    trained = load_trained_model(checkpoint, cfg, device=device)
    loader = build_eval_loader(trained.cfg, chosen, device_type=trained.device.type)
    result = evaluate_trained(trained, loader, chosen, ["confusion_matrix"], {})
    matrix = result.metrics["confusion_matrix"]
    correct = sum(matrix[i][i] for i in range(len(matrix)))
    title = f"{Path(config).stem} on data.{chosen}: {correct}/{len(result.labels)} correct"
    click.echo(
        f"wrote {plot_confusion_matrix(matrix, trained.classes, out, normalize=normalize, title=title)}"
    )


@analyze.command(cls=Command)
@config_argument
@_out_option()
@click.option(
    "--iters-per-epoch", type=click.IntRange(min=1), help="Iterations per epoch [from the train set's size]."
)
@click.option(
    "--dataset-size", type=click.IntRange(min=1), help="Train samples, instead of building the train set."
)
@click.option(
    "--world-size", type=click.IntRange(min=1), default=1, show_default=True, help="Processes the run uses."
)
@cfg_options
def lr(
    config: str,
    out: str,
    iters_per_epoch: int | None,
    dataset_size: int | None,
    world_size: int,
    cfg_options: tuple[str, ...],
) -> None:
    """Draw the learning rate at every iteration of the run CONFIG describes, without training."""
    from clscore.apis.plotting import plot_lr
    from clscore.apis.schedule import iterations_per_epoch, lr_schedule

    cfg = load_config(config, cfg_options)
    per_epoch = iters_per_epoch or iterations_per_epoch(cfg, dataset_size=dataset_size, world_size=world_size)
    lrs, epochs = lr_schedule(cfg, per_epoch)
    length = f"{epochs} epochs x {per_epoch} iterations" if epochs else f"{len(lrs)} iterations"
    path = plot_lr(lrs, per_epoch, epochs is not None, out, title=f"{Path(config).stem}: {length}")
    click.echo(f"lr from {lrs[0]:.4g} to {lrs[-1]:.4g} (max {max(lrs):.4g}) over {length}")
    click.echo(f"wrote {path}")


@analyze.command(cls=Command)
@config_argument
@_out_option()
@click.option("--split", type=click.Choice(["train", "val", "test"]), default="train", show_default=True)
@click.option(
    "--n",
    "count",
    type=click.IntRange(min=1, max=256),
    default=16,
    show_default=True,
    help="Samples to show.",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Picks the samples and the augmentations."
)
@cfg_options
def dataset(config: str, out: str, split: str, count: int, seed: int, cfg_options: tuple[str, ...]) -> None:
    """Draw a grid of samples after the split's pipeline (Normalize undone), to see the augmentations."""
    from clscore.apis.plotting import plot_image_grid
    from clscore.apis.preview import preview_samples

    cfg = load_config(config, cfg_options)
    pictures, labels = preview_samples(cfg, split, count, seed)
    if not pictures:
        raise ClsCoreError(f"data.{split} gave no samples")
    height, width = pictures[0].shape[:2]
    title = f"{Path(config).stem}: data.{split} after its pipeline ({height}x{width})"
    click.echo(f"wrote {plot_image_grid(pictures, labels, out, title=title)}")
