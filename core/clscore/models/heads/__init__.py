"""Heads: ``forward(feats) -> logits``, ``loss(feats, gt_label) -> dict``, ``predict(feats) -> scores``."""

from clscore.models.heads.cls_head import ClsHead
from clscore.models.heads.linear_head import LinearClsHead
from clscore.models.heads.multi_label_head import MultiLabelClsHead, MultiLabelLinearClsHead
from clscore.models.heads.stacked_head import StackedLinearClsHead
from clscore.models.heads.vit_head import VisionTransformerClsHead

__all__ = [
    "ClsHead",
    "LinearClsHead",
    "MultiLabelClsHead",
    "MultiLabelLinearClsHead",
    "StackedLinearClsHead",
    "VisionTransformerClsHead",
]
