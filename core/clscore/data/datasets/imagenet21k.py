"""ImageNet-21k from local files (folder per class, or an annotation file); nothing is downloaded."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from clscore.data.datasets.folder import CustomDataset

#: MMClassification's extensions for ImageNet-21k (no .tiff / .webp).
IN21K_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif")


class PackedSamples(Sequence[tuple[str, int]]):
    """``(path, label)`` pairs held in two numpy arrays instead of millions of Python objects.

    DataLoader workers then share the parent's pages: reading an element touches no reference
    counts, so nothing is copied on write.
    """

    def __init__(self, samples: Sequence[tuple[str, int]]) -> None:
        paths = [path for path, _ in samples]
        self.paths = np.array(paths, dtype=np.str_) if paths else np.array([], dtype=np.str_)
        self.labels = np.array([label for _, label in samples], dtype=np.int64)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return str(self.paths[index]), int(self.labels[index])


class ImageNet21k(CustomDataset):
    """ImageNet-21k (about 21k classes, 14M images) in ImageNet's layouts (MMClassification 0.25 keys).

    ``data_prefix`` holds one sub-folder per class (searched recursively), or ``ann_file`` lists
    ``relative/path label`` lines under it; with this many files an ``ann_file`` starts much faster.
    The dataset has no built-in class names: give ``classes`` (a list or a file) to name them,
    otherwise they are the folder names (``"0"``.. with an ``ann_file``). ``serialize_data`` keeps the
    sample list in packed arrays to save memory in data-loader workers. ``multi_label`` must stay
    false and ``recursion_subdir`` true, as in MMClassification.
    """

    DATA_HINT = (
        "ImageNet-21k is not downloaded by clscore: unpack it as one folder per class (n00004475/...) "
        "or give an ann_file of 'relative/path label' lines."
    )

    def __init__(
        self,
        data_prefix: str,
        pipeline: Sequence[dict] | None = None,
        classes: str | Sequence[str] | None = None,
        ann_file: str | None = None,
        serialize_data: bool = True,
        multi_label: bool = False,
        recursion_subdir: bool = True,
        test_mode: bool = False,
    ) -> None:
        if multi_label:
            raise ValueError(
                "ImageNet21k: multi_label is not supported (as in MMClassification); leave it false"
            )
        if not recursion_subdir:
            raise ValueError(
                "ImageNet21k: recursion_subdir is deprecated and images are always found in sub-folders "
                "recursively; remove the key or set it to true"
            )
        self.multi_label = False
        self.serialize_data = bool(serialize_data)
        super().__init__(
            data_prefix=data_prefix,
            pipeline=pipeline,
            classes=classes,
            ann_file=ann_file,
            test_mode=test_mode,
            extensions=IN21K_EXTENSIONS,
        )
        if self.serialize_data:
            self.samples = PackedSamples(self.samples)  # type: ignore[assignment]
