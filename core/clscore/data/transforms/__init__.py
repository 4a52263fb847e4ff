"""The built-in transforms, each a callable on the sample dict (see :mod:`clscore.data`)."""

from __future__ import annotations

from clscore.data.compose import Compose
from clscore.data.transforms.augment_geometric_ops import Cutout, Rotate, Shear, Translate
from clscore.data.transforms.augment_ops import (
    AutoContrast,
    Brightness,
    ColorTransform,
    Contrast,
    Equalize,
    Invert,
    Posterize,
    Sharpness,
    Solarize,
    SolarizeAdd,
)
from clscore.data.transforms.autoaugment import AutoAugment, RandAugment
from clscore.data.transforms.colour import ColorJitter, Lighting, Normalize, RandomGrayscale
from clscore.data.transforms.erasing import RandomErasing
from clscore.data.transforms.formatting import Collect, ImageToTensor, ToTensor
from clscore.data.transforms.geometric import CenterCrop, RandomCrop, RandomFlip, RandomResizedCrop, Resize
from clscore.data.transforms.loading import LoadImageFromFile

__all__ = [
    "AutoAugment",
    "AutoContrast",
    "Brightness",
    "CenterCrop",
    "Collect",
    "ColorJitter",
    "ColorTransform",
    "Compose",
    "Contrast",
    "Cutout",
    "Equalize",
    "ImageToTensor",
    "Invert",
    "Lighting",
    "LoadImageFromFile",
    "Normalize",
    "Posterize",
    "RandAugment",
    "RandomCrop",
    "RandomErasing",
    "RandomFlip",
    "RandomGrayscale",
    "RandomResizedCrop",
    "Resize",
    "Rotate",
    "Sharpness",
    "Shear",
    "Solarize",
    "SolarizeAdd",
    "ToTensor",
    "Translate",
]
