from __future__ import annotations

import copy

import pytest

from clscore.config import Config
from clscore.errors import ConfigError


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_base_merge_dicts_recursively_lists_replace(tmp_path):
    write(tmp_path / "_base_/model.yaml", "model: {backbone: {type: A, depth: 50}, head: {n: 1}}\n")
    write(tmp_path / "_base_/sched.yaml", "optimizer: {type: SGD, lr: 0.1}\nsteps: [1, 2, 3]\n")
    cfg_path = write(
        tmp_path / "cfg.yaml",
        "_base_: [_base_/model.yaml, _base_/sched.yaml]\nmodel: {backbone: {depth: 18}}\nsteps: [9]\n",
    )
    cfg = Config.fromfile(cfg_path)
    assert cfg.model.backbone == {"type": "A", "depth": 18}
    assert cfg.model.head.n == 1
    assert cfg.steps == [9]
    assert cfg.optimizer.lr == 0.1
    assert cfg.filename == str(cfg_path)


def test_base_single_path_and_nested_bases(tmp_path):
    write(tmp_path / "a.yaml", "x: {a: 1}\n")
    write(tmp_path / "sub/b.yaml", "_base_: ../a.yaml\nx: {b: 2}\n")
    cfg = Config.fromfile(write(tmp_path / "sub/c.yaml", "_base_: b.yaml\nx: {c: 3}\n"))
    assert cfg.x == {"a": 1, "b": 2, "c": 3}


def test_delete_replaces_instead_of_merging(tmp_path):
    write(tmp_path / "base.yaml", "optimizer: {type: SGD, lr: 0.1, momentum: 0.9}\n")
    cfg = Config.fromfile(
        write(tmp_path / "c.yaml", "_base_: base.yaml\noptimizer: {_delete_: true, type: AdamW, lr: 0.001}\n")
    )
    assert cfg.optimizer == {"type": "AdamW", "lr": 0.001}


def test_same_key_in_two_bases_is_an_error(tmp_path):
    write(tmp_path / "a.yaml", "model: {x: 1}\n")
    write(tmp_path / "b.yaml", "model: {y: 1}\n")
    with pytest.raises(ConfigError, match="'model' is defined in two _base_ files"):
        Config.fromfile(write(tmp_path / "c.yaml", "_base_: [a.yaml, b.yaml]\n"))


def test_missing_base_and_cycles(tmp_path):
    with pytest.raises(ConfigError, match=r"_base_ file 'nope\.yaml' not found"):
        Config.fromfile(write(tmp_path / "c.yaml", "_base_: nope.yaml\n"))
    write(tmp_path / "x.yaml", "_base_: y.yaml\n")
    write(tmp_path / "y.yaml", "_base_: x.yaml\n")
    with pytest.raises(ConfigError, match="cycle"):
        Config.fromfile(tmp_path / "x.yaml")


def test_missing_file():
    with pytest.raises(ConfigError, match="config file not found"):
        Config.fromfile("does/not/exist.yaml")


def test_cfg_options_paths_indices_and_yaml_values(tmp_path):
    cfg_path = write(
        tmp_path / "c.yaml",
        "data:\n  train:\n    pipeline:\n      - {type: Load}\n      - {type: Crop, size: 224}\n"
        "runner: {max_epochs: 100}\n",
    )
    cfg = Config.fromfile(
        cfg_path,
        cfg_options=[
            "data.train.pipeline.1.size=64",
            "runner.max_epochs=3",
            "optimizer.lr=1e-3",
            "lr_config.step=[1, 2]",
            "work_dir=out dir",
        ],
    )
    assert cfg.data.train.pipeline[1].size == 64
    assert cfg.runner.max_epochs == 3
    assert cfg.optimizer.lr == 1e-3
    assert cfg.lr_config.step == [1, 2]
    assert cfg.work_dir == "out dir"
    cfg2 = Config.fromfile(cfg_path, cfg_options={"data.train.pipeline.0.type": "X"})
    assert cfg2.data.train.pipeline[0].type == "X"


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("data.train.pipeline.5.size=1", "indexes a list of 2 items"),
        ("novalue", "write key.path=value"),
        ("runner.max_epochs.x=1", "is 100, not a mapping"),
    ],
)
def test_bad_cfg_options(tmp_path, option, message):
    cfg_path = write(
        tmp_path / "c.yaml", "data: {train: {pipeline: [{type: A}, {type: B}]}}\nrunner: {max_epochs: 100}\n"
    )
    with pytest.raises(ConfigError, match=message):
        Config.fromfile(cfg_path, cfg_options=[option])


def test_attribute_access_dump_and_copy():
    cfg = Config({"model": {"head": {"num_classes": 10}}, "steps": [{"a": 1}]})
    assert cfg.model.head.num_classes == 10
    assert cfg["model"]["head"]["num_classes"] == 10
    assert cfg.steps[0].a == 1
    cfg.model.head.num_classes = 5
    assert cfg.to_dict() == {"model": {"head": {"num_classes": 5}}, "steps": [{"a": 1}]}
    assert "num_classes: 5" in cfg.dump()
    clone = copy.deepcopy(cfg)
    clone.model.head.num_classes = 1
    assert cfg.model.head.num_classes == 5
    with pytest.raises(AttributeError):
        _ = cfg.nope
    assert Config.fromstring(cfg.text) == cfg
