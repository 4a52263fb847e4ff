"""Batched normalisation on the device: the step between the loader's uint8 batch and the model.

Workers ship uint8 images; :class:`DataPreprocessor` turns a batch into the model's float input,
``(img - mean) / std`` per channel, after the host-to-device copy. It is the same arithmetic as the
``Normalize`` transform (float32, same order of operations), so moving a pipeline's trailing
Normalize here gives the same numbers. Where the settings come from: ``model.data_preprocessor``
(MMPretrain 1.x's key, then the pipelines have no Normalize), else the Normalize the engine took out
of the loader's pipeline (:mod:`clscore.data.device_normalize`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from clscore.errors import ConfigError

#: Keys ``model.data_preprocessor`` takes; ``type`` may name MMPretrain's class, which means the same.
KEYS = ("mean", "std", "to_rgb", "to_bgr")
TYPES = ("DataPreprocessor", "ClsDataPreprocessor")


class DataPreprocessor(nn.Module):
    """``(img - mean) / std`` on a batch ``(N, C, H, W)`` (uint8 or float on the 0-255 scale).

    ``mean``/``std`` are RGB, one value per channel or one for all; without them the batch is only
    cast to float32. Images inside clscore are always RGB, so ``to_rgb`` never reorders channels (it is
    kept, as by ``Normalize``, as a statement of intent); ``to_bgr: true`` flips the channels after
    normalising. The output is float32 (autocast chooses the compute precision), in ``memory_format``.
    """

    def __init__(
        self,
        mean: Sequence[float] | None = None,
        std: Sequence[float] | None = None,
        to_rgb: bool = True,
        to_bgr: bool = False,
    ) -> None:
        super().__init__()
        if (mean is None) != (std is None):
            raise ConfigError("data_preprocessor: give both mean and std, or neither")
        if mean is not None and std is not None:
            if len(mean) != len(std) or not len(mean):
                raise ConfigError(
                    f"data_preprocessor: mean and std need the same non-zero length, got {list(mean)} "
                    f"and {list(std)}"
                )
            if any(float(s) == 0 for s in std):
                raise ConfigError(f"data_preprocessor: std must not contain 0, got {list(std)}")
        self.to_rgb, self.to_bgr = bool(to_rgb), bool(to_bgr)
        self._values = {
            "mean": None if mean is None else [float(m) for m in mean],
            "std": None if std is None else [float(s) for s in std],
        }
        self.mean: torch.Tensor | None
        self.std: torch.Tensor | None
        # not persistent: checkpoints keep the weights only, and old checkpoints load unchanged
        for name, values in (("mean", mean), ("std", std)):
            tensor = None if values is None else torch.tensor(self._values[name]).view(-1, 1, 1)
            self.register_buffer(name, tensor, persistent=False)

    def settings(self) -> dict[str, Any]:
        """``{mean, std, to_rgb, to_bgr}`` as plain lists (for checkpoint meta and exported files)."""
        return {
            "mean": self._values["mean"],
            "std": self._values["std"],
            "to_rgb": self.to_rgb,
            "to_bgr": self.to_bgr,
        }

    def forward(
        self, img: torch.Tensor, memory_format: torch.memory_format = torch.contiguous_format
    ) -> torch.Tensor:
        if self.mean is not None and self.mean.shape[0] not in (1, img.shape[-3]):
            raise ValueError(
                f"data_preprocessor has {self.mean.shape[0]} mean/std values but the images have "
                f"{img.shape[-3]} channels"
            )
        # one pass casts to a fresh float32 tensor (never the caller's) in the model's memory layout;
        # the normalisation then runs in place on it: one batch-sized buffer, not three
        layout = memory_format if img.dim() == 4 else torch.contiguous_format
        if layout is torch.contiguous_format and img.device.type == "cpu" and img.dtype == torch.uint8:
            # a channels-last batch from the loader, for a model on the CPU: numpy regroups uint8 pixels
            # by channel 2-3x faster than torch's strided copy (on a GPU the copy below does it)
            img = torch.from_numpy(np.ascontiguousarray(img.numpy()))
        out = torch.empty(img.shape, dtype=torch.float32, device=img.device, memory_format=layout)
        out.copy_(img)
        if self.mean is not None and self.std is not None:
            out.sub_(self.mean).div_(self.std)
        if self.to_bgr:
            out = out.flip(-3)
        return out

    def extra_repr(self) -> str:
        values = self.settings()
        return f"mean={values['mean']}, std={values['std']}, to_bgr={self.to_bgr}"


def build_data_preprocessor(cfg: Mapping[str, Any] | nn.Module | None) -> DataPreprocessor | None:
    """The preprocessor ``model.data_preprocessor`` describes (``None`` stays ``None``)."""
    if cfg is None or isinstance(cfg, DataPreprocessor):
        return cfg
    if not isinstance(cfg, Mapping):
        raise ConfigError(
            f"model.data_preprocessor must be a mapping like {{mean: [...], std: [...]}}, got {cfg!r}"
        )
    spec = dict(cfg)
    kind = str(spec.pop("type", TYPES[0])).rpartition(".")[2]
    if kind not in TYPES:
        raise ConfigError(f"model.data_preprocessor.type: {kind!r} is not one of {', '.join(TYPES)}")
    unknown = sorted(set(spec) - set(KEYS))
    if unknown:
        raise ConfigError(
            f"model.data_preprocessor: unknown key(s) {', '.join(unknown)}; it takes {', '.join(KEYS)} "
            "(batch augments go in model.train_cfg.augments)"
        )
    try:
        return DataPreprocessor(**spec)
    except ConfigError as exc:
        raise type(exc)([f"model.{problem}" for problem in exc.problems]) from exc


class BatchInput:
    """A loader's batch (already on the device) to the model's input, in the run's memory format."""

    def __init__(self, step: DataPreprocessor, channels_last: bool = False) -> None:
        self.step = step
        self.memory_format = torch.channels_last if channels_last else torch.contiguous_format

    def __call__(self, img: torch.Tensor) -> torch.Tensor:
        return self.step(img, self.memory_format)

    @property
    def settings(self) -> dict[str, Any]:
        return self.step.settings()


def batch_preprocessor(
    model: nn.Module,
    moved: Mapping[str, Any] | None,
    *,
    device: torch.device | str = "cpu",
    channels_last: bool = False,
    where: str = "the data pipeline",
) -> BatchInput:
    """The step from a loader's batch (on ``device``) to the model's input.

    ``moved`` is the Normalize the engine took out of the loader's pipeline; the model's own
    ``data_preprocessor`` is used instead when it has one (both at once would normalise twice).
    """
    own = model_preprocessor(model)
    if own is not None and moved is not None:
        raise ConfigError(
            f"model.data_preprocessor normalises on the device and {where} has a Normalize too, so images "
            "would be normalised twice; remove the Normalize step from the pipeline"
        )
    step = own if own is not None else DataPreprocessor(**(moved or {})).to(device)
    return BatchInput(step, channels_last)


def model_preprocessor(model: nn.Module) -> DataPreprocessor | None:
    """The model's own normalising ``data_preprocessor``, if it has one."""
    own = getattr(model, "data_preprocessor", None)
    return own if isinstance(own, DataPreprocessor) and own.mean is not None else None
