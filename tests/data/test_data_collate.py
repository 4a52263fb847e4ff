"""The engine's collate: per-key stacking, and decoded images batched in their channels-last layout."""

from __future__ import annotations

import torch
from torch.utils.data import DataLoader

from clscore.data.builder import collate


def _decoded(height: int, width: int, seed: int, channels: int = 3) -> torch.Tensor:
    """A (C, H, W) view of (H, W, C) memory, as the decoders and the uint8 resize give."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (height, width, channels), dtype=torch.uint8, generator=generator).permute(
        2, 0, 1
    )


def test_channels_last_images_batch_as_channels_last_with_the_same_values():
    images = [_decoded(5, 7, seed) for seed in range(4)]
    batch = collate([{"img": img, "gt_label": i} for i, img in enumerate(images)])
    assert batch["img"].shape == (4, 3, 5, 7)
    assert batch["img"].is_contiguous(memory_format=torch.channels_last)
    assert torch.equal(batch["img"], torch.stack(images))
    assert batch["gt_label"].tolist() == [0, 1, 2, 3]


def test_crops_of_channels_last_images_batch_as_channels_last():
    """A centre crop of a resized image is a strided view of (H, W, C) memory."""
    crops = [_decoded(9, 11, seed)[:, 2:7, 3:10] for seed in range(3)]
    batch = collate([{"img": img} for img in crops])["img"]
    assert batch.is_contiguous(memory_format=torch.channels_last)
    assert torch.equal(batch, torch.stack(crops))


def test_mixed_layouts_and_other_tensors_batch_contiguously():
    mixed = [_decoded(5, 7, 0), _decoded(5, 7, 1).contiguous()]
    batch = collate([{"img": img} for img in mixed])["img"]
    assert torch.equal(batch, torch.stack(mixed))
    contiguous = [_decoded(5, 7, s).contiguous() for s in range(2)]
    assert collate([{"img": img} for img in contiguous])["img"].is_contiguous()
    floats = [torch.rand(5, 7, 3).permute(2, 0, 1) for _ in range(2)]  # normalised in the worker
    batch = collate([{"img": img} for img in floats])["img"]
    assert batch.is_contiguous() and torch.equal(batch, torch.stack(floats))
    gray = [_decoded(5, 7, s, channels=1) for s in range(2)]
    assert collate([{"img": img} for img in gray])["img"].is_contiguous()


def test_workers_ship_the_channels_last_batch():
    images = [_decoded(6, 4, seed) for seed in range(6)]
    samples = [{"img": img, "gt_label": i} for i, img in enumerate(images)]
    loader = DataLoader(samples, batch_size=3, num_workers=1, collate_fn=collate)  # type: ignore[arg-type]
    batches = list(loader)
    assert all(b["img"].is_contiguous(memory_format=torch.channels_last) for b in batches)
    assert torch.equal(torch.cat([b["img"] for b in batches]), torch.stack(images))
