"""Image files on disk: one folder per class, or an annotation file of ``relative/path label`` lines."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from clscore.data.datasets.base import BaseDataset
from clscore.errors import DataError

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def normalise_extensions(extensions: Sequence[str] | str) -> tuple[str, ...]:
    """Lower-case extensions with a leading dot; matching is case-insensitive."""
    if isinstance(extensions, str):
        extensions = [extensions]
    result = tuple(e.lower() if e.startswith(".") else f".{e.lower()}" for e in extensions)
    if not result:
        raise ValueError("extensions must list at least one file extension, e.g. ['.jpg', '.png']")
    return result


def class_folders(root: str) -> list[str]:
    """The sorted sub-folder names of ``root`` (hidden ones skipped)."""
    with os.scandir(root) as entries:
        return sorted(e.name for e in entries if e.is_dir() and not e.name.startswith("."))


def scan_images(root: str, folder: str, extensions: tuple[str, ...]) -> list[str]:
    """Paths (relative to ``root``, ``/``-separated) of the images under ``root/folder``, recursively."""
    found: list[str] = []
    for current, dirs, files in os.walk(os.path.join(root, folder), followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        relative = os.path.relpath(current, root).replace(os.sep, "/")
        found.extend(f"{relative}/{name}" for name in sorted(files) if name.lower().endswith(extensions))
    return found


def read_ann_file(path: str) -> list[tuple[str, int]]:
    """``(relative path, label)`` pairs from lines ``relative/path label`` (blank lines skipped)."""
    if not os.path.isfile(path):
        raise DataError(f"annotation file not found: {path} (expected lines 'relative/path label')")
    pairs: list[tuple[str, int]] = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            line = line.strip()
            if not line:
                continue
            parts = line.rsplit(maxsplit=1)
            try:
                pairs.append((parts[0], int(parts[1])))
            except (IndexError, ValueError):
                raise DataError(f"{path}:{lineno}: expected 'relative/path label', got {line!r}") from None
    return pairs


class CustomDataset(BaseDataset):
    """Images in one sub-folder per class under ``data_prefix``, or listed by ``ann_file``.

    Folder layout: ``data_prefix/<class>/**/<image>`` with the extensions in ``extensions``
    (case-insensitive); classes are the sorted folder names unless ``classes`` is given. With
    ``classes`` given, folders are matched to it by name; if no folder name is in the list and the
    counts agree, the list renames the sorted folders in order (e.g. human-readable names for
    ImageNet's ``n01440764``-style folders).

    Annotation file: lines ``relative/path label``, paths relative to ``data_prefix`` (or as written
    when there is no ``data_prefix``). Without ``classes`` the names are ``"0"``..``"K-1"`` for the
    largest label K-1. Files are not checked up front; a missing one fails when it is loaded, naming it.
    """

    #: Where the data comes from, for the error raised when it is missing.
    DATA_HINT = "Put one sub-folder per class there, or give an ann_file listing 'relative/path label'."

    def __init__(
        self,
        data_prefix: str | None = None,
        pipeline: Sequence[dict] | None = None,
        classes: str | Sequence[str] | None = None,
        ann_file: str | None = None,
        test_mode: bool = False,
        extensions: Sequence[str] = IMG_EXTENSIONS,
    ) -> None:
        self.data_prefix = None if data_prefix is None else os.fspath(data_prefix)
        self.ann_file = None if ann_file is None else os.fspath(ann_file)
        self.extensions = normalise_extensions(extensions)
        self.samples: list[tuple[str, int]] = []
        super().__init__(pipeline=pipeline, classes=classes, test_mode=test_mode)

    # -- loading --------------------------------------------------------------------------------
    def load(self, classes: list[str] | None) -> tuple[np.ndarray, list[str]]:
        name = type(self).__name__
        if self.data_prefix is not None and not os.path.isdir(self.data_prefix):
            raise DataError(f"{name}: data_prefix folder not found: {self.data_prefix}. {self.DATA_HINT}")
        if self.ann_file is not None:
            self.samples = read_ann_file(self.ann_file)
            if not self.samples:
                raise DataError(f"{name}: annotation file {self.ann_file} lists no images")
            labels = np.array([label for _, label in self.samples], dtype=np.int64)
            return labels, self.default_classes(None, labels)
        if self.data_prefix is None:
            raise DataError(
                f"{name} needs data_prefix (a folder with one sub-folder per class) or ann_file. {self.DATA_HINT}"
            )
        folders = class_folders(self.data_prefix)
        if not folders:
            raise DataError(
                f"{name}: no class folders in {self.data_prefix}; expected one sub-folder per class, "
                f"or give ann_file. {self.DATA_HINT}"
            )
        folder_label = self._folder_labels(folders, classes)
        for folder in folders:
            label = folder_label[folder]
            self.samples.extend(
                (path, label) for path in scan_images(self.data_prefix, folder, self.extensions)
            )
        if not self.samples:
            raise DataError(
                f"{name}: no images with extensions {' '.join(self.extensions)} in the class folders of "
                f"{self.data_prefix}"
            )
        labels = np.array([label for _, label in self.samples], dtype=np.int64)
        return labels, self.default_classes(folders, labels)

    def _folder_labels(self, folders: list[str], classes: list[str] | None) -> dict[str, int]:
        if classes is None:
            return {folder: index for index, folder in enumerate(folders)}
        index_of = {name: index for index, name in enumerate(classes)}
        known = [f for f in folders if f in index_of]
        if len(known) == len(folders):
            return {folder: index_of[folder] for folder in folders}
        if not known and len(folders) == len(classes):
            return {folder: index for index, folder in enumerate(folders)}
        unknown = [f for f in folders if f not in index_of]
        raise DataError(
            f"{type(self).__name__}: folders {unknown[:5]} in {self.data_prefix} are not in 'classes' "
            f"({len(classes)} names); name the folders after the classes, or list the classes in folder order"
        )

    def default_classes(self, folders: list[str] | None, labels: np.ndarray) -> list[str]:
        """Class names when ``classes`` is not given: the folders, or ``"0"``.. for an ann_file."""
        if folders is not None:
            return list(folders)
        return [str(i) for i in range(int(labels.max()) + 1)] if len(labels) else []

    # -- samples --------------------------------------------------------------------------------
    def get_sample(self, index: int) -> dict[str, Any]:
        relative, label = self.samples[index]
        prefix = self.data_prefix
        return {
            "img_prefix": prefix,
            "img_info": {"filename": relative},
            "filename": os.path.join(prefix, relative) if prefix else relative,
            "gt_label": np.int64(label),
        }


class ImageNet(CustomDataset):
    """ImageNet-1k (ILSVRC2012) in its usual layouts; the data is never downloaded.

    Train: ``data_prefix: data/imagenet/train`` with the 1000 ``n01440764``-style class folders.
    Val: ``data_prefix: data/imagenet/val`` with ``ann_file: data/imagenet/meta/val.txt`` whose
    lines (``ILSVRC2012_val_00000001.JPEG 65``) are relative to ``data_prefix``. Without
    ``classes``, the class names are the 1000 standard human-readable names (torchvision's list, in
    the standard index order) when there are 1000 folders or an ann_file (a val ann_file always; a train
    one when its labels reach 999); a folder tree with another number of classes (a subset) keeps the
    folder names, and a train ann_file whose largest label is K-1 < 999 gets ``"0"``..``"K-1"``.
    """

    DATA_HINT = (
        "ImageNet is not downloaded by clscore: get ILSVRC2012 from https://image-net.org/ and unpack "
        "train/ as one folder per class (n01440764/...), val/ with meta/val.txt ('file label' lines)."
    )
    NUM_CLASSES = 1000

    def default_classes(self, folders: list[str] | None, labels: np.ndarray) -> list[str]:
        if folders is not None and len(folders) != self.NUM_CLASSES:
            return list(folders)
        if folders is None and not self.test_mode and int(labels.max()) + 1 != self.NUM_CLASSES:
            return super().default_classes(None, labels)  # a train ann_file of another class count
        from torchvision.models import ResNet50_Weights

        return list(ResNet50_Weights.IMAGENET1K_V1.meta["categories"])
