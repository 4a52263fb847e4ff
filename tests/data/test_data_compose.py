"""Compose: pipelines from config dicts (through the registry) and callables."""

from __future__ import annotations

import pytest
import torch

from clscore.data.compose import Compose
from clscore.errors import ComponentError
from clscore.plugins import build


def test_builds_configs_through_the_registry_and_runs_in_order():
    calls = []

    def mark(results):
        calls.append(results["img"].shape)
        return results

    pipe = Compose([{"type": "Resize", "size": 4}, mark, {"type": "CenterCrop", "crop_size": 2}])
    out = pipe({"img": torch.zeros(3, 10, 20, dtype=torch.uint8)})
    assert calls == [(3, 4, 4)] and out["img"].shape == (3, 2, 2)
    assert len(pipe) == 3 and "Resize" in repr(pipe)


def test_empty_pipeline_is_identity_and_none_drops_the_sample():
    sample = {"img": torch.zeros(1)}
    assert Compose(None)(sample) is sample
    assert Compose([lambda r: None, pytest.fail])(sample) is None


def test_bad_entries_are_reported():
    with pytest.raises(ComponentError, match="unknown transform 'RandomFlipp'; did you mean 'RandomFlip'"):
        Compose([{"type": "RandomFlipp"}])
    with pytest.raises(TypeError, match="entry 1"):
        Compose([{"type": "RandomFlip"}, 42])
    with pytest.raises(TypeError, match="list of transform configs"):
        Compose({"type": "RandomFlip"})


def test_compose_is_a_registered_transform():
    pipe = build("transform", {"type": "Compose", "transforms": [{"type": "RandomFlip", "flip_prob": 1.0}]})
    img = torch.arange(4, dtype=torch.uint8).view(1, 1, 4)
    assert pipe({"img": img})["img"].flatten().tolist() == [3, 2, 1, 0]
