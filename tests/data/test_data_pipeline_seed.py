"""Done-when: the seed's pipelines on real JPEG and PNG files, through ImageNet and a DataLoader."""

from __future__ import annotations

import torch
from PIL import Image
from torch.utils.data import DataLoader

from clscore.plugins import build


def _imagenet(tmp_path, kit, pipeline):
    root = tmp_path / "imagenet" / "train"
    for i, (cls, name, size) in enumerate(
        [
            ("n01", "a.JPEG", (375, 500)),
            ("n01", "b.png", (120, 90)),
            ("n02", "c.jpg", (1, 1)),
            ("n02", "d.png", (3, 400)),
            ("n03", "e.jpeg", (200, 200)),
            ("n03", "f.PNG", (64, 48)),
        ]
    ):
        kit.write_image(root / cls / name, *size, seed=i)
    Image.open(root / "n03" / "e.jpeg").convert("L").save(root / "n03" / "g.jpg")  # grayscale JPEG
    return build("dataset", {"type": "ImageNet", "data_prefix": str(root), "pipeline": pipeline})


def test_seed_train_pipeline_yields_224_float_and_labels(tmp_path, kit):
    ds = _imagenet(tmp_path, kit, kit.seed_train_pipeline)
    assert ds.classes == ["n01", "n02", "n03"]
    for i in range(len(ds)):
        out = ds[i]
        assert set(out) == {"img", "gt_label", "img_metas"}
        assert out["img"].dtype == torch.float32 and out["img"].shape == (3, 224, 224)
        assert out["gt_label"].dtype == torch.int64 and out["gt_label"].shape == ()
        assert out["img_metas"]["img_shape"] == (224, 224, 3)
    batch = next(iter(DataLoader(ds, batch_size=4, shuffle=False)))
    assert batch["img"].shape == (4, 3, 224, 224) and batch["img"].dtype == torch.float32
    assert batch["gt_label"].shape == (4,) and batch["gt_label"].tolist() == [0, 0, 1, 1]
    assert -3 < float(batch["img"].mean()) < 3


def test_seed_train_pipeline_is_reproducible_with_torch_seed(tmp_path, kit):
    ds = _imagenet(tmp_path, kit, kit.seed_train_pipeline)
    torch.manual_seed(0)
    first = [ds[i]["img"] for i in range(len(ds))]
    torch.manual_seed(0)
    assert all(torch.equal(a, ds[i]["img"]) for i, a in enumerate(first))


def test_seed_test_pipeline_resizes_short_side_and_crops(tmp_path, kit):
    ds = _imagenet(tmp_path, kit, kit.seed_test_pipeline)
    batch = next(iter(DataLoader(ds, batch_size=7)))
    assert batch["img"].shape == (7, 3, 224, 224)
    assert batch["img_metas"]["ori_filename"][0] == "n01/a.JPEG"


def test_loader_workers_run_the_pipeline(tmp_path, kit):
    ds = _imagenet(tmp_path, kit, kit.seed_train_pipeline)
    batches = list(DataLoader(ds, batch_size=3, num_workers=2))
    assert [b["img"].shape[0] for b in batches] == [3, 3, 1]
