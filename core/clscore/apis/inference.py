"""``Inferencer``: a trained model as a function from images to class predictions."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import torch

from clscore.apis.pipeline import InferencePipeline
from clscore.apis.trained import ConfigLike, TrainedModel, load_trained_model
from clscore.errors import ClsCoreError
from clscore.models.preprocessor import batch_preprocessor

Prediction = dict[str, Any]


class Inferencer:
    """Classify images with a trained checkpoint.

    >>> infer = Inferencer("work_dirs/resnet18_digits/latest")          # config and classes from the checkpoint
    >>> infer = Inferencer("configs/x.yaml", "epoch_3.pth", device="cuda")
    >>> infer("cat.jpg")
    {'pred_label': 3, 'pred_score': 0.97, 'pred_class': 'cat', 'topk': [...]}
    >>> infer([pil_image, hwc_uint8_array, chw_tensor], topk=3)   # a list in, a list out

    ``checkpoint`` may be a file, a work dir (its newest checkpoint) or a ``latest`` pointer. Inputs
    are paths, PIL images, numpy ``(H, W, C)`` RGB arrays and ``(C, H, W)`` tensors (``uint8``, or
    float on the 0-255 scale; float data whose values are all at most 1 is taken as 0-1); a 4-d
    tensor is a batch. The image goes through the config's test pipeline (see
    :mod:`clscore.apis.pipeline`). Each prediction has ``pred_label``, ``pred_score``,
    ``pred_class`` and ``topk``: the ``topk`` best ``{"label", "class", "score"}``, best first.
    """

    def __init__(
        self,
        config_or_ckpt: ConfigLike,
        checkpoint: str | os.PathLike[str] | None = None,
        device: str | torch.device = "cpu",
        *,
        topk: int = 1,
        batch_size: int = 16,
        cfg_options: Iterable[str] = (),
    ) -> None:
        if checkpoint is None:
            if not isinstance(config_or_ckpt, str | os.PathLike):
                raise ClsCoreError("Inferencer(config, checkpoint): a config needs the checkpoint as well")
            config, checkpoint = None, config_or_ckpt
        else:
            config = config_or_ckpt
        self.trained: TrainedModel = load_trained_model(
            checkpoint, config, device=device, cfg_options=cfg_options
        )
        self.pipeline = InferencePipeline.from_config(self.trained.cfg)
        # a pipeline's Normalize stays in it here; a model's own data_preprocessor runs on each batch
        self.batch_input = batch_preprocessor(self.model, None, device=self.device)
        self.topk = _positive("topk", topk)
        self.batch_size = _positive("batch_size", batch_size)

    @property
    def model(self) -> torch.nn.Module:
        return self.trained.model

    @property
    def classes(self) -> list[str]:
        return self.trained.classes

    @property
    def device(self) -> torch.device:
        return self.trained.device

    def __call__(self, inputs: Any, topk: int | None = None, batch_size: int | None = None) -> Any:
        """One prediction for one input, a list of predictions for a list (or a 4-d tensor)."""
        single = not isinstance(inputs, list | tuple) and not (
            isinstance(inputs, torch.Tensor) and inputs.ndim == 4
        )
        items = [inputs] if single else list(inputs)
        results = list(self.iter_predictions(items, topk=topk, batch_size=batch_size))
        return results[0] if single else results

    def iter_predictions(
        self, items: Sequence[Any], topk: int | None = None, batch_size: int | None = None
    ) -> Iterator[Prediction]:
        """Predictions for ``items`` in order, computed ``batch_size`` inputs at a time."""
        k = _positive("topk", topk if topk is not None else self.topk)
        size = _positive("batch_size", batch_size if batch_size is not None else self.batch_size)
        for start in range(0, len(items), size):
            imgs = [self.preprocess(item) for item in items[start : start + size]]
            yield from (self.describe(row, k) for row in self.scores(imgs))

    def preprocess(self, item: Any) -> torch.Tensor:
        """The model input for one image: the test pipeline's ``img`` as float ``(C, H, W)``."""
        img = self.pipeline(item)["img"]
        if not isinstance(img, torch.Tensor):
            raise ClsCoreError(f"the test pipeline must end with a tensor 'img', got {type(img).__name__}")
        return img.float()

    @torch.inference_mode()
    def scores(self, imgs: Sequence[torch.Tensor]) -> torch.Tensor:
        """Class scores ``(N, num_classes)`` for preprocessed images (images of one size share a batch)."""
        out: list[torch.Tensor | None] = [None] * len(imgs)
        groups: dict[tuple[int, ...], list[int]] = {}
        for index, img in enumerate(imgs):
            groups.setdefault(tuple(img.shape), []).append(index)
        for indices in groups.values():
            batch = self.batch_input(torch.stack([imgs[i] for i in indices]).to(self.device))
            scores: torch.Tensor = self.model.predict(batch)  # type: ignore[operator]
            for i, row in zip(indices, scores.float().cpu()):
                out[i] = row
        return torch.stack([row for row in out if row is not None])

    def describe(self, scores: torch.Tensor, k: int) -> Prediction:
        values, labels = scores.topk(min(k, scores.numel()))
        top = [
            {"label": int(label), "class": self.class_name(int(label)), "score": float(value)}
            for value, label in zip(values, labels)
        ]
        return {
            "pred_label": top[0]["label"],
            "pred_score": top[0]["score"],
            "pred_class": top[0]["class"],
            "topk": top,
        }

    def class_name(self, label: int) -> str:
        return self.classes[label] if 0 <= label < len(self.classes) else str(label)


def _positive(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ClsCoreError(f"{name} must be a positive integer, got {value!r}")
    return value
