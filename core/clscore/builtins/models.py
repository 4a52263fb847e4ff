"""The core's model components: classifier, backbone, necks, heads, losses, batch augments.

Registered as lazy ``"module:attr"`` strings: loading the built-ins imports no torch.
"""

from __future__ import annotations

from clscore.hookspecs import hookimpl

_M = "clscore.models"


def _add_all(registry, entries: list[tuple[str, str, str]]) -> None:
    for name, target, summary in entries:
        registry.add(name, f"{_M}.{target}", summary=summary)


@hookimpl
def register_models(registry):
    _add_all(
        registry,
        [
            (
                "ImageClassifier",
                "classifier:ImageClassifier",
                "Backbone, optional neck and head; batch augments from train_cfg, weights from init_cfg.",
            ),
        ],
    )


@hookimpl
def register_backbones(registry):
    _add_all(
        registry,
        [
            (
                "LeNet5",
                "backbones.lenet:LeNet5",
                "LeNet-5 (tanh, average pooling, 1 input channel as in MMClassification) for tiny images.",
            ),
        ],
    )


@hookimpl
def register_necks(registry):
    _add_all(
        registry,
        [
            (
                "GlobalAveragePooling",
                "necks.gap:GlobalAveragePooling",
                "Global average pooling of each feature map to (N, C); dim 1, 2 or 3.",
            ),
            (
                "GeneralizedMeanPooling",
                "necks.gem:GeneralizedMeanPooling",
                "Generalized-mean (GeM) pooling with a learnable power p, to (N, C).",
            ),
        ],
    )


@hookimpl
def register_heads(registry):
    _add_all(
        registry,
        [
            (
                "ClsHead",
                "heads.cls_head:ClsHead",
                "Head without layers: the features are the logits; softmax.",
            ),
            (
                "LinearClsHead",
                "heads.linear_head:LinearClsHead",
                "One linear layer (fc) on pooled features; softmax scores.",
            ),
            (
                "StackedLinearClsHead",
                "heads.stacked_head:StackedLinearClsHead",
                "An MLP head: hidden linear blocks (norm, activation, dropout), then a linear classifier.",
            ),
            (
                "MultiLabelClsHead",
                "heads.multi_label_head:MultiLabelClsHead",
                "Multi-label head without layers; sigmoid scores, binary cross-entropy.",
            ),
            (
                "MultiLabelLinearClsHead",
                "heads.multi_label_head:MultiLabelLinearClsHead",
                "Multi-label linear head; sigmoid scores, binary cross-entropy.",
            ),
            (
                "VisionTransformerClsHead",
                "heads.vit_head:VisionTransformerClsHead",
                "ViT head on the class token, with an optional tanh pre-logits layer.",
            ),
        ],
    )


@hookimpl
def register_losses(registry):
    _add_all(
        registry,
        [
            (
                "CrossEntropyLoss",
                "losses.cross_entropy:CrossEntropyLoss",
                "Softmax or sigmoid cross-entropy; class/pos weights; soft labels from Mixup/CutMix.",
            ),
            (
                "LabelSmoothLoss",
                "losses.label_smooth:LabelSmoothLoss",
                "Cross-entropy with label smoothing: original, classy_vision or multi_label mode.",
            ),
            (
                "FocalLoss",
                "losses.focal:FocalLoss",
                "Sigmoid focal loss, focusing training on hard examples.",
            ),
            (
                "AsymmetricLoss",
                "losses.asymmetric:AsymmetricLoss",
                "Asymmetric loss for multi-label data: separate focusing of positives and negatives.",
            ),
            (
                "SeesawLoss",
                "losses.seesaw:SeesawLoss",
                "Seesaw loss for long-tailed data: mitigation by class counts, compensation by scores.",
            ),
        ],
    )


@hookimpl
def register_batch_augments(registry):
    mixup = "Mixup: blend each image and its label with a random partner from the batch."
    cutmix = "CutMix: paste a box from a partner image; labels mixed by the box's area."
    _add_all(
        registry,
        [
            ("Mixup", "augments.mixup:Mixup", mixup),
            ("CutMix", "augments.cutmix:CutMix", cutmix),
            (
                "BatchMixup",
                "augments.mixup:Mixup",
                f"Alias of Mixup (MMClassification's older name). {mixup}",
            ),
            (
                "BatchCutMix",
                "augments.cutmix:CutMix",
                f"Alias of CutMix (MMClassification's older name). {cutmix}",
            ),
            (
                "Identity",
                "augments.identity:Identity",
                "No change to the images; labels made one-hot (the 'no augment' choice).",
            ),
        ],
    )
