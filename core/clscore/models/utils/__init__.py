"""Label handling shared by losses, heads and batch augments (layers live in :mod:`clscore.layers`)."""

from clscore.models.utils.labels import is_soft_label, to_one_hot

__all__ = ["is_soft_label", "to_one_hot"]
