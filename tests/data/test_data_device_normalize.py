"""Taking a pipeline's trailing Normalize out of the workers (the engine applies it to whole batches)."""

from __future__ import annotations

import torch

from clscore.data.builder import build_dataloader, build_dataset, loader_options
from clscore.data.device_normalize import (
    dataset_has_normalize,
    device_normalize,
    split_dataset_normalize,
    split_normalize,
)

NORM = {"type": "Normalize", "mean": [1.0, 2.0, 3.0], "std": [4.0, 5.0, 6.0], "to_rgb": True}
SETTINGS = {"mean": [1.0, 2.0, 3.0], "std": [4.0, 5.0, 6.0], "to_rgb": True, "to_bgr": False}
TAIL = [
    {"type": "ImageToTensor", "keys": ["img"]},
    {"type": "ToTensor", "keys": ["gt_label"]},
    {"type": "Collect", "keys": ["img", "gt_label"]},
]


def test_trailing_normalize_before_formatting_steps_is_taken_out():
    pipeline = [{"type": "RandomFlip", "flip_prob": 0.5}, NORM, *TAIL]
    steps, settings = split_normalize(pipeline)
    assert settings == SETTINGS
    assert steps == [pipeline[0], *TAIL]


def test_plugin_qualified_name_counts():
    assert split_normalize([{**NORM, "type": "clscore:Normalize"}])[1] == SETTINGS


def test_normalize_followed_by_a_pixel_step_stays():
    pipeline = [NORM, {"type": "RandomErasing"}, *TAIL]
    assert split_normalize(pipeline) == (pipeline, None)


def test_normalize_with_unknown_arguments_stays():
    pipeline = [{**NORM, "extra": 1}, *TAIL]
    assert split_normalize(pipeline) == (pipeline, None)


def test_no_normalize_nothing_to_move():
    assert split_normalize(TAIL) == (TAIL, None)


def test_wrappers_are_followed_and_concat_must_agree():
    inner = {"type": "Digits", "pipeline": [NORM, *TAIL]}
    repeated, settings = split_dataset_normalize({"type": "RepeatDataset", "times": 2, "dataset": inner})
    assert settings == SETTINGS and repeated["dataset"]["pipeline"] == TAIL
    assert inner["pipeline"][0] is NORM  # the given config is not changed
    agree, settings = split_dataset_normalize({"type": "ConcatDataset", "datasets": [inner, inner]})
    assert settings == SETTINGS and all(d["pipeline"] == TAIL for d in agree["datasets"])
    other = {"type": "Digits", "pipeline": [{**NORM, "std": [1.0, 1.0, 1.0]}, *TAIL]}
    concat = {"type": "ConcatDataset", "datasets": [inner, other]}
    assert split_dataset_normalize(concat) == (concat, None)
    assert dataset_has_normalize(concat) and not dataset_has_normalize({"type": "Digits", "pipeline": TAIL})


def test_built_dataset_ships_uint8_and_says_what_the_device_must_do():
    cfg = {"type": "Digits", "split": "train", "img_size": 8, "pipeline": [NORM, *TAIL]}
    moved = build_dataset(cfg, split="train", device_normalize=True)
    kept = build_dataset(cfg, split="train")
    assert moved[0]["img"].dtype == torch.uint8 and kept[0]["img"].dtype == torch.float32
    assert device_normalize(moved) == SETTINGS and device_normalize(kept) is None
    loader = build_dataloader(moved, loader_options({"samples_per_gpu": 4, "workers_per_gpu": 0}, "train"))
    assert device_normalize(loader) == SETTINGS
    assert next(iter(loader))["img"].dtype == torch.uint8
