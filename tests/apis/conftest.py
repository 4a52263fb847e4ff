"""The shared digits training run, for every test in this folder."""

from __future__ import annotations

import pytest
from apis.digits_run import DigitsRun, shared_digits_run


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> DigitsRun:
    return shared_digits_run(tmp_path_factory)


@pytest.fixture(scope="session")
def val_images() -> list[tuple]:
    """The first 20 val digits before any pipeline: ``(uint8 (3, 32, 32) tensor, label)``."""
    from clscore.plugins import build

    dataset = build("dataset", {"type": "Digits", "split": "val", "img_size": 32})
    return [(dataset.get_sample(i)["img"], int(dataset.gt_labels[i])) for i in range(20)]
