"""What Mixup-style batch augments share: a Beta-distributed mixing ratio and a partner per image."""

from __future__ import annotations

import torch

from clscore.models.utils.labels import to_one_hot


def check_num_classes(num_classes: int, name: str) -> int:
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes <= 0:
        raise ValueError(f"{name} num_classes must be a positive integer, got {num_classes!r}")
    return num_classes


def check_prob(prob: float, name: str) -> float:
    if isinstance(prob, bool) or not 0 <= prob <= 1:
        raise ValueError(f"{name} prob must be in [0, 1], got {prob!r}")
    return float(prob)


class MixAugment:
    """Base for augments that mix each image with a random partner from the same batch.

    ``alpha`` parameterises ``Beta(alpha, alpha)``, from which the mixing ratio ``lam`` is drawn once
    per batch (torch's random generator, so ``seed`` makes it reproducible). ``prob`` is the chance that
    this augment is the one applied to a batch when several are configured. Labels come out as
    ``(N, num_classes)`` floats: ``lam · y + (1 - lam) · y[partner]``.
    """

    def __init__(self, alpha: float, num_classes: int, prob: float = 1.0) -> None:
        name = type(self).__name__
        if isinstance(alpha, bool) or not alpha > 0:
            raise ValueError(f"{name} alpha must be > 0, got {alpha!r}")
        self.alpha = float(alpha)
        self.num_classes = check_num_classes(num_classes, name)
        self.prob = check_prob(prob, name)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(alpha={self.alpha}, num_classes={self.num_classes}, prob={self.prob})"

    def sample_lam(self) -> float:
        alpha = torch.tensor(self.alpha)
        return float(torch.distributions.Beta(alpha, alpha).sample())

    def mix(
        self, img: torch.Tensor, gt_label: torch.Tensor, lam: float
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, float]:
        """Partners and labels for a batch: ``(img, one_hot, partner_index, lam)``, to be mixed."""
        if img.dim() != 4:
            raise ValueError(f"{type(self).__name__} expects a batch (N, C, H, W), got {tuple(img.shape)}")
        if not img.is_floating_point():
            img = img.float()
        one_hot = to_one_hot(gt_label.to(img.device), self.num_classes).to(img.dtype)
        index = torch.randperm(img.shape[0], device=img.device)
        return img, one_hot, index, lam

    @staticmethod
    def mix_labels(one_hot: torch.Tensor, index: torch.Tensor, lam: float) -> torch.Tensor:
        return lam * one_hot + (1 - lam) * one_hot[index]

    def __call__(self, img: torch.Tensor, gt_label: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        raise NotImplementedError
