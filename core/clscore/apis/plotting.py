"""Figures for ``clsrun analyze``: curves, lr schedule, confusion matrix, image grid.

matplotlib is an optional extra (``pip install 'clscore[plot]'``); it is imported here only, with
the non-interactive Agg backend, and its absence is one clear error.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from clscore.apis.logs import Curve
from clscore.errors import ClsCoreError


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the Agg backend, or a ClsCoreError saying how to install it."""
    try:
        import matplotlib
    except ImportError:
        raise ClsCoreError("drawing needs matplotlib: pip install 'clscore[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def ticker() -> Any:
    pyplot()
    import matplotlib.ticker

    return matplotlib.ticker


def save(fig: Any, out: str | os.PathLike[str], dpi: int = 100) -> Path:
    path = Path(out)
    if path.suffix.lower() not in (".png", ".jpg", ".jpeg", ".pdf", ".svg"):
        raise ClsCoreError(f"--out {path}: use a .png, .jpg, .pdf or .svg file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    pyplot().close(fig)
    return path


def plot_curves(
    series: Sequence[tuple[str, Curve]], out: str | os.PathLike[str], title: str | None = None
) -> Path:
    """One panel per key (its own x axis: iterations or epochs), one line per ``(label, curve)``."""
    plt = pyplot()
    keys = list(dict.fromkeys(c.key for _, c in series))
    fig, axes = plt.subplots(len(keys), 1, figsize=(8, 3.2 * len(keys)), squeeze=False)
    for ax, key in zip(axes[:, 0], keys):
        for label, c in series:
            if c.key == key:
                ax.plot(c.xs, c.ys, label=label, marker="o" if len(c.xs) <= 30 else None, markersize=3)
        first = next(c for _, c in series if c.key == key)
        ax.set_xlabel(first.x_label)
        ax.xaxis.set_major_locator(ticker().MaxNLocator(integer=True))
        ax.set_ylabel(key)
        ax.grid(True, alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return save(fig, out)


def plot_lr(
    lrs: Sequence[float],
    iters_per_epoch: int,
    by_epoch: bool,
    out: str | os.PathLike[str],
    title: str | None = None,
) -> Path:
    """The lr against the iteration (and the epoch on a second axis for epoch-based runs)."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(range(len(lrs)), lrs)
    ax.set_xlabel("iteration")
    ax.set_ylabel("learning rate")
    ax.grid(True, alpha=0.3)
    if by_epoch and iters_per_epoch > 0:
        top = ax.secondary_xaxis(
            "top", functions=(lambda x: x / iters_per_epoch, lambda e: e * iters_per_epoch)
        )
        top.set_xlabel("epoch")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return save(fig, out)


def plot_confusion_matrix(
    matrix: Sequence[Sequence[float]],
    classes: Sequence[str],
    out: str | os.PathLike[str],
    normalize: bool = False,
    title: str | None = None,
) -> Path:
    """Rows are true classes, columns predictions; counts (or row fractions) written in each cell."""
    import numpy as np

    plt = pyplot()
    values = np.asarray(matrix, dtype=np.float64)
    if normalize:
        totals = values.sum(axis=1, keepdims=True)
        values = np.divide(values, totals, out=np.zeros_like(values), where=totals > 0)
    n = len(values)
    size = min(4 + 0.5 * n, 30)
    fig, ax = plt.subplots(figsize=(size, size))
    image = ax.imshow(values, cmap="Blues")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ticks = list(range(n))
    names = list(classes)[:n] + [str(i) for i in range(len(classes), n)]
    ax.set_xticks(ticks, names, rotation=45 if max((len(s) for s in names), default=0) > 3 else 0, ha="right")
    ax.set_yticks(ticks, names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if n <= 30:
        threshold = values.max() / 2 if values.size else 0
        for i in range(n):
            for j in range(n):
                text = f"{values[i, j]:.2f}" if normalize else f"{int(values[i, j])}"
                ax.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if values[i, j] > threshold else "black",
                )
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return save(fig, out)


def plot_image_grid(
    images: Sequence[Any],
    labels: Sequence[str],
    out: str | os.PathLike[str],
    columns: int | None = None,
    title: str | None = None,
) -> Path:
    """``images`` (``uint8`` ``(H, W, 3)`` arrays) in a grid, each titled with its label."""
    import math

    plt = pyplot()
    count = len(images)
    if not count:
        raise ClsCoreError("no images to draw")
    cols = columns or math.ceil(math.sqrt(count))
    rows = math.ceil(count / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2 * cols, 2.2 * rows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, img, label in zip(axes.ravel(), images, labels):
        ax.imshow(img, interpolation="nearest")
        ax.set_title(label, fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return save(fig, out)
