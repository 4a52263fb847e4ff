"""The image classifier: backbone → neck → head."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import torch
from torch import nn

from clscore.errors import ConfigError
from clscore.layers import InitCfg, initialize
from clscore.models.augments.batch_augments import BatchAugments
from clscore.models.builder import build_part
from clscore.models.preprocessor import build_data_preprocessor
from clscore.plugins import get_host

Part = Mapping[str, Any] | nn.Module
STAGES = ("backbone", "neck", "pre_logits")


class ImageClassifier(nn.Module):
    """Backbone → optional neck → head, configured like MMClassification's ``ImageClassifier``.

    ``backbone``, ``neck`` and ``head`` are component configs (``{type: ..., ...}``) or built modules.
    When the head config has no ``in_channels`` but takes one, it is filled in from the backbone's
    ``out_channels`` (its last entry; necks keep channels). ``train_cfg.augments`` lists batch augments
    (``Mixup``, ``CutMix``, …) applied in :meth:`loss`, each chosen with its ``prob``; the head's loss
    then sees soft labels. ``init_cfg`` is applied last: e.g. ``{type: Pretrained, checkpoint: PATH}``
    loads weights (``prefix`` selects and strips ``prefix.`` keys). ``pretrained: PATH`` is the old
    MMClassification spelling of the same.

    ``data_preprocessor: {mean, std, to_rgb}`` (MMPretrain's key) says that the engine normalises whole
    batches on the device, so the pipelines end without ``Normalize``; as in MMPretrain, ``forward``,
    ``loss`` and ``predict`` take the normalised batch (``model.data_preprocessor(uint8_batch)``).
    """

    def __init__(
        self,
        backbone: Part,
        neck: Part | None = None,
        head: Part | None = None,
        pretrained: str | None = None,
        train_cfg: Mapping[str, Any] | None = None,
        init_cfg: InitCfg = None,
        data_preprocessor: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        if pretrained is not None:
            warnings.warn(
                "model.pretrained is deprecated; use model.init_cfg: {type: Pretrained, checkpoint: ...}",
                DeprecationWarning,
                stacklevel=2,
            )
            init_cfg = {"type": "Pretrained", "checkpoint": pretrained}
        self.backbone = build_part("backbone", backbone, "model.backbone")
        self.neck = None if neck is None else build_part("neck", neck, "model.neck")
        self.head = None if head is None else build_part("head", self._with_in_channels(head), "model.head")
        self.train_cfg = dict(train_cfg or {})
        self.augments = self._build_augments(self.train_cfg)
        self.data_preprocessor = build_data_preprocessor(data_preprocessor)
        self.init_cfg = init_cfg
        self.init_weights()

    # -- construction ---------------------------------------------------------------------------
    def _with_in_channels(self, head: Part) -> Part:
        if not isinstance(head, Mapping) or head.get("in_channels") is not None or "type" not in head:
            return head
        out_channels = getattr(self.backbone, "out_channels", None)
        if not out_channels:
            return head
        last = out_channels[-1] if isinstance(out_channels, Sequence) else out_channels
        try:
            if not get_host().registry("head").get(head["type"]).declares("in_channels"):
                return head
        except ConfigError:
            return head  # an unknown head type: building it reports the mistake with its key path
        return {**head, "in_channels": int(last)}

    def _build_augments(self, train_cfg: dict[str, Any]) -> BatchAugments | None:
        unknown = sorted(set(train_cfg) - {"augments"})
        if unknown:
            raise ConfigError(
                f"model.train_cfg: unknown key(s) {', '.join(unknown)}; the known key is 'augments'"
            )
        cfg = train_cfg.get("augments")
        if not cfg:
            return None
        try:
            augments = BatchAugments(cfg)
        except ConfigError as exc:
            raise type(exc)([f"model.train_cfg.augments: {p}" for p in exc.problems]) from exc
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"model.train_cfg.augments: {exc}") from exc
        head_classes = self.num_classes
        if head_classes is not None and augments.num_classes not in (None, head_classes):
            raise ConfigError(
                f"model.train_cfg.augments: num_classes={augments.num_classes} but the head has "
                f"{head_classes} classes; make them equal"
            )
        if getattr(self.head, "cal_acc", False):
            raise ConfigError(
                "model.head.cal_acc cannot be combined with model.train_cfg.augments: batch augments make "
                "soft labels, on which training accuracy is undefined; set cal_acc to false"
            )
        return augments

    def init_weights(self) -> None:
        """Apply ``init_cfg`` (the parts have already initialised themselves)."""
        initialize(self, self.init_cfg)

    # -- properties -----------------------------------------------------------------------------
    @property
    def num_classes(self) -> int | None:
        """The head's number of classes, or ``None`` when the head does not say."""
        return getattr(self.head, "num_classes", None)

    @property
    def multi_label(self) -> bool:
        """Whether scores are per-class sigmoids (multi-label head) rather than a softmax."""
        return bool(getattr(self.head, "multi_label", False))

    # -- computation ----------------------------------------------------------------------------
    def extract_feat(
        self, img: torch.Tensor, stage: Literal["backbone", "neck", "pre_logits"] = "neck"
    ) -> Any:
        """Features at ``stage``: the backbone's tuple, the neck's output, or the head's pre-logits."""
        if stage not in STAGES:
            raise ValueError(f"stage must be one of {', '.join(STAGES)}, got {stage!r}")
        x = self.backbone(img)
        if stage == "backbone":
            return x
        if self.neck is not None:
            x = self.neck(x)
        if stage == "neck":
            return x
        return self._need_head("pre_logits").pre_logits(x)

    def _need_head(self, what: str) -> nn.Module:
        if self.head is None:
            raise ValueError(f"this model has no head, so it cannot compute {what}; add model.head")
        return self.head

    def forward(self, img: torch.Tensor) -> Any:
        """Logits ``(N, num_classes)``; a model without head returns its neck's features."""
        feats = self.extract_feat(img)
        return feats if self.head is None else self.head(feats)

    def loss(self, img: torch.Tensor, gt_label: torch.Tensor, **kwargs: Any) -> dict[str, torch.Tensor]:
        """The head's losses, ``{"loss": ..., ...}``, after the batch augments (training only)."""
        head = self._need_head("a loss")
        if self.augments is not None:
            img, gt_label = self.augments(img, gt_label)
        return head.loss(self.extract_feat(img), gt_label, **kwargs)

    def predict(self, img: torch.Tensor) -> torch.Tensor:
        """Scores ``(N, num_classes)``: softmax probabilities, or sigmoids for multi-label heads."""
        return self._need_head("predictions").predict(self.extract_feat(img))
