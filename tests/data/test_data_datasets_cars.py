"""StanfordCars on a tiny copy of its on-disk layout (devkit .mat files, or text annotation files)."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from clscore.data.datasets.stanford_cars import CARS_CLASSES, StanfordCars
from clscore.errors import DataError
from clscore.plugins import build

TRAIN = [("00001.jpg", 14), ("00002.jpg", 1), ("00003.jpg", 196)]  # 1-based classes, as in the devkit
TEST = [("00001.jpg", 3), ("00002.jpg", 196)]
FIELDS = ["bbox_x1", "bbox_y1", "bbox_x2", "bbox_y2", "class", "fname"]


def mat_records(rows, fields=FIELDS):
    """What ``scipy.io.loadmat(...)["annotations"]`` returns: a (1, N) struct array of nested arrays."""
    records = np.zeros((1, len(rows)), dtype=[(f, "O") for f in fields])
    for i, (fname, cls) in enumerate(rows):
        values = {"class": np.array([[cls]], dtype=np.uint8), "fname": np.array([fname])}
        records[0, i] = tuple(values.get(f, np.array([[7]], dtype=np.uint16)) for f in fields)
    return records


@pytest.fixture
def cars(tmp_path, kit):
    root = tmp_path / "stanford_cars"
    for split, rows in (("cars_train", TRAIN), ("cars_test", TEST)):
        for seed, (name, _) in enumerate(rows):
            kit.write_image(root / split / name, 10, 14, seed=seed)
    (root / "devkit").mkdir()
    return root


@pytest.fixture
def fake_scipy(monkeypatch, cars):
    """A stand-in ``scipy.io.loadmat`` serving the devkit files by name."""
    served = {
        "cars_train_annos.mat": {"annotations": mat_records(TRAIN)},
        "cars_test_annos_withlabels.mat": {"annotations": mat_records(TEST)},
        "cars_test_annos.mat": {"annotations": mat_records(TEST, [f for f in FIELDS if f != "class"])},
    }
    for name in served:
        (cars / "devkit" / name).write_bytes(b"MATLAB 5.0 MAT-file")
    scipy = types.ModuleType("scipy")
    scipy_io = types.ModuleType("scipy.io")
    scipy_io.loadmat = lambda path: served[str(path).rsplit("/", 1)[-1]]
    scipy.io = scipy_io
    monkeypatch.setitem(sys.modules, "scipy", scipy)
    monkeypatch.setitem(sys.modules, "scipy.io", scipy_io)
    return served


def test_train_and_test_splits_from_the_devkit(clscore_host, cars, fake_scipy):
    train = build("dataset", {"type": "StanfordCars", "data_prefix": str(cars)})
    assert isinstance(train, StanfordCars) and not train.test_mode
    assert train.samples == [("00001.jpg", 13), ("00002.jpg", 0), ("00003.jpg", 195)]
    assert train.gt_labels.tolist() == [13, 0, 195]
    assert train[0]["filename"] == str(cars / "cars_train" / "00001.jpg")
    test = build(
        "dataset",
        {
            "type": "StanfordCars",
            "data_prefix": str(cars),
            "test_mode": True,
            "pipeline": [{"type": "LoadImageFromFile"}],
        },
    )
    assert test.gt_labels.tolist() == [2, 195]
    assert test[1]["filename"] == str(cars / "cars_test" / "00002.jpg") and test[1]["img"].shape == (
        3,
        10,
        14,
    )
    assert len(CARS_CLASSES) == len(set(CARS_CLASSES)) == 196 and test.classes == list(CARS_CLASSES)
    assert (
        test.classes[0] == "AM General Hummer SUV 2000"
        and test.classes[195] == "smart fortwo Convertible 2012"
    )


def test_unlabelled_test_annotations_are_refused(clscore_host, cars, fake_scipy):
    ann = str(cars / "devkit" / "cars_test_annos.mat")
    with pytest.raises(DataError, match=r"has no class labels.*cars_test_annos_withlabels\.mat"):
        build(
            "dataset", {"type": "StanfordCars", "data_prefix": str(cars), "test_mode": True, "ann_file": ann}
        )


def test_text_annotations_need_no_scipy(clscore_host, cars, monkeypatch):
    monkeypatch.setitem(sys.modules, "scipy", None)  # import scipy fails
    ann = cars / "train.txt"
    ann.write_text("00003.jpg 5\n00001.jpg 0\n")
    ds = build("dataset", {"type": "StanfordCars", "data_prefix": str(cars), "ann_file": str(ann)})
    assert ds.samples == [("00003.jpg", 5), ("00001.jpg", 0)]
    assert ds[0]["filename"] == str(cars / "cars_train" / "00003.jpg")
    (cars / "devkit" / "cars_train_annos.mat").write_bytes(b"MATLAB 5.0 MAT-file")
    with pytest.raises(DataError, match=r"needs scipy \(pip install scipy\)"):
        build("dataset", {"type": "StanfordCars", "data_prefix": str(cars)})


def test_missing_pieces_say_what_to_unpack(clscore_host, tmp_path, cars):
    with pytest.raises(DataError, match=r"annotation file not found.*car_devkit\.tgz"):
        build("dataset", {"type": "StanfordCars", "data_prefix": str(cars)})
    with pytest.raises(DataError, match=r"image folder not found.*cars_test/"):
        StanfordCars(data_prefix=str(tmp_path / "elsewhere"), test_mode=True)


def test_real_mat_files_when_scipy_is_installed(clscore_host, cars):
    scipy_io = pytest.importorskip("scipy.io")
    scipy_io.savemat(str(cars / "devkit" / "cars_train_annos.mat"), {"annotations": mat_records(TRAIN)})
    ds = build("dataset", {"type": "StanfordCars", "data_prefix": str(cars)})
    assert ds.samples == [("00001.jpg", 13), ("00002.jpg", 0), ("00003.jpg", 195)]
