"""The base single-label head: no layers of its own, a loss, softmax scores."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from clscore.layers import InitCfg, initialize
from clscore.models.utils.labels import is_soft_label

Feats = torch.Tensor | Sequence[torch.Tensor]


def build_loss(loss: Mapping[str, Any] | nn.Module) -> nn.Module:
    """A loss module from its config (``{type: CrossEntropyLoss, ...}``) or as given."""
    if isinstance(loss, nn.Module):
        return loss
    from clscore.plugins import build

    return build("loss", loss)


def last_feature(feats: Feats) -> torch.Tensor:
    """The last stage's output when a backbone/neck gives a tuple, else ``feats`` itself."""
    if isinstance(feats, list | tuple):
        if not feats:
            raise ValueError("the head received an empty tuple of features")
        return feats[-1]
    return feats


class ClsHead(nn.Module):
    """Single-label head without layers: the features *are* the logits.

    ``loss(feats, gt_label, **kwargs)`` returns ``{"loss": ...}``; it calls the loss with
    ``avg_factor`` = batch size and passes ``kwargs`` on (e.g. a per-sample ``weight``). With
    ``cal_acc=True`` it adds the training accuracy as ``accuracy_top-k`` for each ``topk`` (``k`` above
    the number of classes is clipped); that needs hard labels, so it cannot be combined with
    Mixup/CutMix. ``topk`` matters only for ``cal_acc``; validation top-k comes from ``evaluation``.
    ``predict`` returns softmax probabilities.
    """

    #: Whether scores are independent per class (sigmoid) rather than a distribution (softmax).
    multi_label = False

    def __init__(
        self,
        loss: Mapping[str, Any] | nn.Module = {"type": "CrossEntropyLoss", "loss_weight": 1.0},  # noqa: B006
        topk: int | Sequence[int] = (1,),
        cal_acc: bool = False,
        init_cfg: InitCfg = None,
    ) -> None:
        super().__init__()
        topk = (topk,) if isinstance(topk, int) else tuple(topk)
        if not topk or any(not isinstance(k, int) or k <= 0 for k in topk):
            raise ValueError(f"topk must be positive integers, got {topk!r}")
        self.topk = topk
        self.cal_acc = cal_acc
        self.init_cfg = init_cfg
        self.loss_module = build_loss(loss)

    @property
    def num_classes(self) -> int | None:
        """The number of classes when the head knows it (heads with a classifier layer)."""
        return getattr(self, "_num_classes", None)

    def init_weights(self) -> None:
        """Apply ``init_cfg``; heads with layers call this at the end of ``__init__``."""
        initialize(self, self.init_cfg)

    def pre_logits(self, feats: Feats) -> torch.Tensor:
        """The features right before the final classifier layer."""
        return last_feature(feats)

    def classify(self, x: torch.Tensor) -> torch.Tensor:
        """The final classifier layer (none here)."""
        return x

    def forward(self, feats: Feats) -> torch.Tensor:
        return self.classify(self.pre_logits(feats))

    def activate(self, cls_score: torch.Tensor) -> torch.Tensor:
        return F.softmax(cls_score, dim=1)

    def predict(self, feats: Feats) -> torch.Tensor:
        """Class probabilities ``(N, num_classes)``."""
        return self.activate(self(feats))

    def prepare_label(self, gt_label: torch.Tensor, cls_score: torch.Tensor) -> torch.Tensor:
        return gt_label

    def loss(self, feats: Feats, gt_label: torch.Tensor, **kwargs: Any) -> dict[str, torch.Tensor]:
        cls_score = self(feats)
        label = self.prepare_label(gt_label, cls_score)
        losses = {"loss": self.loss_module(cls_score, label, avg_factor=cls_score.shape[0], **kwargs)}
        if self.cal_acc:
            losses.update(self._training_accuracy(cls_score, label))
        return losses

    def _training_accuracy(self, cls_score: torch.Tensor, label: torch.Tensor) -> dict[str, torch.Tensor]:
        from clscore.metrics.accuracy import topk_accuracy

        if is_soft_label(label, cls_score):
            raise ValueError(
                "cal_acc needs hard labels but got soft ones from a batch augmentation (Mixup/CutMix); "
                "set head.cal_acc to false or remove model.train_cfg.augments"
            )
        with torch.no_grad():
            values = topk_accuracy(cls_score.detach(), label.reshape(-1), self.topk)
        return {f"accuracy_top-{k}": v for k, v in zip(self.topk, values)}
