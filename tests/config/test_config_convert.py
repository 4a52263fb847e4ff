"""``convert``: ``.py`` configs to YAML that reads back to the same configs, ``_base_`` links kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clscore.config import Config, convert, loads
from clscore.errors import ConfigError

PYCONFIGS = Path(__file__).resolve().parent / "pyconfigs"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "configs"
    shutil.copytree(PYCONFIGS, root)
    return root


def merged(path: Path) -> dict:
    data = Config.fromfile(path).to_dict()
    data.pop("source")  # {{fileDirname}} and friends name the file they are read from
    return data


def test_folder_converts_file_by_file_and_reads_back_the_same(tree, tmp_path):
    out = tmp_path / "yaml"
    written = convert(tree, out)
    assert sorted(str(dst.relative_to(out)) for _, dst in written) == [
        "_base_/datasets/imagenet_bs32.yaml",
        "_base_/default_runtime.yaml",
        "_base_/models/resnet50.yaml",
        "_base_/schedules/sgd_step.yaml",
        "resnet50_child.yaml",
        "resnet50_mid.yaml",
    ]
    for name in ("resnet50_child", "resnet50_mid"):
        assert merged(out / f"{name}.yaml") == merged(tree / f"{name}.py")
    # not flattened: each file keeps its own keys and links to the converted bases
    mid = loads((out / "resnet50_mid.yaml").read_text())
    assert mid["_base_"] == [
        "_base_/models/resnet50.yaml",
        "_base_/datasets/imagenet_bs32.yaml",
        "_base_/default_runtime.yaml",
    ]
    assert set(mid) == {"_base_", "model", "work_dir", "source"}
    assert loads((out / "_base_/default_runtime.yaml").read_text())["_base_"] == "schedules/sgd_step.yaml"
    # a YAML base whose links still hold is copied as it is, comments included
    copied = (out / "_base_/datasets/imagenet_bs32.yaml").read_text()
    assert copied == (tree / "_base_/datasets/imagenet_bs32.yaml").read_text()


def test_child_keeps_delete_and_filled_base_refs(tree, tmp_path):
    convert(tree, tmp_path / "yaml")
    child = loads((tmp_path / "yaml" / "resnet50_child.yaml").read_text())
    assert child["optimizer"]["_delete_"] is True
    assert child["data"]["test"] == {
        "type": "ImageNet",
        "data_prefix": "data/imagenet/val",
        "ann_file": "data/imagenet/meta/val.txt",
    }
    assert "__helper" not in loads((tmp_path / "yaml" / "_base_/default_runtime.yaml").read_text())


def test_folder_in_place_and_single_files(tree, tmp_path):
    convert(tree)  # next to the sources
    assert merged(tree / "resnet50_child.yaml") == merged(tree / "resnet50_child.py")
    assert loads((tree / "resnet50_child.yaml").read_text())["_base_"] == "resnet50_mid.yaml"
    # one file elsewhere: its bases stay the .py originals, seen from the new place
    (dst,) = [d for _, d in convert(tree / "resnet50_child.py", tmp_path / "one" / "child.yaml")]
    assert loads(dst.read_text())["_base_"] == "../configs/resnet50_mid.py"
    assert merged(dst) == merged(tree / "resnet50_child.py")


def test_existing_files_are_not_overwritten_unless_asked(tree):
    target = tree / "resnet50_mid.yaml"
    target.write_text("mine: 1\n")
    with pytest.raises(ConfigError, match=r"resnet50_mid\.yaml exists; pass --overwrite"):
        convert(tree / "resnet50_mid.py")
    assert target.read_text() == "mine: 1\n"
    convert(tree / "resnet50_mid.py", overwrite=True)
    assert "_base_" in loads(target.read_text())


def test_nothing_is_written_when_one_file_fails(tree, tmp_path):
    (tree / "broken.py").write_text("import os\n")
    with pytest.raises(ConfigError, match=r"broken\.py:1:1: an import"):
        convert(tree, tmp_path / "yaml")
    assert not (tmp_path / "yaml").exists()
