"""Inferencer on the shared digits run: files and in-memory images agree, and digits are recognised."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from clscore import Inferencer
from clscore.errors import CheckpointError, DataError


@pytest.fixture(scope="module")
def inferencer(trained) -> Inferencer:
    return Inferencer(trained.work_dir)  # config and classes from the checkpoint


@pytest.fixture(scope="module")
def pngs(val_images, tmp_path_factory) -> list[str]:
    folder = tmp_path_factory.mktemp("pngs")
    paths = []
    for i, (img, _) in enumerate(val_images):
        path = folder / f"{i:02d}.png"
        Image.fromarray(img.permute(1, 2, 0).numpy()).save(path)
        paths.append(str(path))
    return paths


def test_classifies_digit_png_files(inferencer, pngs, val_images):
    preds = inferencer(pngs)
    assert isinstance(preds, list) and len(preds) == len(pngs)
    correct = sum(p["pred_label"] == label for p, (_, label) in zip(preds, val_images))
    assert correct >= 17, [p["pred_label"] for p in preds]
    assert all(p["pred_class"] == str(p["pred_label"]) for p in preds)  # Digits classes are "0".."9"


def test_file_and_memory_inputs_give_identical_scores(inferencer, pngs, val_images):
    img, _ = val_images[3]
    hwc = img.permute(1, 2, 0).numpy()
    variants = [
        pngs[3],
        Image.open(pngs[3]),
        hwc,
        img,  # uint8 (3, H, W)
        img.float(),  # float on 0-255
        img.float() / 255,  # float on 0-1
        hwc[..., 0],  # grayscale (H, W): the digits are gray anyway
    ]
    expected = inferencer.scores([inferencer.preprocess(pngs[3])])[0]
    for variant in variants:
        got = inferencer.scores([inferencer.preprocess(variant)])[0]
        torch.testing.assert_close(got, expected, atol=1e-6, rtol=0)
    labels = {inferencer(v)["pred_label"] for v in variants}
    assert len(labels) == 1


def test_matches_the_model_on_the_dataset_sample(trained, inferencer, val_images):
    from clscore.plugins import build

    cfg = inferencer.trained.cfg
    dataset = build("dataset", cfg.data.val.to_dict())
    with torch.no_grad():
        direct = inferencer.model.predict(dataset[0]["img"][None])[0]
    pred = inferencer(val_images[0][0], topk=10)
    assert pred["pred_label"] == int(direct.argmax())
    assert pred["pred_score"] == pytest.approx(float(direct.max()), abs=1e-6)


def test_other_image_sizes_are_resized_to_the_dataset_size(inferencer, val_images, tmp_path):
    img, _ = val_images[5]
    big = Image.fromarray(img.permute(1, 2, 0).numpy()).resize((96, 96), Image.NEAREST)
    big.save(tmp_path / "big.png")
    assert inferencer.preprocess(str(tmp_path / "big.png")).shape == (3, 32, 32)
    assert inferencer.preprocess(big).shape == (3, 32, 32)
    assert inferencer(str(tmp_path / "big.png"))["pred_label"] == inferencer(big)["pred_label"]


def test_topk_and_batches(inferencer, val_images):
    pred = inferencer(val_images[0][0], topk=3)
    scores = [t["score"] for t in pred["topk"]]
    assert len(pred["topk"]) == 3 and scores == sorted(scores, reverse=True)
    assert pred["topk"][0] == {
        "label": pred["pred_label"],
        "class": pred["pred_class"],
        "score": pred["pred_score"],
    }
    assert len(inferencer(val_images[0][0], topk=50)["topk"]) == 10  # clipped to the class count
    batch = torch.stack([img for img, _ in val_images[:4]])
    as_batch = inferencer(batch, batch_size=3)
    assert [p["pred_label"] for p in as_batch] == [inferencer(img)["pred_label"] for img, _ in val_images[:4]]


def test_config_and_checkpoint_forms(trained, inferencer, val_images):
    img = val_images[1][0]
    expected = inferencer(img)
    for infer in (
        Inferencer(str(trained.config), trained.checkpoint),
        Inferencer(trained.work_dir / "latest"),
        Inferencer(trained.checkpoint, device="cpu"),
    ):
        assert infer(img) == expected


def test_bad_inputs(inferencer, trained, tmp_path):
    with pytest.raises(DataError, match="cannot use a dict"):
        inferencer({"img": 1})
    with pytest.raises(DataError, match=r"\(C, H, W\)"):
        inferencer(torch.zeros(5, 8, 8))
    with pytest.raises(DataError, match="not found"):
        inferencer(str(tmp_path / "missing.png"))
    bare = tmp_path / "bare.pth"
    state = torch.load(trained.checkpoint, weights_only=True)["state_dict"]
    torch.save(state, bare)
    with pytest.raises(CheckpointError, match="carries no config"):
        Inferencer(bare)
    assert Inferencer(str(trained.config), bare)(np.zeros((32, 32, 3), np.uint8))["pred_label"] in range(10)
