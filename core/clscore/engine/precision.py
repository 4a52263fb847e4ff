"""Mixed precision, memory format and compilation, from the config's ``fp16``/``amp``/``channels_last``/``compile``.

- ``fp16: {loss_scale: dynamic | N | {init_scale: ..., growth_interval: ...}}`` (MMClassification's key):
  autocast to float16 with a GradScaler (a number gives a fixed scale) on CUDA; elsewhere bfloat16
  autocast without scaler, with a warning.
- ``amp: {dtype: bf16 | fp16}`` (``amp: true`` picks bf16 where supported, else fp16; ``enabled: false``
  turns it off): autocast; a GradScaler only for fp16. bf16 works on CPU.
- ``channels_last: true``: model and inputs in NHWC memory format.
- ``compile: true`` (or a dict of ``torch.compile`` keyword arguments): opt-in compilation.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch

from clscore.errors import ConfigError

logger = logging.getLogger("clscore")

_DTYPES = {
    "bf16": torch.bfloat16,
    "bfloat16": torch.bfloat16,
    "fp16": torch.float16,
    "float16": torch.float16,
}


@dataclass
class Precision:
    """How one training step runs: autocast dtype, optional GradScaler, memory format."""

    device_type: str = "cpu"
    dtype: torch.dtype | None = None
    scaler: torch.amp.GradScaler | None = None
    static_scale: float | None = None
    channels_last: bool = False

    @property
    def name(self) -> str:
        return {None: "fp32", torch.bfloat16: "bf16", torch.float16: "fp16"}[self.dtype]

    def autocast(self) -> contextlib.AbstractContextManager[Any]:
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device_type, dtype=self.dtype)

    def prepare_input(self, img: torch.Tensor) -> torch.Tensor:
        if self.channels_last and img.dim() == 4:
            return img.contiguous(memory_format=torch.channels_last)
        return img

    def update_scaler(self) -> None:
        if self.scaler is not None:
            self.scaler.update(self.static_scale)


def _scaler(device_type: str, loss_scale: Any) -> tuple[torch.amp.GradScaler, float | None]:
    if loss_scale in (None, "dynamic"):
        return torch.amp.GradScaler(device_type), None
    if isinstance(loss_scale, Mapping):
        try:
            return torch.amp.GradScaler(device_type, **dict(loss_scale)), None
        except TypeError as exc:
            raise ConfigError(f"fp16.loss_scale: {exc}") from None
    if isinstance(loss_scale, (int, float)) and not isinstance(loss_scale, bool) and loss_scale > 0:
        return torch.amp.GradScaler(device_type, init_scale=float(loss_scale)), float(loss_scale)
    raise ConfigError(
        f"fp16.loss_scale must be 'dynamic', a positive number or a mapping, got {loss_scale!r}"
    )


def build_precision(cfg: Mapping[str, Any], device: torch.device) -> Precision:
    """The :class:`Precision` the config asks for on ``device``."""
    fp16, amp = cfg.get("fp16"), cfg.get("amp")
    if fp16 and amp:
        raise ConfigError("give either fp16 (MMClassification style) or amp, not both")
    precision = Precision(device_type=device.type, channels_last=bool(cfg.get("channels_last", False)))
    if fp16 and device.type != "cuda":
        # float16 autocast on a CPU is emulated and very slow (a ResNet-50 step takes minutes)
        logger.warning(
            "fp16 asks for float16 mixed precision, which needs CUDA; training on %s in bfloat16 "
            "instead (fp16.loss_scale is not needed there)",
            device.type,
        )
        precision.dtype = torch.bfloat16
    elif fp16:
        loss_scale = fp16.get("loss_scale", "dynamic") if isinstance(fp16, Mapping) else "dynamic"
        precision.dtype = torch.float16
        precision.scaler, precision.static_scale = _scaler(device.type, loss_scale)
    elif amp and not (isinstance(amp, Mapping) and amp.get("enabled") is False):
        spec = amp if isinstance(amp, Mapping) else {}
        name = str(spec.get("dtype", "auto")).lower()
        if name == "auto":
            bf16_ok = device.type == "cpu" or (device.type == "cuda" and torch.cuda.is_bf16_supported())
            name = "bf16" if bf16_ok else "fp16"
        if name not in _DTYPES:
            raise ConfigError(f"amp.dtype must be bf16 or fp16, got {spec.get('dtype')!r}")
        precision.dtype = _DTYPES[name]
        if precision.dtype is torch.float16:
            precision.scaler, precision.static_scale = _scaler(device.type, spec.get("loss_scale", "dynamic"))
    return precision


def maybe_compile(module: torch.nn.Module, spec: Any) -> torch.nn.Module:
    """``torch.compile(module)`` when the config's ``compile`` is true or a dict of its options."""
    if not spec:
        return module
    options = dict(spec) if isinstance(spec, Mapping) else {}
    return torch.compile(module, **options)  # type: ignore[return-value]
