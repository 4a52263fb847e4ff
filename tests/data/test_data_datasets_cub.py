"""CUB-200-2011 on a tiny copy of its on-disk layout written by the test."""

from __future__ import annotations

import numpy as np
import pytest

from clscore.data.datasets.cub import CUB, CUB_CLASSES
from clscore.errors import DataError
from clscore.plugins import build

# (image id, path, 1-based class, is_training_image); ids deliberately not in file order in one file.
IMAGES = [
    (1, "001.Black_footed_Albatross/a1.jpg", 1, 1),
    (2, "001.Black_footed_Albatross/a2.jpg", 1, 0),
    (3, "002.Laysan_Albatross/b1.jpg", 2, 1),
    (4, "200.Common_Yellowthroat/c1.jpg", 200, 0),
    (5, "200.Common_Yellowthroat/c2.jpg", 200, 1),
]


@pytest.fixture
def cub(tmp_path, kit):
    root = tmp_path / "CUB_200_2011"
    for seed, (_, path, _, _) in enumerate(IMAGES):
        kit.write_image(root / "images" / path, 12, 16, seed=seed)
    (root / "images.txt").write_text("".join(f"{i} {p}\n" for i, p, _, _ in IMAGES))
    (root / "image_class_labels.txt").write_text("".join(f"{i} {c}\n" for i, _, c, _ in reversed(IMAGES)))
    (root / "train_test_split.txt").write_text("".join(f"{i} {s}\n" for i, _, _, s in IMAGES) + "\n")
    return root


def cfg(root, **extra):
    return {
        "type": "CUB",
        "ann_file": str(root / "images.txt"),
        "image_class_labels_file": str(root / "image_class_labels.txt"),
        "train_test_split_file": str(root / "train_test_split.txt"),
        "data_prefix": str(root / "images"),
        **extra,
    }


def test_train_split_samples_labels_and_classes(clscore_host, cub):
    ds = build("dataset", cfg(cub))
    assert isinstance(ds, CUB) and len(ds) == 3
    assert [p for p, _ in ds.samples] == [IMAGES[0][1], IMAGES[2][1], IMAGES[4][1]]
    assert ds.gt_labels.tolist() == [0, 1, 199]
    assert len(ds.classes) == 200 and list(CUB_CLASSES) == ds.CLASSES
    assert ds.classes[0] == "Black_footed_Albatross" and ds.classes[199] == "Common_Yellowthroat"
    assert len(set(CUB_CLASSES)) == 200
    sample = ds[1]
    assert sample["filename"] == str(cub / "images" / IMAGES[2][1]) and sample["gt_label"] == 1
    assert isinstance(sample["gt_label"], np.int64)


def test_test_mode_selects_the_test_images_and_loads_them(clscore_host, cub):
    pipeline = [{"type": "LoadImageFromFile"}]
    ds = build("dataset", cfg(cub, test_mode=True, pipeline=pipeline))
    assert [p for p, _ in ds.samples] == [IMAGES[1][1], IMAGES[3][1]]
    assert ds.gt_labels.tolist() == [0, 199]
    assert ds[1]["img"].shape == (3, 12, 16)


def test_user_classes_override(clscore_host, cub):
    names = [f"bird{i}" for i in range(200)]
    assert build("dataset", cfg(cub, classes=names)).classes == names
    with pytest.raises(DataError, match=r"labels range over 0\.\.199 but there are 2 classes"):
        build("dataset", cfg(cub, classes=["a", "b"]))


def test_missing_and_broken_files_are_named(clscore_host, cub):
    (cub / "train_test_split.txt").unlink()
    with pytest.raises(DataError, match=r"train_test_split\.txt not found.*train_test_split_file"):
        build("dataset", cfg(cub))
    (cub / "train_test_split.txt").write_text("1 1\n2 0\n3 1\n4 0\n")
    with pytest.raises(DataError, match=r"image id 5 .*missing from .*train_test_split\.txt"):
        build("dataset", cfg(cub))
    (cub / "train_test_split.txt").write_text("1 1\n2 0\n3 1\n4 0\n5 yes\n")
    with pytest.raises(DataError, match="split 'yes'"):
        build("dataset", cfg(cub))


def test_direct_construction_raises_data_error(cub):
    with pytest.raises(DataError, match="data_prefix folder not found"):
        CUB(
            ann_file=str(cub / "images.txt"),
            image_class_labels_file=str(cub / "image_class_labels.txt"),
            train_test_split_file=str(cub / "train_test_split.txt"),
            data_prefix=str(cub / "nope"),
        )
