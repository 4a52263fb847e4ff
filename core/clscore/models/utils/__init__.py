"""Helpers shared by the model components: weight init, small layer factories, label handling."""

from clscore.models.utils.init import initialize
from clscore.models.utils.labels import is_soft_label, to_one_hot
from clscore.models.utils.layers import build_activation, build_norm1d

__all__ = ["build_activation", "build_norm1d", "initialize", "is_soft_label", "to_one_hot"]
