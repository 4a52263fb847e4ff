"""``build_dataset``: the one way a dataset is built from its config, for a split of ``data`` or nested."""

from __future__ import annotations

from typing import Any

import pytest

from clscore.data.builder import build_dataset, loader_options
from clscore.errors import ConfigError, DataError
from clscore.hookspecs import hookimpl
from clscore.testing import isolated_host, use_host


class Recorded:
    """Declares ``test_mode`` and ``classes``: the builder may fill them in."""

    def __init__(
        self, pipeline: Any = None, test_mode: bool = False, classes: Any = None, size: int = 3
    ) -> None:
        if size < 0:
            raise DataError("no images under data/missing")
        self.test_mode, self.classes, self.size = test_mode, classes or ["a", "b"], size

    def __len__(self) -> int:
        return self.size


class Plain:
    """Declares neither: passing them would be a TypeError."""

    def __init__(self, pipeline: Any = None, size: int = 3, data_prefix: str = "") -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size


class BuilderTestPlugin:
    name = "buildertest"

    @hookimpl
    def register_datasets(self, registry: Any) -> None:
        registry.add("Recorded", Recorded, summary="Test dataset that records what it was given.")
        registry.add("Plain", Plain, summary="Test dataset with no test_mode or classes.")


@pytest.fixture(autouse=True)
def host():
    with use_host(isolated_host(BuilderTestPlugin())) as h:
        yield h


def test_val_and_test_sets_get_test_mode_and_the_train_classes():
    val = build_dataset({"type": "Recorded"}, split="val", classes=["x", "y"])
    train = build_dataset({"type": "Recorded"}, split="train", classes=["x", "y"])
    assert (val.test_mode, val.classes) == (True, ["x", "y"])
    assert (train.test_mode, train.classes) == (False, ["x", "y"])
    assert build_dataset({"type": "Recorded", "test_mode": False}, split="test").test_mode is False
    assert build_dataset({"type": "Recorded", "classes": ["c"]}, split="val", classes=["x"]).classes == ["c"]


def test_a_dataset_that_does_not_declare_them_is_not_given_them():
    assert len(build_dataset({"type": "Plain"}, split="val", classes=["x", "y"])) == 3


def test_split_errors_name_the_config_key():
    with pytest.raises(ConfigError, match=r"data\.val must be a dataset config with a 'type'"):
        build_dataset(None, split="val")
    with pytest.raises(DataError, match=r"^data\.train: no images under data/missing$"):
        build_dataset({"type": "Recorded", "size": -1}, split="train")
    with pytest.raises(DataError, match=r"the val dataset \(data\.val\) is empty: root/val; check its paths"):
        build_dataset({"type": "Plain", "size": 0, "data_prefix": "root/val"}, split="val")


def test_nested_configs_are_built_and_built_datasets_pass_through():
    built = build_dataset({"type": "Plain", "size": 0})  # no split: a wrapper's inner dataset, no checks
    assert isinstance(built, Plain) and len(built) == 0
    assert build_dataset(built) is built


def test_loader_options_per_split_override_the_shared_ones():
    data = {"samples_per_gpu": 8, "val_dataloader": {"samples_per_gpu": 2}}
    assert loader_options(data, "train") == {"samples_per_gpu": 8, "workers_per_gpu": 2}
    assert loader_options(data, "val") == {"samples_per_gpu": 2, "workers_per_gpu": 2}
    with pytest.raises(ConfigError, match=r"data\.val_dataloader: unknown key"):
        loader_options({"val_dataloader": {"batch": 2}}, "val")
