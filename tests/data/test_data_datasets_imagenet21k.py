"""ImageNet21k on tiny class-folder trees and annotation files written by the test."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from clscore.data.datasets.imagenet21k import ImageNet21k, PackedSamples
from clscore.errors import ComponentError, DataError
from clscore.plugins import build

LAYOUT = {
    "n00004475": ["a.JPEG", "deep/b.jpg"],
    "n00005787": ["c.png", "d.webp"],  # .webp is not an ImageNet-21k extension in MMClassification
    "n00006024": ["e.tif"],
}


@pytest.fixture
def tree(tmp_path, kit):
    root = tmp_path / "in21k"
    for seed, (cls, names) in enumerate(LAYOUT.items()):
        for i, name in enumerate(names):
            kit.write_image(root / cls / name, 8, 12, seed=seed * 10 + i)
    return root


@pytest.mark.parametrize("serialize_data", [True, False])
def test_folders_give_samples_labels_and_folder_classes(clscore_host, tree, serialize_data):
    ds = build("dataset", {"type": "ImageNet21k", "data_prefix": str(tree), "serialize_data": serialize_data})
    assert isinstance(ds, ImageNet21k) and ds.classes == list(LAYOUT)
    expected = [
        ("n00004475/a.JPEG", 0),
        ("n00004475/deep/b.jpg", 0),
        ("n00005787/c.png", 1),
        ("n00006024/e.tif", 2),
    ]
    assert list(ds.samples) == expected and len(ds) == 4
    assert isinstance(ds.samples, PackedSamples) == serialize_data
    assert ds.gt_labels.tolist() == [0, 0, 1, 2] and ds.get_cat_ids(3) == [2]
    item = ds[1]
    assert item["filename"] == str(tree / "n00004475/deep/b.jpg") and item["gt_label"] == 0
    assert isinstance(item["img_info"]["filename"], str)


def test_ann_file_and_named_classes(clscore_host, tree, tmp_path):
    ann = tmp_path / "train.txt"
    ann.write_text("n00006024/e.tif 2\nn00004475/a.JPEG 0\n")
    names = tmp_path / "classes.txt"
    names.write_text("entity\nphysical entity\nabstraction\n")
    ds = build(
        "dataset",
        {
            "type": "ImageNet21k",
            "data_prefix": str(tree),
            "ann_file": str(ann),
            "classes": str(names),
            "pipeline": [{"type": "LoadImageFromFile"}],
        },
    )
    assert ds.classes == ["entity", "physical entity", "abstraction"]
    assert ds.gt_labels.tolist() == [2, 0]
    assert ds[0]["img"].shape == (3, 8, 12) and ds[0]["gt_label"] == 2


def test_packed_samples_survive_pickling_for_workers():
    packed = PackedSamples([("x/a.jpg", 3), ("y/longer_name.png", 1)])
    assert packed.paths.dtype.kind == "U" and packed.labels.dtype == np.int64
    clone = pickle.loads(pickle.dumps(packed))
    assert list(clone) == [("x/a.jpg", 3), ("y/longer_name.png", 1)] and clone[-1] == ("y/longer_name.png", 1)
    assert clone[0:1] == [("x/a.jpg", 3)]


def test_unsupported_options_and_missing_data(clscore_host, tmp_path):
    with pytest.raises(ComponentError, match="multi_label is not supported"):
        build("dataset", {"type": "ImageNet21k", "data_prefix": str(tmp_path), "multi_label": True})
    with pytest.raises(ComponentError, match="recursion_subdir is deprecated"):
        build("dataset", {"type": "ImageNet21k", "data_prefix": str(tmp_path), "recursion_subdir": False})
    with pytest.raises(DataError, match=r"ImageNet21k: data_prefix folder not found.*not downloaded"):
        build("dataset", {"type": "ImageNet21k", "data_prefix": str(tmp_path / "missing")})
