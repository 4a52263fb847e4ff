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


def test_pipeline_draws_are_torchs_own_values():
    """The transforms' draws reuse a scratch tensor per thread, yet give what ``torch.rand``,
    ``torch.randint`` and ``uniform_`` give from the same seed (so crops still match torchvision's)."""
    import threading

    from clscore.data.transforms._common import rand, randint, uniform

    def ours() -> list[float]:
        return [uniform(0.08, 1.0), uniform(-0.29, 0.29), randint(0, 151), randint(7, 7), rand()]

    def torchs() -> list[float]:
        return [
            float(torch.empty(1).uniform_(0.08, 1.0)), float(torch.empty(1).uniform_(-0.29, 0.29)),
            int(torch.randint(0, 152, (1,))), 7, float(torch.rand(1)),
        ]  # fmt: skip

    for seed in range(20):
        torch.manual_seed(seed)
        mine = ours()
        torch.manual_seed(seed)
        assert mine == torchs()
    default = torch.get_default_dtype()
    try:  # float64 by default: torch's draws then take 53 bits each; so do ours
        torch.set_default_dtype(torch.float64)
        torch.manual_seed(0)
        mine = ours()
        torch.manual_seed(0)
        assert mine == torchs()
    finally:
        torch.set_default_dtype(default)
    from clscore.data.transforms import _common

    seen = []  # threads (a user's thread pool over a dataset) never share the scratch tensors
    thread = threading.Thread(target=lambda: seen.append((_common._scratch.real, _common._scratch.integer)))
    thread.start()
    thread.join()
    assert seen[0][0] is not _common._scratch.real and seen[0][1] is not _common._scratch.integer
