"""DataPreprocessor: the batched, on-device form of Normalize, and where the engine takes its settings."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from clscore.data.transforms.colour import Normalize
from clscore.errors import ConfigError
from clscore.models.preprocessor import (
    DataPreprocessor,
    batch_preprocessor,
    build_data_preprocessor,
    model_preprocessor,
)

MEAN, STD = [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]


@pytest.fixture
def batch() -> torch.Tensor:
    return torch.randint(
        0, 256, (4, 3, 11, 13), dtype=torch.uint8, generator=torch.Generator().manual_seed(0)
    )


def _per_image(batch: torch.Tensor, **kwargs) -> torch.Tensor:
    step = Normalize(MEAN, STD, **kwargs)
    return torch.stack([step({"img": img.clone()})["img"] for img in batch])


@pytest.mark.parametrize("to_bgr", [False, True])
def test_same_numbers_as_normalize_in_the_workers(batch, to_bgr):
    expected = _per_image(batch, to_bgr=to_bgr)
    out = DataPreprocessor(MEAN, STD, to_bgr=to_bgr)(batch)
    assert out.dtype == torch.float32
    assert torch.equal(out, expected)  # the same float32 arithmetic, bit for bit


def test_float_input_on_the_0_255_scale_gives_the_same_result(batch):
    step = DataPreprocessor(MEAN, STD)
    assert torch.equal(step(batch.float()), step(batch))


def test_channels_last_output(batch):
    out = DataPreprocessor(MEAN, STD)(batch, torch.channels_last)
    assert out.is_contiguous(memory_format=torch.channels_last)
    assert torch.equal(out, _per_image(batch))


@pytest.mark.parametrize("to_bgr", [False, True])
def test_a_channels_last_batch_gives_the_model_the_same_contiguous_input(batch, to_bgr):
    """Decoded images are collated in their channels-last layout; the model must not see a difference."""
    stored_hwc = batch.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)
    assert stored_hwc.is_contiguous(memory_format=torch.channels_last)
    step = DataPreprocessor(MEAN, STD, to_bgr=to_bgr)
    out = step(stored_hwc)
    assert out.is_contiguous() and torch.equal(out, step(batch))
    assert step(stored_hwc, torch.channels_last).is_contiguous(memory_format=torch.channels_last)
    assert torch.equal(DataPreprocessor()(stored_hwc), batch.float())


def test_without_mean_and_std_only_casts(batch):
    out = DataPreprocessor()(batch)
    assert out.dtype == torch.float32 and torch.equal(out, batch.float())


def test_to_rgb_never_reorders_channels(batch):
    assert torch.equal(DataPreprocessor(MEAN, STD, to_rgb=False)(batch), DataPreprocessor(MEAN, STD)(batch))


def test_settings_are_not_in_the_state_dict():
    step = DataPreprocessor(MEAN, STD)
    assert step.state_dict() == {}
    assert step.settings() == {"mean": MEAN, "std": STD, "to_rgb": True, "to_bgr": False}


def test_channel_count_mismatch_is_reported():
    with pytest.raises(ValueError, match="3 mean/std values but the images have 1 channels"):
        DataPreprocessor(MEAN, STD)(torch.zeros(2, 1, 4, 4, dtype=torch.uint8))


@pytest.mark.parametrize(
    ("cfg", "message"),
    [
        ({"mean": MEAN}, "both mean and std"),
        ({"mean": MEAN, "std": [1.0, 2.0]}, "same non-zero length"),
        ({"mean": MEAN, "std": [1.0, 0.0, 1.0]}, "std must not contain 0"),
        ({"mean": MEAN, "std": STD, "pad_value": 0}, "unknown key.*pad_value.*mean, std, to_rgb, to_bgr"),
        ({"type": "SelfSupDataPreprocessor", "mean": MEAN, "std": STD}, "not one of"),
        ([1, 2], "must be a mapping"),
    ],
)
def test_config_mistakes_name_the_key(cfg, message):
    with pytest.raises(ConfigError, match=message) as info:
        build_data_preprocessor(cfg)
    assert "model.data_preprocessor" in str(info.value)


def test_mmpretrain_type_name_is_accepted():
    step = build_data_preprocessor({"type": "ClsDataPreprocessor", "mean": MEAN, "std": STD, "to_rgb": True})
    assert isinstance(step, DataPreprocessor) and step.settings()["mean"] == MEAN


class _Model(nn.Module):
    def __init__(self, data_preprocessor=None) -> None:
        super().__init__()
        self.data_preprocessor = build_data_preprocessor(data_preprocessor)


def test_batch_preprocessor_uses_what_the_pipeline_left(batch):
    step = batch_preprocessor(_Model(), {"mean": MEAN, "std": STD}, channels_last=True)
    out = step(batch)
    assert torch.equal(out, _per_image(batch)) and out.is_contiguous(memory_format=torch.channels_last)
    assert step.settings["mean"] == MEAN


def test_batch_preprocessor_prefers_the_models_own(batch):
    model = _Model({"mean": [0.0], "std": [255.0]})
    assert model_preprocessor(model) is model.data_preprocessor
    assert torch.equal(batch_preprocessor(model, None)(batch), batch.float() / 255.0)


def test_normalising_twice_is_refused():
    with pytest.raises(ConfigError, match=r"data\.val\.pipeline has a Normalize too"):
        batch_preprocessor(
            _Model({"mean": MEAN, "std": STD}), {"mean": MEAN, "std": STD}, where="data.val.pipeline"
        )


def test_classifier_takes_the_mmpretrain_key():
    from clscore.models.builder import build_model

    model = build_model(
        {
            "backbone": {"type": "LeNet5"},
            "neck": {"type": "GlobalAveragePooling"},
            "head": {"type": "LinearClsHead", "num_classes": 10, "in_channels": 120},
            "data_preprocessor": {"mean": MEAN, "std": STD, "to_rgb": True},
        }
    )
    assert model_preprocessor(model).settings()["std"] == STD
    assert not any("data_preprocessor" in key for key in model.state_dict())


def test_float_input_is_not_changed_in_place(batch):
    img = batch.float()
    before = img.clone()
    out = DataPreprocessor(MEAN, STD)(img)
    assert torch.equal(img, before) and out.data_ptr() != img.data_ptr()
