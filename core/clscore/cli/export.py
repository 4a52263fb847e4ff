"""``clsrun export [CONFIG] CHECKPOINT --format onnx|torchscript --out FILE``."""

from __future__ import annotations

import re

import click

from clscore.cli._options import Command, cfg_options
from clscore.cli.infer import split_config


def parse_shape(text: str | None) -> tuple[int, int] | None:
    """``224`` -> (224, 224); ``224,320`` / ``224x320`` / ``224 320`` -> (224, 320)."""
    if text is None:
        return None
    parts = [p for p in re.split(r"[,x\s]+", text.strip().lower()) if p]
    if len(parts) not in (1, 2) or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise click.BadParameter(
            f"{text!r}: give one size (224) or height and width (224,320)", param_hint="--shape"
        )
    h = int(parts[0])
    return h, int(parts[-1])


def input_shape(cfg: object, given: str | None) -> tuple[int, int]:
    """``--shape`` if given, else the size the config's test pipeline produces, else 224."""
    from clscore.apis.pipeline import model_input_size

    return parse_shape(given) or model_input_size(cfg) or (224, 224)  # type: ignore[arg-type]


@click.command(cls=Command)
@click.argument("args", nargs=-1, required=True, metavar="[CONFIG] CHECKPOINT")
@click.option(
    "--format", "fmt", type=click.Choice(["onnx", "torchscript"]), required=True, help="What to write."
)
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="The file to write (.onnx, .pt).")
@click.option(
    "--shape", help="Input size: 224 or 224,320 (height, width) [the config's test size, else 224]."
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Batch of the example input.",
)
@click.option(
    "--dynamic-batch", is_flag=True, help="Let the batch dimension vary (checked with another batch size)."
)
@click.option(
    "--atol",
    type=float,
    default=1e-4,
    show_default=True,
    help="Largest allowed difference from eager PyTorch.",
)
@click.option(
    "--opset", type=click.IntRange(min=17), default=18, show_default=True, help="ONNX opset version."
)
@click.option(
    "--exporter",
    type=click.Choice(["auto", "dynamo", "legacy"]),
    default="auto",
    show_default=True,
    help="ONNX exporter: torch.export-based (dynamo, needs onnxscript), the legacy TorchScript-based "
    "one, or auto (dynamo, falling back to legacy).",
)
@click.option("--no-check", is_flag=True, help="Skip the comparison with eager PyTorch.")
@cfg_options
def export(
    args: tuple[str, ...],
    fmt: str,
    out: str,
    shape: str | None,
    batch_size: int,
    dynamic_batch: bool,
    atol: float,
    opset: int,
    exporter: str,
    no_check: bool,
    cfg_options: tuple[str, ...],
) -> None:
    """Export a trained model to ONNX or TorchScript and check it against eager PyTorch.

    The exported model takes a normalised float batch (N, 3, H, W), (RGB 0-255 - mean) / std, and
    returns class scores (softmax; sigmoid for multi-label heads); the mean and std it expects are
    written into the file as JSON under 'clscore.preprocessing' (ONNX metadata_props, TorchScript
    extra file), whether training normalised in the pipeline or on the device. The check runs both on a
    random batch and fails (exit 1) when they differ by more than --atol; ONNX files are checked
    with onnxruntime when it is installed (pip install 'clscore[onnx]').

    \b
    clsrun export work_dirs/resnet18_digits/latest --format onnx --out digits.onnx --dynamic-batch
    clsrun export configs/x.yaml epoch_100.pth --format torchscript --out x.pt --shape 224
    """
    from clscore.apis.export import export_model, input_normalization
    from clscore.apis.trained import load_trained_model

    config, rest = split_config(args, needed=1)
    if len(rest) > 1:
        raise click.UsageError(f"unexpected arguments: {' '.join(rest[1:])}")
    trained = load_trained_model(rest[0], config, device="cpu", cfg_options=cfg_options)
    size = input_shape(trained.cfg, shape)
    normalization = input_normalization(trained.model, trained.cfg)
    report = export_model(
        trained.model,
        out,
        fmt=fmt,
        shape=size,
        batch_size=batch_size,
        dynamic_batch=dynamic_batch,
        opset=opset,
        exporter=exporter,
        atol=atol,
        check=not no_check,
        preprocessing=normalization,
    )
    how = f"{report.exporter} exporter, opset {opset}" if fmt == "onnx" else "torch.jit.trace"
    click.echo(
        f"wrote {report.path} ({fmt}, {how}; input {report.input_shape}"
        f"{' with a dynamic batch' if dynamic_batch else ''} -> scores)"
    )
    if normalization:
        click.echo(
            f"input: (RGB 0-255 - mean) / std, mean {normalization['mean']}, std {normalization['std']} "
            "(recorded in the file as clscore.preprocessing)"
        )
    if report.max_abs_diff is not None:
        click.echo(
            f"check with {report.checked_with} on a random batch {report.check_shape}: "
            f"max abs difference {report.max_abs_diff:.3g} <= {atol:g}"
        )
    elif not no_check:
        click.echo("not checked: install onnxruntime (pip install 'clscore[onnx]') to compare with PyTorch")
