"""``on_error: raise | skip``: a bad file is named with its index, or replaced within a limit."""

from __future__ import annotations

import logging

import pytest
import torch

from clscore import train
from clscore.data.builder import build_dataloader, build_dataset, loader_options
from clscore.errors import ConfigError, DataError

PIPELINE = [
    {"type": "LoadImageFromFile"},
    {"type": "Resize", "size": [16, 16]},
    {"type": "Normalize", "mean": [127.5] * 3, "std": [127.5] * 3},
    {"type": "ImageToTensor", "keys": ["img"]},
    {"type": "ToTensor", "keys": ["gt_label"]},
    {"type": "Collect", "keys": ["img", "gt_label"]},
]
BAD = {
    "truncated": lambda good: good[: len(good) // 3],
    "zero-byte": lambda good: b"",
    "text": lambda good: b"this is not an image\n",
}


def tree(kit, root, bad: dict[str, str]):
    """Two classes of 10 images each; ``bad`` maps file names in class ``b`` to a kind of damage."""
    kit.make_tree(
        root, {"a": [f"{i}.jpg" for i in range(10)], "b": [f"{i}.jpg" for i in range(10)]}, (20, 20)
    )
    good = (root / "a" / "0.jpg").read_bytes()
    for name, kind in bad.items():
        (root / "b" / name).write_bytes(BAD[kind](good))
    return root


def dataset_cfg(root, **policy):
    return {"type": "CustomDataset", "data_prefix": str(root), "pipeline": PIPELINE, **policy}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_raise_names_the_file_its_index_and_the_reason_in_one_line(kit, tmp_path, kind):
    dataset = build_dataset(dataset_cfg(tree(kit, tmp_path, {"3.jpg": kind})), split="train")
    index = 13  # a/0..9, then b/0..9
    with pytest.raises(DataError) as info:
        dataset[index]
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"data.train: sample {index}: ")
    assert str(tmp_path / "b" / "3.jpg") in message
    assert "on_error=skip" in message
    assert torch.is_tensor(dataset[12]["img"])  # its neighbours are fine


def test_skip_replaces_with_the_next_readable_sample_deterministically(kit, tmp_path):
    root = tree(kit, tmp_path, {"3.jpg": "truncated", "4.jpg": "zero-byte"})
    dataset = build_dataset(dataset_cfg(root, on_error="skip", max_skips=5), split="train")
    sample = dataset[13]
    assert torch.equal(sample["img"], dataset[15]["img"]) and int(sample["gt_label"]) == 1
    assert [r[0] for r in sample["bad_samples"]] == [13, 14]
    assert dataset[12]["bad_samples"] == ()


def _epoch(loader):
    return [batch for batch in loader]


@pytest.mark.parametrize("workers", [0, 2])
def test_skip_keeps_the_batch_count_logs_each_file_once_and_counts(kit, tmp_path, caplog, workers):
    root = tree(kit, tmp_path, {"2.jpg": "text", "7.jpg": "zero-byte"})
    dataset = build_dataset(dataset_cfg(root, on_error="skip", max_skips=2), split="train")
    options = loader_options({"samples_per_gpu": 4, "workers_per_gpu": workers}, "train")
    loader = build_dataloader(dataset, options, train=True)
    with caplog.at_level(logging.WARNING, logger="clscore"):
        for _ in range(2):
            batches = _epoch(loader)
            assert len(batches) == 5 and sum(len(b["img"]) for b in batches) == 20
            assert all("bad_samples" not in b for b in batches)
    once = [r.getMessage() for r in caplog.records if "skipped (replaced" in r.getMessage()]
    assert len(once) == 2 and any("b/2.jpg" in m and "sample 12" in m for m in once)
    counts = [r.getMessage() for r in caplog.records if "replaced in this pass" in r.getMessage()]
    assert len(counts) == 2 and all("2 bad sample(s)" in m and "2 distinct" in m for m in counts)
    assert loader.skips.count == 2


@pytest.mark.parametrize("workers", [0, 2])
def test_skip_stops_with_a_clear_error_past_the_limit(kit, tmp_path, workers):
    root = tree(kit, tmp_path, {"1.jpg": "text", "5.jpg": "truncated", "8.jpg": "zero-byte"})
    dataset = build_dataset(dataset_cfg(root, on_error="skip", max_skip_ratio=0.1), split="train")
    options = loader_options({"samples_per_gpu": 4, "workers_per_gpu": workers}, "train")
    with pytest.raises(
        DataError, match=r"data\.train: 3 bad samples, more than the limit \(max_skip_ratio 0\.1 of 20"
    ):
        _epoch(build_dataloader(dataset, options, train=True))


def test_a_run_of_bad_files_longer_than_the_limit_stops_in_the_dataset(kit, tmp_path):
    root = tree(kit, tmp_path, {f"{i}.jpg": "text" for i in range(3, 7)})
    dataset = build_dataset(dataset_cfg(root, on_error="skip", max_skips=2), split="train")
    with pytest.raises(DataError, match=r"sample 13: .*after it are bad too"):
        dataset[13]


def test_policy_inside_a_wrapper_and_on_a_wrapper(kit, tmp_path):
    root = tree(kit, tmp_path, {"0.jpg": "text"})
    inner = {"type": "RepeatDataset", "times": 2, "dataset": dataset_cfg(root, on_error="skip", max_skips=1)}
    assert build_dataset(inner, split="train")[10]["bad_samples"][0][0] == 10
    outer = {
        "type": "RepeatDataset",
        "times": 2,
        "dataset": dataset_cfg(root),
        "on_error": "skip",
        "max_skips": 1,
    }
    assert build_dataset(outer, split="train")[30]["bad_samples"][0][0] == 10
    with pytest.raises(DataError, match=r"^data\.train: sample 10: "):
        build_dataset({"type": "RepeatDataset", "times": 2, "dataset": dataset_cfg(root)}, split="train")[10]


@pytest.mark.parametrize(
    ("policy", "match"),
    [
        ({"on_error": "ignore"}, r"data\.train\.on_error: expected 'raise' or 'skip'"),
        ({"max_skip_ratio": 2}, r"data\.train\.max_skip_ratio: expected a fraction"),
        ({"max_skips": -1}, r"data\.train\.max_skips: expected an integer >= 0"),
    ],
)
def test_bad_policy_values_name_the_key(kit, tmp_path, policy, match):
    with pytest.raises(ConfigError, match=match):
        build_dataset(dataset_cfg(tree(kit, tmp_path, {}), **policy), split="train")


def _train_cfg(root, data_policy, workers=0):
    train_set = dataset_cfg(root, **data_policy)
    return {
        "model": {
            "type": "ImageClassifier",
            "backbone": {"type": "LeNet5", "num_classes": -1},
            "neck": {"type": "GlobalAveragePooling"},
            "head": {"type": "LinearClsHead", "num_classes": 2, "in_channels": 120},
        },
        "data": {"samples_per_gpu": 5, "workers_per_gpu": workers, "train": train_set},
        "optimizer": {"type": "SGD", "lr": 0.01},
        "runner": {"type": "EpochBasedRunner", "max_epochs": 2},
        "log_config": {"interval": 1},
        "seed": 0,
    }


@pytest.mark.parametrize("workers", [0, 2])
def test_training_goes_on_past_a_bad_file_and_logs_the_count(kit, tmp_path, workers):
    for i in range(10):  # LeNet5 needs 32x32
        kit.write_image(tmp_path / "d" / "a" / f"{i}.jpg", 32, 32, seed=i)
        kit.write_image(tmp_path / "d" / "b" / f"{i}.jpg", 32, 32, seed=50 + i)
    (tmp_path / "d" / "b" / "4.jpg").write_bytes(b"")
    cfg = _train_cfg(tmp_path / "d", {"on_error": "skip", "max_skips": 1}, workers)
    cfg["data"]["train"]["pipeline"][1]["size"] = [32, 32]
    result = train(cfg, work_dir=tmp_path / "run", device="cpu", validate=False)
    assert result["epoch"] == 2 and result["iter"] == 8
    log = (tmp_path / "run").glob("*.log").__next__().read_text()
    assert log.count("empty image file") == 1
    assert log.count("data.train: 1 bad sample(s) replaced in this pass") == 2
    cfg["data"]["train"].pop("on_error")
    with pytest.raises(DataError, match=r"data\.train: sample 14: .*b/4\.jpg"):
        train(cfg, work_dir=tmp_path / "run2", device="cpu", validate=False)
