"""Formatting: tensors for the model and the final dict the default collate batches."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from clscore.data.transforms._common import BaseTransform, get_image, hwc
from clscore.errors import DataError

DEFAULT_META_KEYS = (
    "filename",
    "ori_filename",
    "ori_shape",
    "img_shape",
    "flip",
    "flip_direction",
    "img_norm_cfg",
)


def _missing(transform: str, key: str, results: dict[str, Any]) -> DataError:
    return DataError(f"{transform}: the sample has no {key!r} (sample keys: {sorted(results)})")


def to_tensor(value: Any) -> torch.Tensor:
    """A tensor from a tensor, array, sequence or number; ints become 0-d int64, floats 0-d float32."""
    if isinstance(value, torch.Tensor):
        return value
    if type(value) is np.int64:  # a dataset's label: from numpy, 3x cheaper than torch.tensor(int)
        return torch.from_numpy(np.array(value))
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value if value.flags.c_contiguous and value.flags.writeable else value.copy())
    if isinstance(value, bool | np.bool_):
        return torch.tensor(bool(value))
    if isinstance(value, int | np.integer):
        return torch.tensor(int(value), dtype=torch.int64)
    if isinstance(value, float | np.floating):
        return torch.tensor(float(value), dtype=torch.float32)
    if isinstance(value, Sequence) and not isinstance(value, str):
        return torch.tensor(value)
    raise TypeError(f"cannot convert {type(value).__name__} to a tensor")


class ImageToTensor(BaseTransform):
    """Make each key a ``(C, H, W)`` tensor.

    Our images already are, so for them this is a no-op kept for MMClassification pipelines; a numpy
    ``(H, W)`` or ``(H, W, C)`` array (e.g. from a plugin's loader) is converted without changing dtype.
    """

    def __init__(self, keys: Sequence[str] = ("img",)) -> None:
        self.keys = list(keys)

    def __call__(self, results: dict[str, Any]) -> dict[str, Any]:
        for key in self.keys:
            if key not in results:
                raise _missing("ImageToTensor", key, results)
            results[key] = get_image(results, key)
        if "img" in self.keys:
            results["img_shape"] = hwc(results["img"])
        return results


class ToTensor(BaseTransform):
    """Convert each key to a tensor: a label int becomes a 0-d int64 tensor (batches stack to ``(N,)``)."""

    def __init__(self, keys: Sequence[str] = ("gt_label",)) -> None:
        self.keys = list(keys)

    def __call__(self, results: dict[str, Any]) -> dict[str, Any]:
        for key in self.keys:
            if key not in results:
                raise _missing("ToTensor", key, results)
            try:
                results[key] = to_tensor(results[key])
            except TypeError as exc:
                raise DataError(f"ToTensor: key {key!r}: {exc}") from None
        return results


class Collect(BaseTransform):
    """Keep ``keys`` and gather the ``meta_keys`` present into a plain ``img_metas`` dict.

    The output collates with torch's default collate: ``img`` ``(N, 3, H, W)``, ``gt_label`` ``(N,)``,
    and ``img_metas`` a dict of per-key batches.
    """

    def __init__(
        self,
        keys: Sequence[str] = ("img",),
        meta_keys: Sequence[str] = DEFAULT_META_KEYS,
    ) -> None:
        self.keys = list(keys)
        self.meta_keys = list(meta_keys)

    def __call__(self, results: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for key in self.keys:
            if key not in results:
                raise _missing("Collect", key, results)
            data[key] = results[key]
        data["img_metas"] = {key: results[key] for key in self.meta_keys if key in results}
        return data
