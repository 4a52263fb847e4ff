"""``clsrun infer [CONFIG] CHECKPOINT INPUT...``: classify image files, folders and globs."""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import click

from clscore.cli._options import Command, cfg_options, device_option
from clscore.errors import ClsCoreError

CONFIG_SUFFIXES = (".yaml", ".yml")


def image_suffixes() -> tuple[str, ...]:
    """The extensions folders and globs are searched for: those ``CustomDataset`` reads."""
    from clscore.data.datasets.folder import IMG_EXTENSIONS

    return tuple(IMG_EXTENSIONS)


def split_config(args: Sequence[str], needed: int) -> tuple[str | None, list[str]]:
    """``[CONFIG] CHECKPOINT ...``: the first argument is the config when it ends in .yaml/.yml."""
    args = list(args)
    config = args.pop(0) if args and args[0].lower().endswith(CONFIG_SUFFIXES) else None
    if len(args) < needed:
        raise click.UsageError(
            "give the checkpoint (and for infer, at least one image)"
            if needed > 1
            else "give the checkpoint (a .pth file, a work dir or its 'latest' file)"
        )
    return config, args


def expand_inputs(inputs: Sequence[str]) -> list[str]:
    """Files as given, folders searched recursively for images, globs (``**`` included) expanded."""
    suffixes = image_suffixes()
    found: list[str] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found.extend(_images_under(path, suffixes))
        elif path.is_file():
            found.append(item)
        elif glob.has_magic(item):
            matches = sorted(glob.glob(item, recursive=True))
            files = [m for m in matches if Path(m).is_file() and m.lower().endswith(suffixes)]
            for folder in (m for m in matches if Path(m).is_dir()):
                files.extend(_images_under(Path(folder), suffixes))
            if not files:
                raise ClsCoreError(f"no image matches {item!r}")
            found.extend(files)
        else:
            raise ClsCoreError(f"no such file or folder: {item}")
    first: dict[str, str] = {}
    for file in found:
        first.setdefault(os.path.realpath(file), file)
    unique = list(first.values())
    if not unique:
        raise ClsCoreError(f"no images found in {', '.join(inputs)} (looked for {', '.join(suffixes)})")
    return unique


def _images_under(folder: Path, suffixes: tuple[str, ...]) -> Iterator[str]:
    for root, dirs, files in os.walk(folder, followlinks=True):
        dirs.sort()
        for name in sorted(files):
            if name.lower().endswith(suffixes) and not name.startswith("."):
                yield os.path.join(root, name)


def format_prediction(filename: str, prediction: dict) -> str:
    top = ", ".join(f"{t['class']} ({t['score'] * 100:.2f}%)" for t in prediction["topk"])
    return f"{filename}: {top}"


@click.command(cls=Command)
@click.argument("args", nargs=-1, required=True, metavar="[CONFIG] CHECKPOINT INPUT...")
@click.option(
    "--topk",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="How many classes to show per image.",
)
@click.option(
    "--batch-size", type=click.IntRange(min=1), default=16, show_default=True, help="Images per forward pass."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Write one JSON object per image to this file (JSON lines).",
)
@device_option()
@cfg_options
def infer(
    args: tuple[str, ...],
    topk: int,
    batch_size: int,
    out: str | None,
    device: str,
    cfg_options: tuple[str, ...],
) -> None:
    """Classify images with a trained checkpoint.

    CONFIG (a .yaml/.yml file) is optional: without it, the config and class names saved in the
    checkpoint are used. CHECKPOINT is a .pth file, a work dir (its newest checkpoint) or a 'latest'
    pointer. INPUT is an image file, a folder (searched recursively) or a glob ('imgs/**/*.png').

    \b
    clsrun infer work_dirs/resnet18_digits/latest digit.png
    clsrun infer configs/x.yaml epoch_12.pth photos/ --topk 5 --out preds.jsonl
    """
    from clscore.apis.inference import Inferencer
    from clscore.errors import DataError

    config, rest = split_config(args, needed=2)
    checkpoint, inputs = rest[0], rest[1:]
    files = expand_inputs(inputs)
    inferencer = Inferencer(
        config if config else checkpoint,
        checkpoint if config else None,
        device=device,
        topk=topk,
        batch_size=batch_size,
        cfg_options=cfg_options,
    )
    failed = 0
    sink = open(out, "w", encoding="utf-8") if out else None  # noqa: SIM115 - closed below
    try:
        for start in range(0, len(files), batch_size):
            chunk, imgs = [], []
            for filename in files[start : start + batch_size]:
                try:
                    imgs.append(inferencer.preprocess(filename))
                    chunk.append(filename)
                except DataError as exc:
                    failed += 1
                    click.echo(f"{filename}: error: {exc}", err=True)
            if not imgs:
                continue
            for filename, row in zip(chunk, inferencer.scores(imgs)):
                prediction = inferencer.describe(row, topk)
                click.echo(format_prediction(filename, prediction))
                if sink is not None:
                    sink.write(json.dumps({"filename": filename, **prediction}) + "\n")
    finally:
        if sink is not None:
            sink.close()
    if failed:
        raise ClsCoreError(f"{failed} of {len(files)} images could not be read (see above)")
