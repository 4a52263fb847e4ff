"""LeNet-5, small enough to train in seconds on CPU (the digits demo, the tests)."""

from __future__ import annotations

import torch
from torch import nn

from clscore.models.utils.init import InitCfg, initialize


class LeNet5(nn.Module):
    """LeNet-5 (LeCun et al., 1998) with tanh activations and average pooling.

    Returns a 1-tuple, like every backbone: the ``(N, 120, H', W')`` feature map (``1×1`` for a 32×32
    input), or with ``num_classes > 0`` the ``(N, num_classes)`` logits of its own two-layer
    classifier. ``out_channels`` lists the channels of that one output, so ``ImageClassifier`` fills in
    the head's ``in_channels``.

    Unlike MMClassification's LeNet5 (built for 1-channel MNIST), ``in_channels`` defaults to 3:
    clscore's pipelines always deliver RGB. For inputs other than 32×32, the classifier
    (``num_classes > 0``) averages the final map instead of failing on its size.
    """

    def __init__(self, num_classes: int = -1, in_channels: int = 3, init_cfg: InitCfg = None) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, kernel_size=5, stride=1),
            nn.Tanh(),
            nn.AvgPool2d(kernel_size=2),
            nn.Conv2d(6, 16, kernel_size=5, stride=1),
            nn.Tanh(),
            nn.AvgPool2d(kernel_size=2),
            nn.Conv2d(16, 120, kernel_size=5, stride=1),
            nn.Tanh(),
        )
        if num_classes > 0:
            self.classifier = nn.Sequential(nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, num_classes))
        self.out_channels = [num_classes if num_classes > 0 else 120]
        initialize(self, init_cfg)

    def forward(self, img: torch.Tensor) -> tuple[torch.Tensor]:
        if img.dim() != 4 or img.shape[-1] < 32 or img.shape[-2] < 32:
            raise ValueError(f"LeNet5 needs (N, C, H, W) images of at least 32×32, got {tuple(img.shape)}")
        x = self.features(img)
        if self.num_classes > 0:
            x = self.classifier(x.mean(dim=(2, 3)))
        return (x,)
