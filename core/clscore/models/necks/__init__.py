"""Necks: pooling of the backbone's feature maps into one vector per image."""

from clscore.models.necks.gap import GlobalAveragePooling
from clscore.models.necks.gem import GeneralizedMeanPooling

__all__ = ["GeneralizedMeanPooling", "GlobalAveragePooling"]
