from __future__ import annotations

import pytest

from clscore.config import Config, dumps, loads
from clscore.errors import ConfigError


def test_exponent_numbers_are_floats():
    assert loads("lr: 1e-4\nwd: 5E-5\nx: 1.5\nn: 3\ns: '1e-4'") == {
        "lr": 1e-4,
        "wd": 5e-5,
        "x": 1.5,
        "n": 3,
        "s": "1e-4",
    }


def test_python_tags_are_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "pwned"
    text = f"model: !!python/object/apply:os.system ['touch {marker}']\n"
    with pytest.raises(ConfigError, match=r"cfg.yaml:1:8: .*python/object/apply:os.system.*refused"):
        loads(text, source="cfg.yaml")
    assert not marker.exists()


@pytest.mark.parametrize("tag", ["!!python/name:os.system", "!!python/module:os", "!custom 1"])
def test_other_tags_refused(tag):
    with pytest.raises(ConfigError):
        loads(f"a: {tag}")


def test_duplicate_keys_rejected_with_line():
    with pytest.raises(ConfigError, match=r"c.yaml:3:3: duplicate key 'lr' \(first at line 2\)"):
        loads("optimizer:\n  lr: 0.1\n  lr: 0.2\n", source="c.yaml")


def test_anchors_aliases_merge_keys_and_no_shared_objects():
    text = """
img_norm_cfg: &norm {mean: [1, 2, 3], std: [4, 5, 6], to_rgb: true}
train_pipeline: &pipe
  - {type: Normalize, <<: *norm}
data:
  train: {pipeline: *pipe}
"""
    cfg = Config.fromstring(text, cfg_options=["data.train.pipeline.0.mean=[0, 0, 0]"])
    assert cfg.data.train.pipeline[0].mean == [0, 0, 0]
    assert cfg.train_pipeline[0].mean == [1, 2, 3]
    assert cfg.img_norm_cfg.mean == [1, 2, 3]
    assert cfg.train_pipeline[0] == {"type": "Normalize", "mean": [1, 2, 3], "std": [4, 5, 6], "to_rgb": True}


def test_merge_key_can_be_overridden_by_explicit_key():
    assert loads("a: &x {k: 1, j: 2}\nb: {<<: *x, k: 3}")["b"] == {"k": 3, "j": 2}


def test_dump_round_trips():
    data = {"a": [1, 2], "b": {"c": 1e-4, "d": None, "e": "x"}}
    assert loads(dumps(data)) == data


def test_invalid_yaml_is_a_config_error():
    with pytest.raises(ConfigError, match="not valid YAML"):
        loads("a: [1, 2")
