"""CustomDataset and ImageNet on folders and annotation files the tests write."""

from __future__ import annotations

import numpy as np
import pytest

from clscore.data.datasets.folder import CustomDataset, ImageNet
from clscore.errors import ComponentError, DataError
from clscore.plugins import build

LAYOUT = {"cat": ["a.jpg", "b.PNG", "sub/c.jpeg"], "dog": ["d.jpg", "notes.txt"], ".hidden": ["x.jpg"]}


@pytest.fixture
def tree(tmp_path, kit):
    root = tmp_path / "train"
    for cls, names in LAYOUT.items():
        for name in names:
            if name.endswith(".txt"):
                (root / cls).mkdir(parents=True, exist_ok=True)
                (root / cls / name).write_text("not an image")
            else:
                kit.write_image(root / cls / name, 20, 30)
    return root


def test_folder_layout_classes_labels_and_samples(tree):
    ds = CustomDataset(data_prefix=str(tree))
    assert ds.classes == ds.CLASSES == ["cat", "dog"]
    assert [name for name, _ in ds.samples] == ["cat/a.jpg", "cat/b.PNG", "cat/sub/c.jpeg", "dog/d.jpg"]
    assert ds.gt_labels.dtype == np.int64 and ds.gt_labels.tolist() == [0, 0, 0, 1]
    assert len(ds) == 4 and ds.class_to_idx == {"cat": 0, "dog": 1} and ds.get_cat_ids(3) == [1]
    sample = ds[2]  # no pipeline: the sample as LoadImageFromFile expects it
    assert sample == {
        "img_prefix": str(tree),
        "img_info": {"filename": "cat/sub/c.jpeg"},
        "filename": str(tree / "cat/sub/c.jpeg"),
        "gt_label": 0,
    }
    assert isinstance(sample["gt_label"], np.int64)


def test_pipeline_runs_per_item(tree):
    ds = CustomDataset(
        data_prefix=str(tree), pipeline=[{"type": "LoadImageFromFile"}, {"type": "Resize", "size": 8}]
    )
    assert ds[0]["img"].shape == (3, 8, 8) and ds[0]["ori_shape"] == (20, 30, 3)


def test_extensions_are_configurable_and_case_insensitive(tree):
    assert len(CustomDataset(data_prefix=str(tree), extensions=["JPG"])) == 2
    assert len(CustomDataset(data_prefix=str(tree), extensions=[".png", "jpeg"])) == 2


def test_classes_from_list_file_and_renaming(tree, tmp_path):
    ds = CustomDataset(data_prefix=str(tree), classes=["bird", "dog", "cat"])
    assert ds.classes == ["bird", "dog", "cat"] and ds.gt_labels.tolist() == [2, 2, 2, 1]
    names = tmp_path / "classes.txt"
    names.write_text("Felis catus\n\nCanis familiaris\n")
    ds = CustomDataset(data_prefix=str(tree), classes=str(names))  # no folder named: renamed in order
    assert ds.classes == ["Felis catus", "Canis familiaris"] and ds.gt_labels.tolist() == [0, 0, 0, 1]
    with pytest.raises(DataError, match=r"folders \['dog'\].*not in 'classes'"):
        CustomDataset(data_prefix=str(tree), classes=["cat", "bird"])
    with pytest.raises(DataError, match="classes file not found"):
        CustomDataset(data_prefix=str(tree), classes=str(tmp_path / "none.txt"))


def test_ann_file_lines_relative_to_data_prefix(tree, tmp_path):
    ann = tmp_path / "val.txt"
    ann.write_text("cat/a.jpg 0\n\ndog/d.jpg 1\ncat/b.PNG 2\n")
    ds = CustomDataset(data_prefix=str(tree), ann_file=str(ann))
    assert ds.classes == ["0", "1", "2"] and ds.gt_labels.tolist() == [0, 1, 2]
    ds = CustomDataset(
        data_prefix=str(tree),
        ann_file=str(ann),
        classes=["a", "b", "c"],
        pipeline=[{"type": "LoadImageFromFile"}],
    )
    assert ds[1]["filename"] == str(tree / "dog/d.jpg") and ds[1]["img"].shape == (3, 20, 30)
    with pytest.raises(DataError, match=r"labels range over 0\.\.2 but there are 2 classes"):
        CustomDataset(data_prefix=str(tree), ann_file=str(ann), classes=["a", "b"])


def test_bad_ann_file_lines_name_the_line(tmp_path):
    ann = tmp_path / "bad.txt"
    ann.write_text("a.jpg 0\nb.jpg\n")
    with pytest.raises(DataError, match=r"bad\.txt:2: expected 'relative/path label'"):
        CustomDataset(ann_file=str(ann))


def test_missing_and_empty_data_are_clear_errors(tmp_path):
    with pytest.raises(DataError, match=r"data_prefix folder not found: .*nowhere.*image-net\.org"):
        ImageNet(data_prefix=str(tmp_path / "nowhere"))
    with pytest.raises(DataError, match=r"annotation file not found: .*val\.txt"):
        ImageNet(data_prefix=str(tmp_path), ann_file=str(tmp_path / "meta" / "val.txt"))
    with pytest.raises(DataError, match="no class folders"):
        CustomDataset(data_prefix=str(tmp_path))
    (tmp_path / "empty_class").mkdir()
    (tmp_path / "empty_class" / "readme.txt").write_text("x")
    with pytest.raises(
        DataError, match=r"no images with extensions \.jpg \.jpeg .*\.webp in the class folders of"
    ):
        CustomDataset(data_prefix=str(tmp_path))
    with pytest.raises(DataError, match="needs data_prefix"):
        CustomDataset()


def test_imagenet_val_layout_and_default_names(tmp_path, kit):
    root = tmp_path / "imagenet"
    kit.write_image(root / "val" / "ILSVRC2012_val_00000001.JPEG", 12, 16)
    kit.write_image(root / "val" / "ILSVRC2012_val_00000002.JPEG", 12, 16)
    (root / "meta").mkdir()
    (root / "meta" / "val.txt").write_text(
        "ILSVRC2012_val_00000001.JPEG 65\nILSVRC2012_val_00000002.JPEG 970\n"
    )
    ds = build(
        "dataset",
        {
            "type": "ImageNet",
            "data_prefix": str(root / "val"),
            "ann_file": str(root / "meta" / "val.txt"),
            "pipeline": [{"type": "LoadImageFromFile"}],
            "test_mode": True,
        },
    )
    assert len(ds.classes) == 1000 and ds.classes[0] == "tench" and ds.classes[65] == "sea snake"
    assert ds.gt_labels.tolist() == [65, 970] and ds[1]["img"].shape == (3, 12, 16)


def test_imagenet_subset_keeps_folder_names(tmp_path, kit):
    root = kit.make_tree(tmp_path / "train", {"n01440764": ["a.JPEG"], "n01443537": ["b.JPEG"]})
    assert ImageNet(data_prefix=str(root)).classes == ["n01440764", "n01443537"]


def test_config_mistakes_become_component_errors(tree):
    with pytest.raises(ComponentError, match="extensions"):
        build("dataset", {"type": "CustomDataset", "data_prefix": str(tree), "extensions": []})
