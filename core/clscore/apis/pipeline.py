"""The inference pipeline: the config's test pipeline, fitted to images that come without a dataset.

Rules (so that an image gives the same prediction whether it comes from a file or from memory):

- The pipeline is ``data.test``'s (``data.val``'s when there is no test set), through dataset
  wrappers (``RepeatDataset``/``ClassBalancedDataset``: ``dataset``; ``ConcatDataset``: the first).
- A file is decoded by the pipeline's ``LoadImageFromFile`` (a default one is put in front when the
  pipeline has none: datasets like ``Digits`` never load files). In-memory images (PIL, arrays,
  tensors) skip the loader; :func:`image_to_tensor` turns them into the same RGB ``uint8 (3, H, W)``
  tensor the loader makes, honouring its ``color_type``, ``to_float32`` and ``exif_orientation``.
- When the dataset is an in-memory one (its samples arrive decoded at a fixed size, e.g. ``Digits``
  at ``img_size``), a ``Resize`` to that size follows the loading step for every input, since the
  test pipeline itself assumes that size.
- Label handling is removed: ``gt_label`` leaves the ``keys`` of ``ToTensor``/``Collect`` and a
  transform left with no keys is dropped.
"""

from __future__ import annotations

import copy
import inspect
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from PIL import Image, ImageOps

from clscore.data.compose import Compose
from clscore.data.image_io import pil_to_tensor
from clscore.errors import ConfigError, DataError

logger = logging.getLogger("clscore")

LOADER = "LoadImageFromFile"
LABEL_KEYS = ("gt_label",)


def split_dataset_cfg(
    cfg: Mapping[str, Any], splits: Sequence[str] = ("test", "val")
) -> tuple[str, dict[str, Any]]:
    """The first of ``splits`` present in ``cfg.data``, with its dataset config."""
    data = cfg.get("data") or {}
    for split in splits:
        value = data.get(split)
        if isinstance(value, Mapping):
            return split, copy.deepcopy(dict(value))
    raise ConfigError(
        f"the config has no data.{' or data.'.join(splits)} section to take the test pipeline from"
    )


def innermost_dataset(ds_cfg: Mapping[str, Any]) -> dict[str, Any]:
    """The dataset config inside wrappers (the one that carries the ``pipeline``)."""
    node: Any = ds_cfg
    for _ in range(16):
        if "pipeline" in node or not isinstance(node, Mapping):
            break
        if isinstance(node.get("dataset"), Mapping):
            node = node["dataset"]
        elif isinstance(node.get("datasets"), list | tuple) and node["datasets"]:
            node = node["datasets"][0]
        else:
            break
    return dict(node)


def type_name(transform: Mapping[str, Any]) -> str:
    """``LoadImageFromFile`` for ``type: LoadImageFromFile`` and ``type: clscore:LoadImageFromFile``."""
    return str(transform.get("type", "")).rpartition(":")[2]


def strip_labels(pipeline: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The pipeline without label handling: label keys removed, transforms left with no keys dropped."""
    out = []
    for transform in pipeline:
        step = copy.deepcopy(dict(transform))
        keys = step.get("keys")
        if isinstance(keys, list | tuple) and any(k in LABEL_KEYS for k in keys):
            kept = [k for k in keys if k not in LABEL_KEYS]
            if not kept:
                continue
            step["keys"] = kept
        out.append(step)
    return out


def memory_image_size(ds_cfg: Mapping[str, Any]) -> tuple[int, int] | None:
    """The ``(h, w)`` of the samples of an in-memory dataset (``None`` for datasets that load files).

    Taken from the dataset's ``img_size`` (configured or its default), else its ``IMG_SIZE`` class
    attribute.
    """
    from clscore.data.datasets.in_memory import InMemoryDataset
    from clscore.plugins import get_host

    name = ds_cfg.get("type")
    if not name:
        return None
    cls = get_host().registry("dataset").get(str(name)).load()
    if not (inspect.isclass(cls) and issubclass(cls, InMemoryDataset)):
        return None
    size = ds_cfg.get("img_size")
    if size is None:
        param = inspect.signature(cls).parameters.get("img_size")
        if param is not None and param.default is not inspect.Parameter.empty:
            size = param.default
    if size is None:
        size = getattr(cls, "IMG_SIZE", None)
    if size is None:
        logger.warning(
            "%s keeps its images in memory but does not say their size; images given to inference are "
            "used at their own size, which may not be what the model was trained on",
            name,
        )
        return None
    if isinstance(size, int):
        return int(size), int(size)
    h, w = size
    return int(h), int(w)


@dataclass
class LoaderSettings:
    """What the pipeline's ``LoadImageFromFile`` does to pixels, applied to in-memory images as well."""

    color_type: str = "color"
    to_float32: bool = False
    exif_orientation: bool = True

    @classmethod
    def of(cls, transform: Mapping[str, Any] | None) -> LoaderSettings:
        transform = transform or {}
        return cls(
            color_type=str(transform.get("color_type", "color")),
            to_float32=bool(transform.get("to_float32", False)),
            exif_orientation=bool(transform.get("exif_orientation", True)),
        )


class InferencePipeline:
    """Turns a path, PIL image, array or tensor into the model's input sample (see the module doc)."""

    def __init__(
        self,
        test_pipeline: Sequence[Mapping[str, Any]],
        memory_size: tuple[int, int] | None = None,
        interpolation: str = "bilinear",
    ) -> None:
        steps = strip_labels(test_pipeline)
        index = next((i for i, t in enumerate(steps) if type_name(t) == LOADER), None)
        if index is None:
            loader: dict[str, Any] = {"type": LOADER}
            before, after = [], steps
        else:
            loader = steps[index]
            before, after = steps[:index], steps[index + 1 :]
        resize = (
            [{"type": "Resize", "size": list(memory_size), "interpolation": interpolation}]
            if memory_size
            else []
        )
        self.settings = LoaderSettings.of(loader)
        self.memory_size = memory_size
        self.file_steps = [*before, loader, *resize, *after]
        self.memory_steps = [*before, *resize, *after]
        self._files = Compose(self.file_steps)
        self._memory = Compose(self.memory_steps)

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> InferencePipeline:
        _, ds_cfg = split_dataset_cfg(cfg)
        inner = innermost_dataset(ds_cfg)
        pipeline = inner.get("pipeline")
        if not isinstance(pipeline, list | tuple):
            raise ConfigError("the test dataset of the config has no pipeline list; inference needs one")
        interpolation = inner.get("interpolation")
        if interpolation not in ("nearest", "bilinear", "bicubic"):
            interpolation = "bilinear"
        return cls(pipeline, memory_image_size(inner), interpolation)

    def __call__(self, item: Any) -> dict[str, Any]:
        """The pipeline's output for one input (a dict with at least ``img``)."""
        if isinstance(item, str | os.PathLike):
            path = os.fspath(item)
            result = self._files({"img_info": {"filename": path}, "filename": path})
        else:
            img = image_to_tensor(item, self.settings)
            name = "<memory>"
            sample = {"img": img, "filename": name, "ori_filename": name}
            sample["ori_shape"] = sample["img_shape"] = (
                int(img.shape[1]),
                int(img.shape[2]),
                int(img.shape[0]),
            )
            result = self._memory(sample)
        if result is None or "img" not in result:
            raise DataError(
                "the test pipeline dropped the image or produced no 'img'; check data.test.pipeline"
            )
        return result


def image_to_tensor(image: Any, settings: LoaderSettings | None = None) -> torch.Tensor:
    """An in-memory image as the tensor ``LoadImageFromFile`` would make from the same picture.

    Accepted: PIL images; numpy ``(H, W)`` / ``(H, W, C)`` arrays (``uint8`` RGB(A), or float on the
    0-255 scale, or 0-1 when no value exceeds 1); tensors ``(C, H, W)`` with C 1, 3 or 4 (``uint8``,
    or float with the same scale rule). ``uint8`` data goes through the same PIL conversion as a
    decoded file, so a PNG and the array it was written from give identical tensors.
    """
    settings = settings or LoaderSettings()
    if isinstance(image, Image.Image):
        if settings.exif_orientation:
            image = ImageOps.exif_transpose(image)
        img = pil_to_tensor(image, color_type=settings.color_type)  # type: ignore[arg-type]
    elif isinstance(image, np.ndarray):
        img = _array_to_tensor(image, settings)
    elif isinstance(image, torch.Tensor):
        img = _tensor_to_tensor(image, settings)
    else:
        raise DataError(
            f"cannot use a {type(image).__name__} as an image: give a path, a PIL image, an (H, W, C) array "
            "or a (C, H, W) tensor"
        )
    return img.float() if settings.to_float32 else img


def _array_to_tensor(array: np.ndarray, settings: LoaderSettings) -> torch.Tensor:
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise DataError(
            f"an image array must be (H, W) or (H, W, C) with C 1, 3 or 4, got shape {array.shape}"
        )
    if array.dtype == np.uint8:
        return pil_to_tensor(Image.fromarray(np.ascontiguousarray(array)), color_type=settings.color_type)  # type: ignore[arg-type]
    chw = torch.from_numpy(np.ascontiguousarray(array))
    chw = chw.unsqueeze(0) if chw.ndim == 2 else chw.permute(2, 0, 1)
    return _tensor_to_tensor(chw, settings)


def _tensor_to_tensor(tensor: torch.Tensor, settings: LoaderSettings) -> torch.Tensor:
    tensor = tensor.detach().cpu()
    if tensor.ndim == 2:
        tensor = tensor.unsqueeze(0)
    if tensor.ndim != 3 or tensor.shape[0] not in (1, 3, 4):
        raise DataError(
            f"an image tensor must be (C, H, W) with C 1, 3 or 4, got shape {tuple(tensor.shape)}"
        )
    if tensor.dtype == torch.uint8:
        array = tensor.permute(1, 2, 0).numpy()
        return _array_to_tensor(array, settings)
    if not tensor.is_floating_point():
        raise DataError(f"an image tensor must be uint8 or floating point, got {tensor.dtype}")
    img = tensor.float()
    if img.numel() and float(img.max()) <= 1.0:
        img = img * 255.0
    if img.shape[0] == 4:
        img = img[:3] * (img[3:] / 255.0)  # composite on black, as the decoder does for alpha
    if settings.color_type == "grayscale":
        from torchvision.transforms.v2.functional import rgb_to_grayscale

        return rgb_to_grayscale(img) if img.shape[0] == 3 else img
    return img.expand(3, -1, -1).clone() if img.shape[0] == 1 else img


_SIZE_KEYS = {"Resize": "size", "CenterCrop": "crop_size", "RandomResizedCrop": "size", "RandomCrop": "size"}


def model_input_size(cfg: Mapping[str, Any]) -> tuple[int, int] | None:
    """The ``(h, w)`` the test pipeline hands the model, when the config fixes it (else ``None``).

    Follows the pipeline's resizes and crops from the in-memory dataset's size (if any); a resize
    that keeps the aspect ratio (a ``-1`` edge) makes the size unknown until a later crop.
    """
    try:
        _, ds_cfg = split_dataset_cfg(cfg, ("test", "val", "train"))
    except ConfigError:
        return None
    inner = innermost_dataset(ds_cfg)
    size = memory_image_size(inner) if inner.get("type") else None
    for transform in inner.get("pipeline") or []:
        key = _SIZE_KEYS.get(type_name(transform)) if isinstance(transform, Mapping) else None
        if key is None or transform.get(key) is None:
            continue
        value = transform[key]
        h, w = (value, value) if isinstance(value, int) else (*tuple(value), None, None)[:2]
        size = (int(h), int(w)) if isinstance(h, int) and isinstance(w, int) and h > 0 and w > 0 else None
    return size
