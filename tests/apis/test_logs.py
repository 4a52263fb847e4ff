"""Curves from JSON-lines training logs."""

from __future__ import annotations

import json

import pytest

from clscore.apis.logs import curve, read_json_log
from clscore.errors import ClsCoreError


def write_log(path, records, tail=""):
    lines = [json.dumps({"env_info": {}, "config": "..."})] + [json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n" + tail)
    return path


EPOCH_BASED = [
    {"mode": "train", "epoch": 1, "iter": 5, "loss": 2.0, "lr": 0.1},
    {"mode": "train", "epoch": 1, "iter": 8, "loss": 1.5, "lr": 0.1},
    {"mode": "val", "epoch": 1, "iter": 8, "accuracy_top-1": 50.0},
    {"mode": "train", "epoch": 2, "iter": 5, "loss": 1.0, "lr": 0.01},
    {"mode": "train", "epoch": 2, "iter": 8, "loss": 0.5, "lr": 0.01},
    {"mode": "val", "epoch": 2, "iter": 8, "accuracy_top-1": 75.0},
]


def test_epoch_based_log(tmp_path):
    records = read_json_log(write_log(tmp_path / "a.log.json", EPOCH_BASED))
    assert len(records) == 6  # the env line is skipped
    loss = curve(records, "loss")
    assert (loss.mode, loss.x_label) == ("train", "iteration")
    assert loss.xs == [5, 8, 13, 16] and loss.ys == [2.0, 1.5, 1.0, 0.5]
    acc = curve(records, "accuracy_top-1")
    assert (acc.mode, acc.x_label, acc.xs, acc.ys) == ("val", "epoch", [1, 2], [50.0, 75.0])


def test_iteration_based_log(tmp_path):
    records = [
        {"mode": "train", "epoch": 1, "iter": 10, "loss": 2.0},
        {"mode": "train", "epoch": 1, "iter": 20, "loss": 1.0},
        {"mode": "val", "epoch": 1, "iter": 20, "accuracy_top-1": 60.0},
        {"mode": "train", "epoch": 2, "iter": 30, "loss": 0.5},
        {"mode": "val", "epoch": 2, "iter": 30, "accuracy_top-1": 70.0},
    ]
    records = read_json_log(write_log(tmp_path / "b.log.json", records))
    assert curve(records, "loss").xs == [10, 20, 30]
    assert curve(records, "accuracy_top-1").xs == [20, 30]


def test_a_cut_last_line_is_ignored_and_bad_lines_named(tmp_path):
    assert len(read_json_log(write_log(tmp_path / "c.log.json", EPOCH_BASED, tail='{"mode": "tr'))) == 6
    bad = tmp_path / "d.log.json"
    bad.write_text('{"mode": "train", "epoch": 1, "iter": 1, "loss": 1}\nnot json\n{"mode": "val"}\n')
    with pytest.raises(ClsCoreError, match=r"d.log.json:2 is not JSON"):
        read_json_log(bad)
    empty = tmp_path / "e.log.json"
    empty.write_text(json.dumps({"env_info": {}}) + "\n")
    with pytest.raises(ClsCoreError, match="no training records"):
        read_json_log(empty)


def test_unknown_key_lists_what_is_logged(tmp_path):
    records = read_json_log(write_log(tmp_path / "a.log.json", EPOCH_BASED))
    with pytest.raises(ClsCoreError, match=r"no values for 'acc'; it logs: accuracy_top-1, loss, lr"):
        curve(records, "acc")


def test_the_real_training_log(trained):
    records = read_json_log(trained.log_json)
    loss = curve(records, "loss")
    per_epoch = max(r["iter"] for r in records if r["mode"] == "train")
    assert loss.xs[-1] == 2 * per_epoch and loss.ys[-1] < loss.ys[0]
    assert curve(records, "accuracy_top-1").xs == [1.0, 2.0]
