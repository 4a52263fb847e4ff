"""LeNet-5, small enough to train in seconds on CPU (the digits demo, the tests)."""

from __future__ import annotations

import torch
from torch import nn

from clscore.layers import InitCfg, initialize

#: RGB weights of the luma (ITU-R BT.601), which a 1-channel LeNet5 reads from an RGB image.
_LUMA = (0.299, 0.587, 0.114)


class LeNet5(nn.Module):
    """LeNet-5 (LeCun et al., 1998) with tanh activations and average pooling.

    Returns a 1-tuple, like every backbone: the ``(N, 120, H', W')`` feature map (``1×1`` for a 32×32
    input), or with ``num_classes > 0`` the ``(N, num_classes)`` logits of its own two-layer
    classifier. ``out_channels`` lists the channels of that one output, so ``ImageClassifier`` fills in
    the head's ``in_channels``.

    ``in_channels`` defaults to 1, as in MMClassification (MNIST), so its checkpoints load. clscore's
    pipelines deliver RGB, grey images with the grey value in every channel; a 1-channel LeNet5
    reads a 3-channel image as its luma (ITU-R 601, as ``RandomGrayscale``), which for such an image
    is the grey value itself. Set ``in_channels: 3`` to learn from colour. For inputs other than
    32×32, the classifier (``num_classes > 0``) averages the final map instead of failing on its size.
    """

    def __init__(self, num_classes: int = -1, in_channels: int = 1, init_cfg: InitCfg = None) -> None:
        super().__init__()
        self.in_channels = in_channels
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
        if img.shape[1] != self.in_channels:
            if not (self.in_channels == 1 and img.shape[1] == 3):
                raise ValueError(
                    f"LeNet5 was built for {self.in_channels}-channel images but got {img.shape[1]} "
                    f"channels; set model.backbone.in_channels: {img.shape[1]}"
                )
            img = (img * img.new_tensor(_LUMA).view(1, 3, 1, 1)).sum(dim=1, keepdim=True)
        x = self.features(img)
        if self.num_classes > 0:
            x = self.classifier(x.mean(dim=(2, 3)))
        return (x,)
