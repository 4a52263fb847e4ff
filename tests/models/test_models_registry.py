"""The core's model components and metrics as registered through the plugin hooks."""

from __future__ import annotations

import inspect

import pytest

from clscore.plugins import get_host

OURS = {
    "model": ["ImageClassifier"],
    "backbone": ["LeNet5"],
    "neck": ["GlobalAveragePooling", "GeneralizedMeanPooling"],
    "head": [
        "ClsHead",
        "LinearClsHead",
        "StackedLinearClsHead",
        "MultiLabelClsHead",
        "MultiLabelLinearClsHead",
        "VisionTransformerClsHead",
    ],
    "loss": ["CrossEntropyLoss", "LabelSmoothLoss", "FocalLoss", "AsymmetricLoss"],
    "batch_augment": ["Mixup", "CutMix", "BatchMixup", "BatchCutMix", "Identity"],
    "metric": [
        "Accuracy",
        "Precision",
        "Recall",
        "F1Score",
        "Support",
        "ConfusionMatrix",
        "mAP",
        "CP",
        "CR",
        "CF1",
        "OP",
        "OR",
        "OF1",
    ],
}


@pytest.mark.parametrize(("kind", "name"), [(k, n) for k, names in OURS.items() for n in names])
def test_registered_with_summary_and_docstring(kind, name):
    component = get_host().registry(kind).get(f"clscore:{name}")
    assert isinstance(component.factory, str)  # lazy
    assert component.summary and component.summary.endswith(".")
    assert inspect.getdoc(component.load())


@pytest.mark.parametrize(
    ("config_name", "registered"),
    [
        ("accuracy", "Accuracy"),
        ("f1_score", "F1Score"),
        ("confusion_matrix", "ConfusionMatrix"),
        ("map", "mAP"),
    ],
)
def test_mmcls_metric_names_resolve(config_name, registered):
    assert get_host().registry("metric").get(config_name).name == registered


def test_factories_parameters_as_validation_reads_them():
    host = get_host()
    head = host.registry("head").get("LinearClsHead").signature()
    stacked = host.registry("head").get("StackedLinearClsHead").signature()
    acc, support, cp = (host.registry("metric").get(n).signature() for n in ("Accuracy", "Support", "CP"))
    assert head.names == ["num_classes", "in_channels", "loss", "topk", "cal_acc", "init_cfg"], head.names
    assert not head.get("in_channels").required and head.get("num_classes").required
    assert stacked.get("mid_channels").required
    assert acc.names == ["topk", "thrs"], acc.names
    assert support.names == ["average_mode"], support.names
    assert cp.names == ["thr", "k"], cp.names
