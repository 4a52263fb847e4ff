"""Normalisation moved from the workers to the device changes no number: training, test, infer, export."""

from __future__ import annotations

import copy
import json

import pytest
import torch

from clscore import Inferencer, train
from clscore.apis.evaluation import build_eval_loader, evaluate_trained
from clscore.apis.export import METADATA_KEY, export_model, input_normalization
from clscore.apis.trained import load_trained_model
from clscore.checkpoint import read_checkpoint
from clscore.config import Config
from clscore.data.builder import build_dataloader, build_dataset, loader_options
from clscore.data.device_normalize import device_normalize, split_dataset_normalize
from clscore.errors import ConfigError

NORM = {"mean": [127.5, 127.5, 127.5], "std": [127.5, 127.5, 127.5]}


def _tiny_cfg(explicit: bool) -> dict:
    """LeNet on digits for 8 iterations; ``explicit`` says the normalisation as model.data_preprocessor."""
    norm = [] if explicit else [{"type": "Normalize", **NORM, "to_rgb": False}]
    tail = [{"type": "ToTensor", "keys": ["gt_label"]}, {"type": "Collect", "keys": ["img", "gt_label"]}]
    model = {
        "type": "ImageClassifier",
        "backbone": {"type": "LeNet5"},
        "neck": {"type": "GlobalAveragePooling"},
        "head": {"type": "LinearClsHead", "num_classes": 10, "in_channels": 120},
        "train_cfg": {"augments": [{"type": "Mixup", "alpha": 0.2, "num_classes": 10}]},
    }
    if explicit:
        model["data_preprocessor"] = {**NORM, "to_rgb": False}
    split = {
        "type": "Digits",
        "img_size": 32,
        "pipeline": [{"type": "RandomFlip", "flip_prob": 0.5}, *norm, *tail],
    }
    return {
        "model": model,
        "data": {
            "samples_per_gpu": 32,
            "workers_per_gpu": 0,
            "train": {**split, "split": "train"},
            "val": {**split, "split": "val", "pipeline": [*norm, *tail]},
        },
        "optimizer": {"type": "SGD", "lr": 0.05, "momentum": 0.9},
        "lr_config": {"policy": "fixed"},
        "runner": {"type": "IterBasedRunner", "max_iters": 8},
        "evaluation": {"interval": 8, "metric": "accuracy", "by_epoch": False},
        "checkpoint_config": {"interval": 8, "by_epoch": False},
        "log_config": {"interval": 4},
        "seed": 0,
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = {}
    for explicit in (False, True):
        work_dir = tmp_path_factory.mktemp(f"explicit{explicit}")
        result = train(_tiny_cfg(explicit), work_dir=work_dir, device="cpu")
        out[explicit] = (result, read_checkpoint(result["checkpoint"], map_location="cpu"))
    return out


def test_moved_normalize_and_data_preprocessor_train_identically(runs):
    (moved, moved_ckpt), (explicit, explicit_ckpt) = runs[False], runs[True]
    assert moved["metrics"] == explicit["metrics"]
    for key, value in moved_ckpt["state_dict"].items():
        assert torch.equal(value, explicit_ckpt["state_dict"][key]), key
    for _, ckpt in runs.values():  # the checkpoint records what normalised the batches
        assert ckpt["meta"]["data_preprocessor"] == {**NORM, "to_rgb": False, "to_bgr": False}


def test_normalize_in_the_pipeline_and_data_preprocessor_together_is_refused(tmp_path):
    cfg = _tiny_cfg(explicit=True)
    cfg["data"]["val"]["pipeline"].insert(0, {"type": "Normalize", **NORM})
    with pytest.raises(ConfigError, match=r"data\.val\.pipeline has a Normalize step"):
        train(cfg, work_dir=tmp_path, device="cpu")


def test_test_scores_equal_those_of_normalising_in_the_workers(trained):
    model = load_trained_model(trained.checkpoint, device="cpu")
    loader = build_eval_loader(model.cfg, "test")
    assert device_normalize(loader) is not None and next(iter(loader))["img"].dtype == torch.uint8
    on_device = evaluate_trained(model, loader, "test", ["accuracy"], None)
    data = model.cfg.to_dict()["data"]
    in_workers = build_dataloader(
        build_dataset(data["test"], split="test"), loader_options(data, "test"), train=False
    )
    assert device_normalize(in_workers) is None
    before = evaluate_trained(model, in_workers, "test", ["accuracy"], None)
    torch.testing.assert_close(on_device.scores, before.scores, atol=1e-5, rtol=0)
    assert on_device.metrics == before.metrics


def _explicit_config(cfg: Config) -> dict:
    """The checkpoint's config with its test-pipeline Normalize said as model.data_preprocessor instead."""
    plain = copy.deepcopy(cfg.to_dict())
    stripped, settings = split_dataset_normalize(plain["data"]["test"])
    assert settings is not None
    plain["data"] = {"test": stripped}
    plain["model"]["data_preprocessor"] = settings
    return plain


def test_inferencer_logits_with_data_preprocessor_match(trained, val_images):
    by_pipeline = Inferencer(trained.work_dir)
    by_model = Inferencer(_explicit_config(by_pipeline.trained.cfg), trained.checkpoint)
    imgs = [img for img, _ in val_images[:8]]
    expected = by_pipeline.scores([by_pipeline.preprocess(i) for i in imgs])
    actual = by_model.scores([by_model.preprocess(i) for i in imgs])
    torch.testing.assert_close(actual, expected, atol=1e-5, rtol=0)


@pytest.mark.filterwarnings("ignore:`torch.jit.load` is deprecated:FutureWarning")
@pytest.mark.parametrize("explicit", [False, True])
def test_export_records_the_expected_normalisation(trained, tmp_path, explicit):
    model = load_trained_model(trained.checkpoint, device="cpu")
    cfg = _explicit_config(model.cfg) if explicit else model.cfg
    if explicit:
        model = load_trained_model(trained.checkpoint, cfg, device="cpu")
    settings = input_normalization(model.model, cfg)
    assert settings == {**NORM, "to_rgb": False, "to_bgr": False}
    export_model(model.model, tmp_path / "m.pt", fmt="torchscript", shape=(32, 32), preprocessing=settings)
    extra = {METADATA_KEY: ""}
    torch.jit.load(str(tmp_path / "m.pt"), _extra_files=extra)
    assert json.loads(extra[METADATA_KEY]) == settings


def test_onnx_metadata(trained, tmp_path):
    onnx = pytest.importorskip("onnx")
    model = load_trained_model(trained.checkpoint, device="cpu")
    settings = input_normalization(model.model, model.cfg)
    export_model(
        model.model,
        tmp_path / "m.onnx",
        fmt="onnx",
        shape=(32, 32),
        exporter="legacy",
        preprocessing=settings,
    )
    props = {p.key: p.value for p in onnx.load(str(tmp_path / "m.onnx")).metadata_props}
    assert json.loads(props[METADATA_KEY]) == settings
