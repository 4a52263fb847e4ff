"""fp16 (MMClassification's key) on CUDA and elsewhere; amp; loss scales."""

from __future__ import annotations

import logging

import pytest
import torch

from clscore.engine.precision import build_precision
from clscore.errors import ConfigError


def test_fp16_without_cuda_trains_in_bfloat16_and_says_so(caplog):
    with caplog.at_level(logging.WARNING, logger="clscore"):
        precision = build_precision({"fp16": {"loss_scale": 512.0}}, torch.device("cpu"))
    assert precision.dtype is torch.bfloat16 and precision.name == "bf16"
    assert precision.scaler is None
    assert caplog.text.count("needs CUDA; training on cpu in bfloat16") == 1
    with precision.autocast():
        out = torch.nn.Linear(4, 4)(torch.randn(2, 4))
    assert out.dtype is torch.bfloat16


@pytest.mark.filterwarnings("ignore::UserWarning")  # GradScaler warns when CUDA is absent
def test_fp16_on_cuda_keeps_float16_with_the_given_loss_scale():
    precision = build_precision({"fp16": {"loss_scale": 512.0}}, torch.device("cuda"))
    assert precision.dtype is torch.float16
    assert precision.scaler is not None and precision.static_scale == 512.0
    dynamic = build_precision({"fp16": {"loss_scale": "dynamic"}}, torch.device("cuda"))
    assert dynamic.scaler is not None and dynamic.static_scale is None
    with pytest.raises(ConfigError, match="loss_scale"):
        build_precision({"fp16": {"loss_scale": -1}}, torch.device("cuda"))
