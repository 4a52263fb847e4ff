"""CIFAR-10 and CIFAR-100 from the python-pickle batches in a local folder (never downloaded).

The batches are unpickled with an allow-list (numpy arrays only), so a tampered file cannot run code.
"""

from __future__ import annotations

import os
import pickle
from typing import Any

import numpy as np
import torch

from clscore.data.datasets.in_memory import LocalSplitDataset
from clscore.errors import DataError

_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("_codecs", "encode"),
}


class _ArrayUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a data file")


def load_pickle(path: str) -> dict[str, Any]:
    """A CIFAR batch as a dict with ``str`` keys; anything else is a :class:`DataError`."""
    try:
        with open(path, "rb") as fh:
            entry = _ArrayUnpickler(fh, encoding="latin1").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError) as exc:
        raise DataError(f"{path} is not a CIFAR python batch: {exc}") from None
    if not isinstance(entry, dict):
        raise DataError(f"{path} is not a CIFAR python batch (it holds a {type(entry).__name__})")
    return {k.decode("latin1") if isinstance(k, bytes) else k: v for k, v in entry.items()}


class CIFAR10(LocalSplitDataset):
    """CIFAR-10: 50,000 train / 10,000 test RGB 32x32 images, 10 classes.

    ``data_prefix`` is the folder holding ``cifar-10-batches-py/`` (the extracted
    ``cifar-10-python.tar.gz`` from https://www.cs.toronto.edu/~kriz/cifar.html), or that folder
    itself. ``test_mode`` selects ``test_batch``; otherwise ``data_batch_1`` .. ``data_batch_5``.
    Class names come from ``batches.meta``.
    """

    #: Side of every image, so inference can bring image files to the size the model was trained on.
    IMG_SIZE = 32

    NAME = "cifar10"
    ARCHIVE = "cifar-10-python.tar.gz"
    BASE_FOLDER = "cifar-10-batches-py"
    TRAIN_FILES = ("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5")
    TEST_FILES = ("test_batch",)
    META_FILE, META_KEY = "batches.meta", "label_names"
    LABEL_KEY = "labels"

    def _folder(self) -> str:
        nested = os.path.join(self.data_prefix, self.BASE_FOLDER)
        if os.path.isdir(nested) or not os.path.isfile(os.path.join(self.data_prefix, self.META_FILE)):
            return nested
        return self.data_prefix

    def _require(self, folder: str, name: str) -> str:
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            expected = ", ".join((*self.TRAIN_FILES, *self.TEST_FILES, self.META_FILE))
            raise DataError(
                f"{type(self).__name__}: file not found: {path}. Expected the CIFAR python version "
                f"({self.ARCHIVE} from https://www.cs.toronto.edu/~kriz/cifar.html) extracted into "
                f"{self.data_prefix}, giving {self.BASE_FOLDER}/ with {expected}. clscore never downloads data."
            )
        return path

    def load_arrays(self) -> tuple[torch.Tensor, np.ndarray, list[str]]:
        folder = self._folder()
        files = self.TEST_FILES if self.test_mode else self.TRAIN_FILES
        paths = [self._require(folder, name) for name in (*files, self.META_FILE)]
        meta = load_pickle(paths[-1])
        images, labels = [], []
        for path in paths[:-1]:
            entry = load_pickle(path)
            try:
                data = np.asarray(entry["data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
                batch_labels = np.asarray(entry[self.LABEL_KEY], dtype=np.int64).reshape(-1)
            except (KeyError, ValueError) as exc:
                raise DataError(f"{path}: not a {type(self).__name__} batch ({exc!r})") from None
            if len(data) != len(batch_labels):
                raise DataError(f"{path}: {len(data)} images but {len(batch_labels)} labels")
            images.append(data)
            labels.append(batch_labels)
        try:
            names = [str(n) for n in meta[self.META_KEY]]
        except KeyError:
            raise DataError(f"{paths[-1]}: no {self.META_KEY!r} entry") from None
        return torch.from_numpy(np.concatenate(images)), np.concatenate(labels), names

    def describe(self) -> str:
        return f"{type(self).__name__}({self.data_prefix}, {self.split})"


class CIFAR100(CIFAR10):
    """CIFAR-100: 50,000 train / 10,000 test RGB 32x32 images, 100 fine-grained classes.

    ``data_prefix`` holds ``cifar-100-python/`` (from ``cifar-100-python.tar.gz``, same site) with
    ``train``, ``test`` and ``meta``; labels are the ``fine_labels``.
    """

    NAME = "cifar100"
    ARCHIVE = "cifar-100-python.tar.gz"
    BASE_FOLDER = "cifar-100-python"
    TRAIN_FILES = ("train",)
    TEST_FILES = ("test",)
    META_FILE, META_KEY = "meta", "fine_label_names"
    LABEL_KEY = "fine_labels"
