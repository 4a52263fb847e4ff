"""Loader workers run one thread each, so workers x main-process threads do not oversubscribe the cores."""

from __future__ import annotations

import torch
from torch.utils.data import Dataset

from clscore.data.builder import build_dataloader, loader_options


class ThreadCount(Dataset):
    def __len__(self) -> int:
        return 4

    def __getitem__(self, index: int) -> dict:
        return {"threads": torch.get_num_threads()}


def test_workers_use_one_thread():
    loader = build_dataloader(
        ThreadCount(), loader_options({"samples_per_gpu": 2, "workers_per_gpu": 2}, "train"), train=False
    )
    counts = torch.cat([batch["threads"] for batch in loader])
    assert counts.tolist() == [1, 1, 1, 1]
