"""Exporting a trained classifier to ONNX or TorchScript, checked against eager PyTorch.

The exported graph maps a normalised float batch ``(N, 3, H, W)`` to class scores ``(N, num_classes)``:
softmax probabilities, or sigmoids for multi-label heads (``model.predict``). Pre-processing (decoding,
resizing, normalising) is not part of the graph, so the graph is the same whether training normalised in
the workers or on the device; the normalisation the model expects, ``(img - mean) / std`` on RGB 0-255
pixels, is written into the file (:data:`METADATA_KEY`: ONNX ``metadata_props``, a TorchScript extra
file) as JSON ``{"mean", "std", "to_rgb", "to_bgr"}``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import logging
import os
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import torch
from torch import nn

from clscore.errors import ClsCoreError

logger = logging.getLogger("clscore")

Format = Literal["onnx", "torchscript"]
Exporter = Literal["auto", "dynamo", "legacy"]
INPUT_NAME, OUTPUT_NAME = "input", "scores"
DEFAULT_OPSET = 18
#: Where the expected input normalisation is recorded in the exported file.
METADATA_KEY = "clscore.preprocessing"


class ScoresModule(nn.Module):
    """``img -> model.predict(img)``: the part of a classifier that is exported."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, img: torch.Tensor) -> torch.Tensor:
        scores: torch.Tensor = self.model.predict(img)  # type: ignore[operator]
        return scores


@dataclass
class ExportReport:
    """What was written and how closely it matches eager PyTorch on a random batch."""

    path: Path
    format: str
    exporter: str
    input_shape: tuple[int, ...]
    check_shape: tuple[int, ...] | None
    max_abs_diff: float | None
    atol: float
    checked_with: str | None

    @property
    def ok(self) -> bool:
        return self.max_abs_diff is None or self.max_abs_diff <= self.atol


def export_model(
    model: nn.Module,
    out: str | os.PathLike[str],
    *,
    fmt: Format | str,
    shape: tuple[int, int],
    batch_size: int = 1,
    dynamic_batch: bool = False,
    opset: int = DEFAULT_OPSET,
    exporter: Exporter | str = "auto",
    atol: float = 1e-4,
    check: bool = True,
    preprocessing: Mapping[str, Any] | None = None,
) -> ExportReport:
    """Write ``model`` to ``out`` and compare the file's outputs with eager PyTorch.

    With ``dynamic_batch`` the check uses a different batch size than the export, so a batch
    dimension that was baked in is caught. Raises :class:`ClsCoreError` past ``atol``.
    ``preprocessing`` (see :func:`input_normalization`) is recorded in the file under :data:`METADATA_KEY`.
    """
    if fmt not in ("onnx", "torchscript"):
        raise ClsCoreError(f"--format must be onnx or torchscript, got {fmt!r}")
    if opset < 17:
        raise ClsCoreError(f"--opset must be 17 or newer, got {opset}")
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    wrapped = ScoresModule(model).eval()
    generator = torch.Generator().manual_seed(0)
    example = torch.randn(batch_size, 3, *shape, generator=generator)
    if fmt == "onnx":
        used = export_onnx(
            wrapped, example, path, dynamic_batch=dynamic_batch, opset=opset, exporter=exporter
        )
    else:
        used = export_torchscript(wrapped, example, path, preprocessing)
    if fmt == "onnx" and preprocessing:
        _onnx_metadata(path, {METADATA_KEY: json.dumps(dict(preprocessing))})
    report = ExportReport(path, fmt, used, tuple(example.shape), None, None, atol, None)
    if check:
        check_batch = batch_size + 2 if dynamic_batch else batch_size
        sample = torch.randn(check_batch, 3, *shape, generator=generator)
        report.check_shape = tuple(sample.shape)
        with torch.inference_mode():
            expected = wrapped(sample)
        actual, report.checked_with = run_exported(path, fmt, sample)
        if actual is not None:
            if tuple(actual.shape) != tuple(expected.shape):
                raise ClsCoreError(
                    f"the exported {fmt} model gives shape {tuple(actual.shape)} on a batch of {check_batch}; "
                    f"eager PyTorch gives {tuple(expected.shape)}"
                )
            report.max_abs_diff = float((actual.float() - expected.float()).abs().max())
            if not report.ok:
                raise ClsCoreError(
                    f"the exported {fmt} model differs from eager PyTorch by up to {report.max_abs_diff:.3g} "
                    f"(tolerance {atol:g}) on a random batch {report.check_shape}; the file is at {path}"
                )
    return report


def export_onnx(
    module: nn.Module,
    example: torch.Tensor,
    path: Path,
    *,
    dynamic_batch: bool,
    opset: int,
    exporter: Exporter | str,
) -> str:
    """Export with torch.export-based exporter (needs onnxscript), else the legacy TorchScript one.

    ``auto`` tries the torch.export-based exporter first and falls back to the legacy one when it is
    missing or fails on the model. The file is self-contained (no external data file).
    """
    if exporter not in ("auto", "dynamo", "legacy"):
        raise ClsCoreError(f"--exporter must be auto, dynamo or legacy, got {exporter!r}")
    have_onnxscript = importlib.util.find_spec("onnxscript") is not None
    if importlib.util.find_spec("onnx") is None:
        raise ClsCoreError("ONNX export needs the onnx package: pip install 'clscore[onnx]'")
    if exporter == "dynamo" and not have_onnxscript:
        raise ClsCoreError("the dynamo ONNX exporter needs onnxscript: pip install 'clscore[onnx]'")
    if exporter in ("auto", "dynamo") and have_onnxscript:
        try:
            _export_onnx(module, example, path, dynamic_batch=dynamic_batch, opset=opset, dynamo=True)
            return "dynamo"
        except Exception as exc:
            if exporter == "dynamo":
                raise ClsCoreError(f"the dynamo ONNX exporter failed: {type(exc).__name__}: {exc}") from exc
            logger.warning(
                "dynamo ONNX export failed (%s: %s); using the legacy exporter", type(exc).__name__, exc
            )
    _export_onnx(module, example, path, dynamic_batch=dynamic_batch, opset=opset, dynamo=False)
    return "legacy"


def _export_onnx(
    module: nn.Module, example: torch.Tensor, path: Path, *, dynamic_batch: bool, opset: int, dynamo: bool
) -> None:
    """One ONNX export; the dynamo exporter takes ``dynamic_shapes``, the legacy one ``dynamic_axes``."""
    if dynamo:
        if dynamic_batch and example.shape[0] == 1:
            example = example.repeat(2, 1, 1, 1)  # torch.export specialises a size-1 dimension
        dynamic: dict[str, Any] = {"external_data": False, "verbose": False}
        dynamic["dynamic_shapes"] = ({0: torch.export.Dim("batch")},) if dynamic_batch else None
    else:
        axes = {INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}} if dynamic_batch else None
        dynamic = {"dynamic_axes": axes}
    with _quiet():
        torch.onnx.export(
            module,
            (example,),
            str(path),
            input_names=[INPUT_NAME],
            output_names=[OUTPUT_NAME],
            opset_version=opset,
            dynamo=dynamo,
            **dynamic,
        )


def export_torchscript(
    module: nn.Module, example: torch.Tensor, path: Path, preprocessing: Mapping[str, Any] | None = None
) -> str:
    """``torch.jit.trace`` (TorchScript is deprecated upstream but still the format many runtimes load).

    ``preprocessing`` goes in the extra file :data:`METADATA_KEY` (``torch.jit.load(..., _extra_files=)``).
    """
    extra = {METADATA_KEY: json.dumps(dict(preprocessing))} if preprocessing else {}
    with _quiet(), torch.inference_mode(False), torch.no_grad():
        traced = torch.jit.trace(module, example, check_trace=False)
        traced.save(str(path), _extra_files=extra)
    return "trace"


def _onnx_metadata(path: Path, entries: Mapping[str, str]) -> None:
    import onnx

    proto = onnx.load(str(path))
    for key, value in entries.items():
        proto.metadata_props.add(key=key, value=value)
    onnx.save(proto, str(path))


def input_normalization(model: nn.Module, cfg: Mapping[str, Any]) -> dict[str, Any] | None:
    """The normalisation an exported model expects: the model's ``data_preprocessor``, else the
    trailing ``Normalize`` of the test (or val) pipeline; ``None`` when neither says."""
    from clscore.apis.pipeline import split_dataset_cfg
    from clscore.data.device_normalize import split_dataset_normalize
    from clscore.models.preprocessor import model_preprocessor

    own = model_preprocessor(model)
    if own is not None:
        return own.settings()
    try:
        _, ds_cfg = split_dataset_cfg(cfg)
    except ClsCoreError:
        return None
    return split_dataset_normalize(ds_cfg)[1]


def run_exported(path: Path, fmt: str, batch: torch.Tensor) -> tuple[torch.Tensor | None, str | None]:
    """The exported file's output on ``batch`` (``None`` when no runtime is installed for it)."""
    if fmt == "torchscript":
        with _quiet():
            loaded = torch.jit.load(str(path), map_location="cpu")
        with torch.no_grad():
            return loaded(batch), "torch.jit"
    if importlib.util.find_spec("onnxruntime") is None:
        logger.warning(
            "onnxruntime is not installed, so the ONNX file was not checked: pip install 'clscore[onnx]'"
        )
        return None, None
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    output = session.run(None, {name: batch.numpy()})[0]
    return torch.from_numpy(output), f"onnxruntime {onnxruntime.__version__}"


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence the exporters' progress prints and deprecation chatter (errors still propagate)."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        yield
