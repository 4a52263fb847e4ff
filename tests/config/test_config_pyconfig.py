"""MMClassification ``.py`` configs read as data: every allowed construct, and MMCV's file semantics.

Each expected dict is written out by hand; the ones for ``pyconfigs/`` were checked against
``mmcv.Config.fromfile`` (MMCV 1.7.2), with tuples as lists.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from clscore.config import Config, ConfigDeprecationWarning, loads_python
from clscore.errors import ConfigError

HERE = Path(__file__).resolve().parent
PYCONFIGS = HERE / "pyconfigs"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_literals_displays_and_later_assignments_override():
    text = """
'''A docstring is allowed.'''
a = 1
a = 2  # later wins
b = (1, 'x', None, True, 1.5e-4, -3)
c = [1, [2, (3,)]]
d = {'k': 1, 2: 'two'}
e = {3}
f, g = 4, 'five'
h = i = 'both'
"""
    assert loads_python(text) == {
        "a": 2,
        "b": [1, "x", None, True, 1.5e-4, -3],
        "c": [1, [2, [3]]],
        "d": {"k": 1, 2: "two"},
        "e": [3],
        "f": 4,
        "g": "five",
        "h": "both",
        "i": "both",
    }


def test_dict_calls_with_keywords_and_spread():
    text = """
img_norm_cfg = dict(mean=[1, 2], std=[3, 4], to_rgb=True)
norm = dict(type='Normalize', **img_norm_cfg)
display = {**img_norm_cfg, 'to_rgb': False}
pairs = dict([('a', 1)], b=2)
listed = [*img_norm_cfg['mean'], 0]
"""
    assert loads_python(text) == {
        "img_norm_cfg": {"mean": [1, 2], "std": [3, 4], "to_rgb": True},
        "norm": {"type": "Normalize", "mean": [1, 2], "std": [3, 4], "to_rgb": True},
        "display": {"mean": [1, 2], "std": [3, 4], "to_rgb": False},
        "pairs": {"a": 1, "b": 2},
        "listed": [1, 2, 0],
    }


def test_arithmetic_comparisons_boolean_and_conditional():
    text = """
lr = 5e-4 * 1024 / 512
iters = 5 * 626
ratio = 1 / 3
misc = [7 // 2, 7 % 3, 2 ** 10, -(3 - 5), +1, 1 << 4, 6 & 3, 6 | 1, 6 ^ 3, ~0]
cmp = [1 < 2 <= 2, 1 == 1.0, 'a' != 'b', 3 in [1, 3], 'z' not in 'abc', None is None, 1 is not None]
logic = [True and 'yes', 0 or 'fallback', not 0, 1 and 0]
pick = 'big' if iters > 1000 else 'small'
"""
    assert loads_python(text) == {
        "lr": 1e-3,
        "iters": 3130,
        "ratio": 1 / 3,
        "misc": [3, 1, 1024, 2, 1, 16, 2, 7, 5, -1],
        "cmp": [True, True, True, True, True, True, True],
        "logic": ["yes", "fallback", True, 0],
        "pick": "big",
    }


def test_subscripts_slices_comprehensions_and_format():
    text = """
img_norm_cfg = dict(mean=[123.675, 116.28, 103.53])
bgr = img_norm_cfg['mean'][::-1]
first_two = img_norm_cfg['mean'][:2]
rounded = [round(x) for x in img_norm_cfg['mean'][::-1]]
layers = ['backbone.layers.{}'.format(i) for i in range(3)]
named = '{name}-{0:03d}'.format(7, name='run')
indexed = '{0[1]}'.format(['a', 'b'])
fstr = f'{len(layers)} layers, lr {0.1:.2f}'
squares = {i: i * i for i in range(4) if i % 2}
grid = [(i, j) for i in range(2) for j in range(i + 1)]
letters = {c for c in 'aab'}
total = sum(x for x in range(5))
"""
    assert loads_python(text) == {
        "img_norm_cfg": {"mean": [123.675, 116.28, 103.53]},
        "bgr": [103.53, 116.28, 123.675],
        "first_two": [123.675, 116.28],
        "rounded": [104, 116, 124],
        "layers": ["backbone.layers.0", "backbone.layers.1", "backbone.layers.2"],
        "named": "run-007",
        "indexed": "b",
        "fstr": "3 layers, lr 0.10",
        "squares": {1: 1, 3: 9},
        "grid": [[0, 0], [1, 0], [1, 1]],
        "letters": ["a", "b"],
        "total": 10,
    }


def test_every_builtin():
    text = """
values = [
    dict(a=1), list('ab'), tuple([1]), set([2, 2]), round(2.675, 2), round(2.5), int('7'), int(3.9),
    float('1.5'), str(12), bool(''), len([1, 2]), min(3, 1), max([4, 9]), abs(-2), sum([1, 2], 10),
    range(3), list(zip('ab', [1, 2])), list(enumerate('xy', 1)), sorted([3, 1], reverse=True),
    list(reversed([1, 2])),
]
"""
    assert loads_python(text)["values"] == [
        {"a": 1},
        ["a", "b"],
        [1],
        [2],
        2.67,
        2,
        7,
        3,
        1.5,
        "12",
        False,
        2,
        1,
        9,
        2,
        13,
        [0, 1, 2],
        [["a", 1], ["b", 2]],
        [[1, "x"], [2, "y"]],
        [3, 1],
        [2, 1],
    ]


def test_dunder_names_are_dropped_and_single_underscore_names_kept():
    assert loads_python("__tmp = 3\n_kept = __tmp * 2\nx = _kept\n") == {"_kept": 6, "x": 6}


def test_evaluation_errors_name_file_line_and_column():
    with pytest.raises(ConfigError, match=r"^c\.py:2:7: KeyError: 'maen' in `cfg\['maen'\]`"):
        loads_python("cfg = dict(mean=1)\nbad = cfg['maen']\n", "c.py")
    with pytest.raises(ConfigError, match=r"^c\.py:1:5: name 'nope' is not defined"):
        loads_python("x = nope\n", "c.py")
    with pytest.raises(ConfigError, match=r"c\.py:1:\d+: keyword argument 'a' is given twice"):
        loads_python("x = dict(a=1, **dict(a=2))\n", "c.py")
    with pytest.raises(ConfigError, match=r"c\.py:2:5: 'max' is bound to a value in this config"):
        loads_python("max = 3\nx = max(1, 2)\n", "c.py")
    with pytest.raises(ConfigError, match=r"c\.py:1:9: not valid Python"):
        loads_python("x = dict(\n", "c.py")


def test_config_fromstring_reads_python():
    cfg = Config.fromstring("model = dict(type='A', depth=(1, 2))\n", ["model.type=B"], fmt="py")
    assert cfg.to_dict() == {"model": {"type": "B", "depth": [1, 2]}}
    with pytest.raises(ConfigError, match="_base_ needs a config file"):
        Config.fromstring("_base_ = 'x.py'\n", fmt="py")


def test_three_level_chain_mixing_yaml_matches_mmcv():
    """``resnet50_child.py`` -> ``resnet50_mid.py`` -> ``_base_/default_runtime.py`` -> schedule,
    plus a model ``.py`` and a dataset ``.yaml`` base: ``{{_base_.x}}``, ``**``, comprehensions,
    ``_delete_``, predefined variables, ``__`` names dropped."""
    norm = {"mean": [123.675, 116.28, 103.53], "std": [58.395, 57.12, 57.375], "to_rgb": True}
    pipeline = [
        {"type": "LoadImageFromFile"},
        {"type": "RandomResizedCrop", "size": 224, "scale": [0.08, 1.0]},
        {"type": "RandomFlip", "flip_prob": 0.5, "direction": "horizontal"},
        {"type": "Normalize", **norm},
        {"type": "Collect", "keys": ["img", "gt_label"]},
    ]
    val = {"type": "ImageNet", "data_prefix": "data/imagenet/val", "ann_file": "data/imagenet/meta/val.txt"}
    head = {
        "type": "LinearClsHead",
        "num_classes": 10,
        "in_channels": 2048,
        "loss": {"type": "CrossEntropyLoss", "loss_weight": 1.0},
        "topk": [1],
    }
    lr_mult = {"backbone.layer1": {"lr_mult": 0.1}, "backbone.layer3": {"lr_mult": 0.1 * 3}}
    expected = {
        "model": {
            "type": "ImageClassifier",
            "backbone": {
                "type": "ResNet",
                "depth": 50,
                "num_stages": 4,
                "out_indices": [3],
                "style": "pytorch",
            },
            "neck": {"type": "GlobalAveragePooling"},
            "head": head,
        },
        "dataset_type": "ImageNet",
        "data": {
            "samples_per_gpu": 64,
            "workers_per_gpu": 2,
            "train": {"type": "ImageNet", "data_prefix": "data/imagenet/train", "pipeline": pipeline},
            "val": val,
            "test": val,
        },
        "evaluation": {"interval": 1, "metric": "accuracy"},
        "optimizer": {
            "type": "AdamW",
            "lr": 1e-3,
            "weight_decay": 0.05,
            "paramwise_cfg": {"custom_keys": lr_mult},
        },
        "optimizer_config": {"grad_clip": None},
        "lr_config": {"policy": "step", "step": [30, 60, 90], "warmup_ratio": 1 / 3, "warmup_iters": 3130},
        "runner": {"type": "EpochBasedRunner", "max_epochs": 100},
        "checkpoint_config": {"interval": 1},
        "log_config": {"interval": 100, "hooks": [{"type": "TextLoggerHook"}]},
        "dist_params": {"backend": "nccl"},
        "log_level": "INFO",
        "load_from": None,
        "resume_from": None,
        "workflow": [["train", 1]],
        "_scaled": 16,
        "work_dir": "./work_dirs/resnet50_mid",
        "source": {"dir": str(PYCONFIGS), "name": "resnet50_mid.py", "ext": ".py"},
        "img_norm_cfg": norm,
        "train_pipeline": pipeline,
        "bgr_mean": [103.53, 116.28, 123.675],
        "rounded_mean": [104, 116, 124],
        "layers": ["backbone.layer1", "backbone.layer2", "backbone.layer3", "backbone.layer4"],
        "lr_mult": lr_mult,
        "head": head,
        "total": 20,
        "extras": {
            "neg": -58.395,
            "chained": True,
            "both": True,
            "either": "x",
            "same": True,
            "half": 3,
            "power": 1024,
            "rest": 1,
            "pick": "a",
            "sizes": [224, 448],
            "names": ["a", "b"],
            "pairs": [["x", 1], ["y", 2]],
            "numbered": [[1, "p"], [2, "q"]],
            "backwards": [2, 1, 0],
            "stats": [124, 1, 2.5, 4, "42", False, 1.5, 7, ["a", "b"], [3], {"k": 1}, 2.67, 3.5],
            "plus": [1, 2, 2],
            "text": "abab",
            "key": 1,
            "nested": [[0, 0], [0, 1]],
        },
    }
    cfg = Config.fromfile(PYCONFIGS / "resnet50_child.py")
    assert cfg.to_dict() == expected
    assert list(cfg) == list(expected)  # MMCV's order: bases first, in _base_ order


def test_names_from_bases_are_visible(tmp_path):
    write(tmp_path / "base.py", "img_norm_cfg = dict(mean=[1, 2])\nsize = 224\n")
    cfg = Config.fromfile(
        write(
            tmp_path / "c.py",
            "_base_ = './base.py'\nnorm = dict(type='Normalize', **img_norm_cfg)\ncrop = size // 2\n",
        )
    )
    assert cfg.to_dict() == {
        "img_norm_cfg": {"mean": [1, 2]},
        "size": 224,
        "norm": {"type": "Normalize", "mean": [1, 2]},
        "crop": 112,
    }


def test_base_refs_and_predefined_variables_in_yaml_too(tmp_path):
    write(tmp_path / "base.py", "model = dict(type='A', depth=50)\n")
    path = write(
        tmp_path / "sub" / "c.yaml",
        "_base_: ../base.py\nmodel_copy: {{ _base_.model }}\nname: '{{fileBasenameNoExtension}}{{fileExtname}}'\n",
    )
    assert Config.fromfile(path).to_dict() == {
        "model": {"type": "A", "depth": 50},
        "model_copy": {"type": "A", "depth": 50},
        "name": "c.yaml",
    }


def test_base_ref_errors(tmp_path):
    write(tmp_path / "base.py", "model = dict(type='A')\n")
    with pytest.raises(
        ConfigError, match=r"\{\{_base_\.model\.depth\}\}: the _base_ files have no 'model\.depth'"
    ):
        Config.fromfile(write(tmp_path / "a.py", "_base_ = 'base.py'\nx = {{_base_.model.depth}}\n"))
    with pytest.raises(ConfigError, match="must stand alone as a value"):
        Config.fromfile(write(tmp_path / "b.py", "_base_ = 'base.py'\nx = 'pre' + {{_base_.model.type}}\n"))
    with pytest.raises(ConfigError, match="is used but there is no _base_"):
        Config.fromfile(write(tmp_path / "c.py", "x = {{_base_.model}}\n"))
    # computing with a reference names what the user wrote, not the placeholder, and says what works
    with pytest.raises(ConfigError) as info:
        Config.fromfile(write(tmp_path / "d.py", "_base_ = 'base.py'\nx = {{_base_.model}}['type']\n"))
    assert "_base_ref_0_" not in str(info.value)
    assert "{{_base_.model}}['type']" in str(info.value)
    assert "can be used directly instead (e.g. model)" in str(info.value)


def test_same_key_in_two_bases_and_delete(tmp_path):
    write(tmp_path / "a.py", "optimizer = dict(type='SGD', lr=0.1, momentum=0.9)\n")
    write(tmp_path / "b.yaml", "optimizer: {type: Adam}\n")
    with pytest.raises(ConfigError, match="'optimizer' is defined in two _base_ files"):
        Config.fromfile(write(tmp_path / "c.py", "_base_ = ['a.py', 'b.yaml']\n"))
    cfg = Config.fromfile(
        write(tmp_path / "d.py", "_base_ = 'a.py'\noptimizer = dict(_delete_=True, type='AdamW')\n")
    )
    assert cfg.to_dict() == {"optimizer": {"type": "AdamW"}}
    merged = Config.fromfile(write(tmp_path / "e.py", "_base_ = 'a.py'\noptimizer = dict(lr=0.2)\n"))
    assert merged.to_dict() == {"optimizer": {"type": "SGD", "lr": 0.2, "momentum": 0.9}}


def test_deprecation_warns_naming_the_replacement(tmp_path):
    old = write(
        tmp_path / "old.py",
        "_deprecation_ = dict(expected='new.py', reference='https://example.org/pr/1')\nx = 1\n",
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cfg = Config.fromfile(write(tmp_path / "c.py", "_base_ = 'old.py'\ny = 2\n"))
    assert cfg.to_dict() == {"x": 1, "y": 2}
    messages = [str(w.message) for w in caught if issubclass(w.category, ConfigDeprecationWarning)]
    assert messages == [f"{old} is deprecated; use new.py instead (see https://example.org/pr/1)"]


def test_base_assigned_twice_is_an_error(tmp_path):
    write(tmp_path / "a.py", "x = 1\n")
    with pytest.raises(ConfigError, match=r"c\.py:2:1: _base_ is assigned twice \(first on line 1\)"):
        Config.fromfile(write(tmp_path / "c.py", "_base_ = 'a.py'\n_base_ = 'a.py'\n"))


def test_mmcv_pretty_text_as_stored_in_checkpoints():
    """``meta['config']`` of an MMClassification checkpoint: MMCV's ``pretty_text`` of the merged config."""
    text = """model = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet', depth=50, out_indices=(3, ), style='pytorch'),
    head=dict(type='LinearClsHead', num_classes=10, topk=(1, 5)))
optimizer = dict(
    type='SGD',
    paramwise_cfg=dict(
        custom_keys=dict({
            'backbone.layer1': dict(lr_mult=0.1),
            'backbone.layer3': dict(lr_mult=0.30000000000000004)
        })))
workflow = [('train', 1)]
load_from = None
"""
    assert loads_python(text, "<checkpoint meta>") == {
        "model": {
            "type": "ImageClassifier",
            "backbone": {"type": "ResNet", "depth": 50, "out_indices": [3], "style": "pytorch"},
            "head": {"type": "LinearClsHead", "num_classes": 10, "topk": [1, 5]},
        },
        "optimizer": {
            "type": "SGD",
            "paramwise_cfg": {
                "custom_keys": {"backbone.layer1": {"lr_mult": 0.1}, "backbone.layer3": {"lr_mult": 0.1 * 3}}
            },
        },
        "workflow": [["train", 1]],
        "load_from": None,
    }
    with pytest.raises(ConfigError, match=r"^<checkpoint meta>:1:1: an import"):
        loads_python("import os\n", "<checkpoint meta>")
