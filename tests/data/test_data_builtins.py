"""The data area's registrations: every name, lazily, with a summary, a docstring and a signature."""

from __future__ import annotations

import pytest

from clscore.builtins.data import DATASETS, TRANSFORMS
from clscore.plugins import get_host, signature_of
from clscore.plugins._registry import resolve_target

EXPECTED_TRANSFORMS = {
    "LoadImageFromFile", "RandomResizedCrop", "Resize", "CenterCrop", "RandomCrop", "RandomFlip", "Normalize",
    "ColorJitter", "RandomGrayscale", "RandomErasing", "Lighting", "AutoAugment", "RandAugment",
    "ImageToTensor", "ToTensor", "Collect", "Compose",
}  # fmt: skip
EXPECTED_DATASETS = {
    "ImageNet", "CustomDataset", "CIFAR10", "CIFAR100", "MNIST", "FashionMNIST", "Digits",
    "RepeatDataset", "ConcatDataset", "ClassBalancedDataset",
}  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "expected"), [("transform", EXPECTED_TRANSFORMS), ("dataset", EXPECTED_DATASETS)]
)
def test_everything_is_registered_lazily_with_a_summary(kind, expected):
    components = {c.name: c for c in get_host().registry(kind).by_plugin("clscore")}
    assert expected <= set(components)
    for name in expected:
        component = components[name]
        assert isinstance(component.factory, str) and component.summary, name


@pytest.mark.parametrize("target", [t for t, _ in [*TRANSFORMS.values(), *DATASETS.values()]])
def test_factories_import_have_docstrings_and_readable_signatures(target):
    factory = resolve_target(target, what=target)
    assert factory.__doc__ and factory.__doc__.strip()
    signature = signature_of(target)
    assert signature is not None and not signature.open_kwargs and signature.names
